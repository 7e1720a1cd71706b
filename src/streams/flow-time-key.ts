// A flow's RFC 3339 time as a sortable key with nanosecond resolution: milliseconds since
// the epoch plus the nanoseconds within that millisecond (one float cannot hold both).

export interface TimeKey {
  ms: number;
  /** 0..999_999: the fraction's digits past the third. */
  ns: number;
}

let lastPrefix = '';
let lastPrefixMs = Number.NaN;

/** The key of `time`, or undefined when it is not a parsable time. */
export function timeKey(time: string): TimeKey | undefined {
  // Fast path for `YYYY-MM-DDTHH:MM:SS.fffffffffZ`: the seconds are parsed once per second.
  if (time.length >= 21 && time.charCodeAt(19) === 46 && time.charCodeAt(time.length - 1) === 90) {
    const prefix = time.slice(0, 19);
    if (prefix !== lastPrefix) {
      lastPrefix = prefix;
      lastPrefixMs = Date.parse(prefix + 'Z');
    }
    if (!Number.isNaN(lastPrefixMs)) {
      let frac = 0;
      let digits = 0;
      for (let i = 20; i < time.length - 1 && digits < 9; i++, digits++) {
        const d = time.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return slow(time);
        frac = frac * 10 + d;
      }
      for (; digits < 9; digits++) frac *= 10;
      const msPart = Math.floor(frac / 1_000_000);
      return { ms: lastPrefixMs + msPart, ns: frac - msPart * 1_000_000 };
    }
  }
  return slow(time);
}

function slow(time: string): TimeKey | undefined {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return undefined;
  // Sub-millisecond digits of any other layout (a zone offset): read them if present.
  const m = /\.\d{3}(\d{1,6})/.exec(time);
  return { ms, ns: m ? Number(m[1]!.padEnd(6, '0')) : 0 };
}

export function keyLess(a: TimeKey, b: TimeKey): boolean {
  return a.ms < b.ms || (a.ms === b.ms && a.ns < b.ns);
}
