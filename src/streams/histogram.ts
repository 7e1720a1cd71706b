// Log-scale latency histogram: bins grow by 2^(1/4) (about 19% wide) from 10 µs to
// ~80 s, so percentiles are within ~10% whatever the scale, in constant memory, and
// histograms of different time buckets merge by adding.

const MIN_MS = 0.01;
const PER_OCTAVE = 4;
export const BINS = 96;

export function binOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const b = Math.floor(Math.log2(ms / MIN_MS) * PER_OCTAVE) + 1;
  return b >= BINS ? BINS - 1 : b;
}

/** Representative value of a bin (geometric middle), in ms. */
export function binValue(bin: number): number {
  if (bin <= 0) return MIN_MS;
  return MIN_MS * 2 ** ((bin - 0.5) / PER_OCTAVE);
}

export function newHistogram(): Uint32Array {
  return new Uint32Array(BINS);
}

export function record(h: Uint32Array, ms: number): void {
  h[binOf(ms)]++;
}

export function mergeInto(into: Uint32Array, from: Uint32Array): void {
  for (let i = 0; i < BINS; i++) into[i] += from[i];
}

/** The q-quantile (0..1) in ms, or undefined for an empty histogram. */
export function quantile(h: Uint32Array, q: number): number | undefined {
  let total = 0;
  for (let i = 0; i < BINS; i++) total += h[i];
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < BINS; i++) {
    seen += h[i];
    if (seen >= rank) return binValue(i);
  }
  return binValue(BINS - 1);
}
