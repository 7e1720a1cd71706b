// `--since` / `--until` values as hubble accepts them: a Go duration meaning "that
// long ago" (`5m`, `1h30m`, `1.5h`, `300ms`) or an absolute time (RFC 3339, or the
// shorter `2006-01-02`, `2006-01-02T15Z07:00`, `2006-01-02T15:04Z07:00`, or RFC 1123Z).
import { parseTimestamp, timestampFromMs, type Timestamp } from '../codec/timestamp.ts';
import { MONTHS } from '../printer/time-format.ts';

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Parses a Go duration into nanoseconds; undefined when it is not one. */
export function parseGoDuration(s: string): number | undefined {
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest !== '') {
    const m = part.exec(rest);
    if (m === null) return undefined;
    total += parseFloat(m[1]!) * UNIT_NS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

function parseAbsolute(s: string): Timestamp | undefined {
  const full = parseTimestamp(s);
  if (full !== undefined) return full;
  let m = /^(\d{4}-\d\d-\d\d)$/.exec(s);
  if (m) return parseTimestamp(`${m[1]}T00:00:00Z`);
  m = /^(\d{4}-\d\d-\d\d)[Tt](\d\d)(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (m) return parseTimestamp(`${m[1]}T${m[2]}:00:00${m[3]}`);
  m = /^(\d{4}-\d\d-\d\d)[Tt](\d\d:\d\d)(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (m) return parseTimestamp(`${m[1]}T${m[2]}:00${m[3]}`);
  // RFC 1123Z: Mon, 02 Jan 2006 15:04:05 -0700
  m = /^[A-Z][a-z]{2}, (\d\d) ([A-Z][a-z]{2}) (\d{4}) (\d\d:\d\d:\d\d) ([+-])(\d\d)(\d\d)$/.exec(s);
  if (m) {
    const month = MONTHS.indexOf(m[2]!);
    if (month < 0) return undefined;
    return parseTimestamp(`${m[3]}-${String(month + 1).padStart(2, '0')}-${m[1]}T${m[4]}${m[5]}${m[6]}:${m[7]}`);
  }
  return undefined;
}

/**
 * The point in time a --since/--until value names, relative to `nowMs` for
 * durations; undefined when the value is neither a duration nor a time.
 */
export function parseTimeBound(value: string, nowMs: number): Timestamp | undefined {
  const d = parseGoDuration(value);
  if (d !== undefined) return timestampFromMs(nowMs - d / 1e6);
  return parseAbsolute(value);
}
