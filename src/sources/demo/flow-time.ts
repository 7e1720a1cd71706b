// Virtual time in the simulator is integer microseconds since the epoch (exact
// in a double up to year 2255). Flows carry RFC 3339 strings with nanosecond
// digits, as Hubble prints them.

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * `2026-11-23T04:35:26.123456789Z` for a time in µs plus 0..999 extra ns, with
 * the fraction shortened the way protobuf JSON (and so a Hubble export) writes
 * timestamps: 9, 6 or 3 digits, or none for a whole second.
 */
export function rfc3339Nanos(us: number, extraNs: number): string {
  const second = Math.floor(us / 1_000_000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    // toISOString gives `...:SS.000Z`; keep everything before the dot.
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
  }
  const ns = (us - second * 1_000_000) * 1000 + extraNs;
  if (ns === 0) return `${cachedPrefix}Z`;
  const digits = String(ns).padStart(9, '0');
  if (ns % 1_000_000 === 0) return `${cachedPrefix}.${digits.slice(0, 3)}Z`;
  if (ns % 1000 === 0) return `${cachedPrefix}.${digits.slice(0, 6)}Z`;
  return `${cachedPrefix}.${digits}Z`;
}

export function msToUs(ms: number): number {
  return Math.round(ms * 1000);
}
