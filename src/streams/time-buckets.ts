// Fixed-width time buckets over a sliding horizon, keyed by event time. Adding is O(1);
// reading walks at most `count` buckets. Flows a little out of order land in their own
// bucket; flows older than the horizon are ignored (they would be outside every window).

export interface Bucket<T> {
  /** Start of the bucket, ms since epoch (a multiple of the width). */
  start: number;
  data: T;
}

export class TimeBuckets<T> {
  readonly widthMs: number;
  readonly count: number;
  #make: () => T;
  #slots: (Bucket<T> | undefined)[];
  /** Latest event time seen (the windows' notion of "now"). */
  latestMs = Number.NEGATIVE_INFINITY;

  constructor(widthMs: number, count: number, make: () => T) {
    this.widthMs = widthMs;
    this.count = count;
    this.#make = make;
    this.#slots = new Array<Bucket<T> | undefined>(count);
  }

  /** The bucket for event time `t`, created on demand; undefined if older than the horizon. */
  at(t: number): T | undefined {
    if (t > this.latestMs) this.latestMs = t;
    const start = Math.floor(t / this.widthMs) * this.widthMs;
    if (start <= this.latestMs - this.widthMs * this.count) return undefined;
    const idx = Math.floor(t / this.widthMs) % this.count;
    const slot = this.#slots[idx];
    if (slot && slot.start === start) return slot.data;
    if (slot && slot.start > start) return undefined; // slot already reused by newer time
    const fresh: Bucket<T> = { start, data: this.#make() };
    this.#slots[idx] = fresh;
    return fresh.data;
  }

  /** Buckets whose start is in [fromMs, toMs), oldest first; gaps are skipped. */
  range(fromMs: number, toMs: number): Bucket<T>[] {
    const out: Bucket<T>[] = [];
    for (const s of this.#slots) if (s && s.start >= fromMs - this.widthMs + 1 && s.start < toMs && s.start > this.latestMs - this.widthMs * this.count) out.push(s);
    out.sort((a, b) => a.start - b.start);
    return out;
  }

  /** Start time of the bucket holding `t`. */
  startOf(t: number): number {
    return Math.floor(t / this.widthMs) * this.widthMs;
  }
}
