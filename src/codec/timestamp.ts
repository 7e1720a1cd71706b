// RFC 3339 timestamps as Hubble carries them (google.protobuf.Timestamp in protobuf
// JSON): parsed to seconds + nanoseconds so no precision is lost, and written back the
// way protojson does (UTC, `Z`, 0/3/6/9 fractional digits).

export interface Timestamp {
  /** Seconds since the Unix epoch. */
  seconds: number;
  /** 0..999,999,999 */
  nanos: number;
}

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d\d):(\d\d))$/;

/** Parses an RFC 3339 timestamp (any offset, up to nanoseconds); undefined when invalid. */
export function parseTimestamp(s: string): Timestamp | undefined {
  const m = RFC3339.exec(s);
  if (m === null) return undefined;
  const year = +m[1]!;
  const month = +m[2]!;
  const day = +m[3]!;
  const hour = +m[4]!;
  const minute = +m[5]!;
  const second = +m[6]!;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let seconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  if (year < 100) seconds = utcSecondsForSmallYear(year, month, day, hour, minute, second);
  if (m[9] !== undefined) {
    const offH = +m[10]!;
    const offM = +m[11]!;
    if (offH > 23 || offM > 59) return undefined;
    const off = (offH * 60 + offM) * 60;
    seconds += m[9] === '+' ? -off : off;
  }
  const frac = m[7];
  const nanos = frac === undefined ? 0 : +(frac + '000000000'.slice(frac.length));
  return { seconds, nanos };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Date.UTC maps years 0..99 to 1900..1999; build those through setUTCFullYear instead.
function utcSecondsForSmallYear(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.getTime() / 1000;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Fractional seconds as protojson writes them: '', '.123', '.123456' or '.123456789'. */
export function protoFraction(nanos: number): string {
  if (nanos === 0) return '';
  if (nanos % 1_000_000 === 0) return '.' + pad(nanos / 1_000_000, 3);
  if (nanos % 1_000 === 0) return '.' + pad(nanos / 1_000, 6);
  return '.' + pad(nanos, 9);
}

const DIGITS3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * n (0..999) as three digits, from a table: decoders that write many timestamps a
 * second build the fraction from these instead of calling protoFraction.
 */
export function threeDigits(n: number): string {
  return DIGITS3[n]!;
}

/** Formats a timestamp exactly as protojson does (always UTC). */
export function formatProtoTimestamp(ts: Timestamp): string {
  const d = new Date(ts.seconds * 1000);
  return (
    pad(d.getUTCFullYear(), 4) +
    '-' +
    pad(d.getUTCMonth() + 1, 2) +
    '-' +
    pad(d.getUTCDate(), 2) +
    'T' +
    pad(d.getUTCHours(), 2) +
    ':' +
    pad(d.getUTCMinutes(), 2) +
    ':' +
    pad(d.getUTCSeconds(), 2) +
    protoFraction(ts.nanos) +
    'Z'
  );
}

const CANONICAL_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.(\d{1,9}))?Z$/;

/**
 * The protojson spelling of an RFC 3339 string, undefined when invalid. Strings already
 * in UTC only get their fraction re-cut (the common case, kept cheap).
 */
export function canonicalTimestamp(s: string): string | undefined {
  const m = CANONICAL_Z.exec(s);
  if (m !== null) {
    const frac = m[1];
    if (frac === undefined) return s;
    const nanos = +(frac + '000000000'.slice(frac.length));
    return s.slice(0, 19) + protoFraction(nanos) + 'Z';
  }
  const ts = parseTimestamp(s);
  return ts === undefined ? undefined : formatProtoTimestamp(ts);
}

let lastValidSecond = '';

/**
 * True for a valid RFC 3339 timestamp. Cheap for the usual UTC spelling: consecutive
 * flows mostly share their second, whose date and clock were already range-checked.
 */
export function isTimestamp(s: string): boolean {
  if (lastValidSecond !== '' && s.startsWith(lastValidSecond)) {
    FRACTION_Z.lastIndex = 19;
    if (FRACTION_Z.test(s)) return true;
  }
  if (CANONICAL_Z.test(s)) {
    if (parseTimestamp(s) === undefined) return false;
    lastValidSecond = s.slice(0, 19);
    return true;
  }
  return parseTimestamp(s) !== undefined;
}

/** What may follow a valid `YYYY-MM-DDTHH:MM:SS` in the UTC spelling. */
const FRACTION_Z = /(?:\.\d{1,9})?Z$/y;

/** Compares two timestamps: negative when a < b. */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos;
}

/** A timestamp from epoch milliseconds (e.g. Date.now()). */
export function timestampFromMs(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1_000_000);
  // A fraction within half a nanosecond of the next second rounds up to it.
  return nanos === 1_000_000_000 ? { seconds: seconds + 1, nanos: 0 } : { seconds, nanos };
}
