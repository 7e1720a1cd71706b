// Virtual time in the simulator is integer microseconds since the epoch (exact
// in a double up to year 2255). Flows carry RFC 3339 strings with nanosecond
// digits, as Hubble prints them.

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** `2026-11-23T04:35:26.123456789Z` for a time in µs plus 0..999 extra ns. */
export function rfc3339Nanos(us: number, extraNs: number): string {
  const second = Math.floor(us / 1_000_000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    // toISOString gives `...:SS.000Z`; keep everything up to and including the dot.
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const ns = (us - second * 1_000_000) * 1000 + extraNs;
  return `${cachedPrefix}${String(ns).padStart(9, '0')}Z`;
}

export function msToUs(ms: number): number {
  return Math.round(ms * 1000);
}
