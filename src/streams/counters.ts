// The status line's figures: totals since start and a recent flows/s rate.
import type { Flow } from '../model/flow.ts';
import { TimeBuckets } from './time-buckets.ts';

export interface CounterSnapshot {
  total: number;
  dropped: number;
  lost: number;
  /** Flows per second over the last `rateWindowMs` of event time. */
  rate: number;
}

export class Counters {
  total = 0;
  dropped = 0;
  lost = 0;
  readonly rateWindowMs: number;
  #buckets: TimeBuckets<{ n: number }>;
  #firstMs = Number.POSITIVE_INFINITY;

  constructor(rateWindowMs = 5000) {
    this.rateWindowMs = rateWindowMs;
    this.#buckets = new TimeBuckets(1000, Math.ceil(rateWindowMs / 1000) + 2, () => ({ n: 0 }));
  }

  addFlow(flow: Flow, tMs: number): void {
    this.total++;
    if (flow.verdict === 'DROPPED') this.dropped++;
    if (tMs < this.#firstMs) this.#firstMs = tMs;
    const b = this.#buckets.at(tMs);
    if (b) b.n++;
  }

  addLost(n: number): void {
    this.lost += n;
  }

  snapshot(nowMs: number = this.#buckets.latestMs): CounterSnapshot {
    // Only whole past seconds: the current second is still filling up.
    const end = this.#buckets.startOf(nowMs);
    const start = Math.max(end - this.rateWindowMs, this.#buckets.startOf(this.#firstMs));
    let n = 0;
    for (const b of this.#buckets.range(start, end)) if (b.start >= start) n += b.data.n;
    const span = end - start;
    return { total: this.total, dropped: this.dropped, lost: this.lost, rate: span > 0 ? n / (span / 1000) : 0 };
  }
}
