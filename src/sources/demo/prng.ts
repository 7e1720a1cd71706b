// Seeded pseudo-random numbers for the demo cluster. Everything the simulator
// decides goes through one of these, so a seed fully determines the cluster and
// its traffic. sfc32: small state, fast, good statistical quality for simulation.

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    this.a = 0x9e3779b9 ^ stream;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // Warm up so nearby seeds diverge immediately.
    for (let i = 0; i < 15; i++) this.nextU32();
    this.d ^= Math.floor(seed / 0x100000000) >>> 0;
    for (let i = 0; i < 5; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Exponentially distributed with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Standard normal (Box-Muller; one value per call keeps the stream simple). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and shape: p95 = median * e^(1.645 sigma). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Index chosen with probability proportional to weights[i]. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** `n` characters drawn from `alphabet`. */
  chars(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }

  /** An RFC 4122 version-4 shaped UUID. */
  uuid(): string {
    return formatUuid(this.nextU32(), this.nextU32(), this.nextU32(), this.nextU32());
  }
}

/** Kubernetes' name-suffix alphabet (no vowels, no confusable digits). */
export const K8S_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

// Two hex digits per byte, precomputed: uuids are formatted for every flow and
// Number#toString(16) + padStart was the hottest thing in the generator.
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex4(n: number): string {
  return HEX2[(n >>> 8) & 255] + HEX2[n & 255];
}

/** Formats 128 random bits as a version-4, variant-1 UUID. */
export function formatUuid(w0: number, w1: number, w2: number, w3: number): string {
  const ver = ((w1 & 0x0fff) | 0x4000) >>> 0;
  const variant = (((w2 >>> 16) & 0x3fff) | 0x8000) >>> 0;
  return `${hex4(w0 >>> 16)}${hex4(w0)}-${hex4(w1 >>> 16)}-${hex4(ver)}-${hex4(variant)}-${hex4(w2)}${hex4(w3 >>> 16)}${hex4(w3)}`;
}

/** 32-bit integer mix (splitmix-style): a cheap stateless hash for per-flow ids. */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}
