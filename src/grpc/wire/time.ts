// google.protobuf.Timestamp <-> the model's RFC 3339 text, fast for a stream of flows:
// consecutive flows mostly share their second, so the second's text (and, the other way,
// its seconds count) is cached and only the fraction is built or parsed per flow.
import { parseTimestamp, protoFraction, threeDigits, type Timestamp } from '../../codec/timestamp.ts';

let textSec = Number.NaN;
let textPrefix = '';

/** protojson's text for a timestamp: UTC, `Z`, 0/3/6/9 fraction digits. */
export function timestampText(seconds: number, nanos: number): string {
  if (seconds !== textSec) {
    const d = new Date(seconds * 1000);
    const y = d.getUTCFullYear();
    // protojson refuses years outside 0001..9999; show the floor rather than throw (as flow-mapping does).
    textPrefix = Number.isNaN(y) || y < 1 || y > 9999 ? '0001-01-01T00:00:00' : d.toISOString().slice(0, 19);
    textSec = seconds;
  }
  if (nanos === 0) return textPrefix + 'Z';
  if (nanos < 0 || nanos > 999_999_999) return textPrefix + protoFraction(nanos) + 'Z'; // malformed, spelt as protoFraction does
  const ms = Math.floor(nanos / 1_000_000);
  const rest = nanos - ms * 1_000_000;
  if (rest === 0) return textPrefix + '.' + threeDigits(ms) + 'Z';
  const us = Math.floor(rest / 1000);
  const ns = rest - us * 1000;
  if (ns === 0) return textPrefix + '.' + threeDigits(ms) + threeDigits(us) + 'Z';
  return textPrefix + '.' + threeDigits(ms) + threeDigits(us) + threeDigits(ns) + 'Z';
}

let parsePrefix = '';
let parseSec = 0;

let lastText: string | undefined;
let lastTs: Timestamp | undefined;

/**
 * RFC 3339 text -> Timestamp; undefined when it does not parse (the field is then left
 * out). The result is shared with the next call for the same text (a flow's time and its
 * response's): callers only read it.
 */
export function parseTime(s: string): Timestamp | undefined {
  if (s === lastText) return lastTs;
  lastText = s;
  return (lastTs = parseText(s));
}

function parseText(s: string): Timestamp | undefined {
  if (s.length >= 20 && s.charCodeAt(s.length - 1) === 90 /* Z */ && s.startsWith(parsePrefix) && parsePrefix !== '') {
    const nanos = fractionNanos(s);
    if (nanos >= 0) return { seconds: parseSec, nanos };
  }
  const ts = parseTimestamp(s);
  if (ts !== undefined && s.length >= 20 && s.charCodeAt(19) !== 43 && s.charCodeAt(19) !== 45 && s.endsWith('Z') && s.charCodeAt(10) === 84) {
    // A UTC spelling `YYYY-MM-DDTHH:MM:SS[.f]Z`: later flows in the same second take the fast path.
    parsePrefix = s.slice(0, 19);
    parseSec = ts.seconds;
  }
  return ts;
}

/** Nanoseconds of `PREFIX[.d{1,9}]Z` after the 19-character prefix, or -1 if the rest is not that. */
function fractionNanos(s: string): number {
  const n = s.length;
  if (n === 20) return 0; // just `Z`
  if (s.charCodeAt(19) !== 46 /* . */ || n > 30 || n < 22) return -1;
  let v = 0;
  for (let i = 20; i < n - 1; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  for (let i = n - 1 - 20; i < 9; i++) v *= 10;
  return v;
}
