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

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

export function formatUuid(w0: number, w1: number, w2: number, w3: number): string {
  const a = hex8(w0);
  const b = hex8((w1 & 0xffff0fff) | 0x00004000);
  const c = hex8((w2 & 0x3fffffff) | 0x80000000);
  const d = hex8(w3);
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
}

/** 32-bit integer mix (splitmix-style): a cheap stateless hash for per-flow ids. */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}
