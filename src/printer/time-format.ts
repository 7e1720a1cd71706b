// Timestamp rendering with Go's layouts as `hubble observe --time-format` names them,
// in the local time zone (TZ), fractional seconds truncated like Go does.
import { parseTimestamp } from '../codec/timestamp.ts';

export const TIME_FORMAT_NAMES = [
  'StampMilli',
  'Stamp',
  'StampMicro',
  'StampNano',
  'RFC3339',
  'RFC3339Milli',
  'RFC3339Micro',
  'RFC3339Nano',
  'RFC1123Z',
  'Kitchen',
  'YearMonthDay',
  'YearMonthDayHour',
  'YearMonthDayHourMinute',
] as const;
export type TimeFormatName = (typeof TIME_FORMAT_NAMES)[number];

/** Case-insensitive lookup of a format name; undefined when unknown. */
export function timeFormatByName(name: string): TimeFormatName | undefined {
  const lower = name.toLowerCase();
  return TIME_FORMAT_NAMES.find((n) => n.toLowerCase() === lower);
}

interface LocalParts {
  year: number;
  month: number; // 0..11
  day: number;
  weekday: number;
  hour: number;
  minute: number;
  second: number;
  offsetMin: number; // east of UTC
}

/** Go's short month names (Jan..Dec), for printing and for parsing RFC 1123Z. */
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function p2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function p4(n: number): string {
  return String(n).padStart(4, '0');
}

function fixedFraction(nanos: number, digits: number): string {
  return '.' + String(nanos).padStart(9, '0').slice(0, digits);
}

/** Go's `.999...`: up to `digits` digits, trailing zeros (and a bare dot) dropped. */
function trimmedFraction(nanos: number, digits: number): string {
  const s = String(nanos).padStart(9, '0').slice(0, digits).replace(/0+$/, '');
  return s === '' ? '' : '.' + s;
}

/** Go's `Z07:00`. */
function zoneColon(offsetMin: number): string {
  if (offsetMin === 0) return 'Z';
  const sign = offsetMin < 0 ? '-' : '+';
  const a = Math.abs(offsetMin);
  return sign + p2(Math.floor(a / 60)) + ':' + p2(a % 60);
}

/** Go's `-0700`. */
function zoneNumeric(offsetMin: number): string {
  const sign = offsetMin < 0 ? '-' : '+';
  const a = Math.abs(offsetMin);
  return sign + p2(Math.floor(a / 60)) + p2(a % 60);
}

function stamp(t: LocalParts): string {
  return MONTHS[t.month] + ' ' + (t.day < 10 ? ' ' + t.day : String(t.day)) + ' ' + p2(t.hour) + ':' + p2(t.minute) + ':' + p2(t.second);
}

function date(t: LocalParts): string {
  return p4(t.year) + '-' + p2(t.month + 1) + '-' + p2(t.day);
}

function clock(t: LocalParts): string {
  return p2(t.hour) + ':' + p2(t.minute) + ':' + p2(t.second);
}

const LAYOUTS: Record<TimeFormatName, (t: LocalParts, nanos: number) => string> = {
  StampMilli: (t, n) => stamp(t) + fixedFraction(n, 3),
  Stamp: (t) => stamp(t),
  StampMicro: (t, n) => stamp(t) + fixedFraction(n, 6),
  StampNano: (t, n) => stamp(t) + fixedFraction(n, 9),
  RFC3339: (t) => date(t) + 'T' + clock(t) + zoneColon(t.offsetMin),
  RFC3339Milli: (t, n) => date(t) + 'T' + clock(t) + trimmedFraction(n, 3) + zoneColon(t.offsetMin),
  RFC3339Micro: (t, n) => date(t) + 'T' + clock(t) + trimmedFraction(n, 6) + zoneColon(t.offsetMin),
  RFC3339Nano: (t, n) => date(t) + 'T' + clock(t) + trimmedFraction(n, 9) + zoneColon(t.offsetMin),
  RFC1123Z: (t) =>
    DAYS[t.weekday] + ', ' + p2(t.day) + ' ' + MONTHS[t.month] + ' ' + p4(t.year) + ' ' + clock(t) + ' ' + zoneNumeric(t.offsetMin),
  Kitchen: (t) => (t.hour % 12 === 0 ? 12 : t.hour % 12) + ':' + p2(t.minute) + (t.hour < 12 ? 'AM' : 'PM'),
  YearMonthDay: (t) => date(t),
  YearMonthDayHour: (t) => date(t) + 'T' + p2(t.hour) + zoneColon(t.offsetMin),
  YearMonthDayHourMinute: (t) => date(t) + 'T' + p2(t.hour) + ':' + p2(t.minute) + zoneColon(t.offsetMin),
};

/**
 * Returns a function rendering RFC 3339 strings in the given layout; absent or invalid
 * times print as `N/A` like hubble. The local-time breakdown is cached per second,
 * since consecutive flows mostly share it.
 */
export function timeFormatter(name: TimeFormatName): (rfc3339: string | undefined) => string {
  const layout = LAYOUTS[name];
  let lastSeconds = Number.NaN;
  let parts: LocalParts | undefined;
  return (s) => {
    if (s === undefined) return 'N/A';
    const ts = parseTimestamp(s);
    if (ts === undefined) return 'N/A';
    if (ts.seconds !== lastSeconds || parts === undefined) {
      const d = new Date(ts.seconds * 1000);
      parts = {
        year: d.getFullYear(),
        month: d.getMonth(),
        day: d.getDate(),
        weekday: d.getDay(),
        hour: d.getHours(),
        minute: d.getMinutes(),
        second: d.getSeconds(),
        offsetMin: -d.getTimezoneOffset(),
      };
      lastSeconds = ts.seconds;
    }
    return layout(parts, ts.nanos);
  };
}
