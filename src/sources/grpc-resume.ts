// Where a following GetFlows stream resumes after a lost connection: the newest flow time
// seen, and the flows seen at exactly that time (by uuid), so the resumed stream, which
// asks `since` that time, neither repeats them nor skips a flow that shares their time.
// Pure. Flow times arrive as protojson text (`2026-03-01T12:00:00.123Z`); comparing that
// text directly costs a fraction of parsing it, which this does once per flow.
import { compareTimestamps, parseTimestamp, type Timestamp } from '../codec/timestamp.ts';
import type { Flow } from '../model/flow.ts';

export class ResumePoint {
  private lastText: string | undefined;
  /** Nanoseconds of lastText (undefined: not protojson's form, compared by parsing). */
  private lastNanos: number | undefined;
  /** The first flow seen at lastText. */
  private firstAtLast: Flow | undefined;
  /**
   * Keys of the flows seen at lastText, built only when a second flow comes at that same
   * time (rare in a stream whose times advance), not for every flow.
   */
  private keys: Set<string> | undefined;

  /** The time to resume from: the newest flow time seen (undefined: none yet). */
  get since(): Timestamp | undefined {
    return this.lastText === undefined ? undefined : parseTimestamp(this.lastText);
  }

  /** False for a flow an earlier connection already delivered (same time, same key). */
  fresh(f: Flow): boolean {
    const t = f.time;
    if (t === undefined) return true;
    const nanos = utcFraction(t);
    const last = this.lastText;
    let c: number | undefined;
    if (last === undefined) c = nanos !== undefined || parseTimestamp(t) !== undefined ? 1 : undefined;
    else if (nanos !== undefined && this.lastNanos !== undefined) {
      // Both are protojson UTC: the first 19 characters (to the second) order as text.
      c = 0;
      for (let i = 0; i < 19 && c === 0; i++) c = t.charCodeAt(i) - last.charCodeAt(i);
      if (c === 0) c = nanos - this.lastNanos;
    } else c = compareTimeText(t, last);
    if (c === undefined) return true; // not a time: nothing to resume by
    if (c > 0) {
      this.lastText = t;
      this.lastNanos = nanos;
      this.firstAtLast = f;
      this.keys = undefined;
      return true;
    }
    if (c < 0) return true; // older than the newest seen: out of order (a relay's merge), never resent
    this.keys ??= new Set([flowKey(this.firstAtLast!)]);
    const k = flowKey(f);
    if (this.keys.has(k)) return false;
    this.keys.add(k);
    return true;
  }
}

function flowKey(f: Flow): string {
  return f.uuid ?? `${f.time}|${f.IP?.source}|${f.IP?.destination}|${f.Summary ?? ''}|${f.node_name ?? ''}`;
}

/**
 * Orders two RFC 3339 times: <0, 0, >0; undefined if either is not a time. UTC text with
 * `Z` (protojson's form, any number of fractional digits) is compared as text; any other
 * form (an offset, lower-case letters) is parsed.
 */
export function compareTimeText(a: string, b: string): number | undefined {
  if (a === b) return utcFraction(a) !== undefined || parseTimestamp(a) !== undefined ? 0 : undefined;
  const fa = utcFraction(a);
  const fb = utcFraction(b);
  if (fa !== undefined && fb !== undefined) {
    for (let i = 0; i < 19; i++) {
      const d = a.charCodeAt(i) - b.charCodeAt(i);
      if (d !== 0) return d;
    }
    return fa - fb;
  }
  const ta = parseTimestamp(a);
  const tb = parseTimestamp(b);
  return ta === undefined || tb === undefined ? undefined : compareTimestamps(ta, tb);
}

/** Nanoseconds of `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` (checked digit by digit); undefined for any other text. */
function utcFraction(s: string): number | undefined {
  const n = s.length;
  if (n < 20 || s.charCodeAt(n - 1) !== 0x5a /* Z */) return undefined;
  for (let i = 0; i < 19; i++) {
    const c = s.charCodeAt(i);
    const sep = i === 4 || i === 7 ? 0x2d : i === 10 ? 0x54 : i === 13 || i === 16 ? 0x3a : -1;
    if (sep >= 0 ? c !== sep : c < 0x30 || c > 0x39) return undefined;
  }
  if (n === 20) return 0;
  if (s.charCodeAt(19) !== 0x2e || n > 30 || n === 21) return undefined;
  let nanos = 0;
  for (let i = 20; i < n - 1; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return undefined;
    nanos = nanos * 10 + c;
  }
  for (let i = n - 1; i < 29; i++) nanos *= 10;
  return nanos;
}
