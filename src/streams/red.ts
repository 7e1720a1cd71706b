// Per-service RED metrics (rate, errors, duration) in time buckets: one latency
// histogram per service per bucket, so the current p50/p95/p99 and a per-bucket
// percentile series (the sparkline) come from the same data. add() is O(1).
// A request that fails is either a drop (the attempt never reached the service: denied
// by policy or lost in the kernel) or an error (the service answered 5xx, a gRPC
// server error, a DNS/Kafka error, or its end reset the connection, a refused attempt
// included): they are counted apart, because a drop is a network or policy fact, not
// the service misbehaving.
import type { Flow } from '../model/flow.ts';
import { isDrop, isError, isRequest, latencyMs, serverReset, serviceOf } from './flow-keys.ts';
import { mergeInto, newHistogram, quantile, record } from './histogram.ts';
import { RequestDedupe, type Counted } from './request-dedupe.ts';
import { TimeBuckets } from './time-buckets.ts';

const ERROR_ONLY: Counted = Object.freeze({ request: false, error: true });
const NOTHING: Counted = Object.freeze({ request: false, error: false });

interface Cell {
  requests: number;
  errors: number;
  drops: number;
  hist: Uint32Array;
}

export interface ServiceStats {
  service: string;
  /** Requests per second over the current window (attempts, dropped ones included). */
  rate: number;
  /** Percentage (0-100) of the requests that reached the service and failed there (5xx, gRPC server errors, DNS/Kafka errors, resets). */
  errorPct: number;
  /** Percentage (0-100) of the attempts dropped before reaching the service (policy denial, kernel drop). */
  dropPct: number;
  p50?: number;
  p95?: number;
  p99?: number;
  /** One value per bucket over the horizon, oldest first; undefined where no latency was seen. */
  series: (number | undefined)[];
  /** Median of the series before the current window: what "normal" looked like. */
  baseline?: number;
}

export type Percentile = 50 | 95 | 99;

export interface RedOptions {
  bucketMs?: number;
  /** Window for the current figures (rate, error %, percentiles). */
  windowMs?: number;
  /** How far back the sparkline goes. */
  horizonMs?: number;
}

export class RedAggregator {
  readonly bucketMs: number;
  readonly windowMs: number;
  readonly horizonMs: number;
  #buckets: TimeBuckets<Map<string, Cell>>;
  #seen = new Map<string, number>(); // service -> last time seen
  #dedupe = new RequestDedupe();
  #firstMs = Number.POSITIVE_INFINITY;

  constructor(opts: RedOptions = {}) {
    this.bucketMs = opts.bucketMs ?? 5000;
    this.windowMs = opts.windowMs ?? 10_000;
    this.horizonMs = opts.horizonMs ?? 300_000;
    this.#buckets = new TimeBuckets(this.bucketMs, Math.ceil(this.horizonMs / this.bucketMs) + 1, () => new Map());
  }

  get latestMs(): number {
    return this.#buckets.latestMs;
  }

  add(flow: Flow, tMs: number): void {
    if (tMs < this.#firstMs) this.#firstMs = tMs;
    const request = isRequest(flow);
    if (!request && !serverReset(flow)) return;
    const svc = serviceOf(flow);
    if (svc === undefined) return;
    let counted: Counted;
    if (request) {
      counted = this.#dedupe.counts(flow, isError(flow));
    } else {
      // A reset after the request was counted (its SYN, its response): one more failure,
      // once per connection whichever ends reported it.
      counted = this.#dedupe.firstReset(flow) ? ERROR_ONLY : NOTHING;
    }
    if (!counted.request && !counted.error) return; // the other end already counted it
    const prev = this.#seen.get(svc);
    if (prev === undefined || tMs > prev) this.#seen.set(svc, tMs);
    const bucket = this.#buckets.at(tMs);
    if (!bucket) return;
    let cell = bucket.get(svc);
    if (!cell) {
      cell = { requests: 0, errors: 0, drops: 0, hist: newHistogram() };
      bucket.set(svc, cell);
    }
    if (counted.error) {
      if (isDrop(flow)) cell.drops++;
      else cell.errors++;
    }
    if (!counted.request) return;
    cell.requests++;
    const ms = latencyMs(flow);
    if (ms !== undefined) record(cell.hist, ms);
  }

  /** Stats for every service seen within the horizon, unsorted. */
  snapshot(percentile: Percentile = 95, nowMs: number = this.latestMs): ServiceStats[] {
    const bw = this.bucketMs;
    const nowBucket = Math.floor(nowMs / bw) * bw;
    const firstBucket = nowBucket - (Math.ceil(this.horizonMs / bw) - 1) * bw;
    const nBuckets = (nowBucket - firstBucket) / bw + 1;
    const windowStart = nowMs - this.windowMs;
    const buckets = this.#buckets.range(firstBucket, nowMs + 1);
    const out: ServiceStats[] = [];
    for (const [svc, last] of this.#seen) {
      if (last < nowMs - this.horizonMs) {
        this.#seen.delete(svc);
        continue;
      }
      const series: (number | undefined)[] = new Array(nBuckets).fill(undefined);
      const cur = newHistogram();
      let requests = 0;
      let errors = 0;
      let drops = 0;
      let oldest = nowMs;
      for (const b of buckets) {
        const cell = b.data.get(svc);
        if (!cell) continue;
        const i = (b.start - firstBucket) / bw;
        if (i >= 0 && i < nBuckets) series[i] = quantile(cell.hist, percentile / 100);
        if (b.start + bw > windowStart) {
          requests += cell.requests;
          errors += cell.errors;
          drops += cell.drops;
          mergeInto(cur, cell.hist);
          if (b.start < oldest) oldest = b.start;
        }
      }
      // Rate over the span the summed buckets really cover (whole buckets, not before the first flow).
      const span = Math.max(1000, nowMs - Math.max(oldest, this.#firstMs));
      const windowBuckets = Math.ceil(this.windowMs / bw);
      out.push({
        service: svc,
        rate: requests / (span / 1000),
        // A failure seen only at the far end can land in the bucket after its request's.
        // Errors are out of the requests that got through; drops out of all attempts.
        errorPct: pct(errors, requests - drops),
        dropPct: pct(drops, requests),
        p50: quantile(cur, 0.5),
        p95: quantile(cur, 0.95),
        p99: quantile(cur, 0.99),
        series,
        baseline: median(series.slice(0, Math.max(0, series.length - windowBuckets))),
      });
    }
    return out;
  }
}

function pct(part: number, whole: number): number {
  return whole <= 0 ? 0 : Math.min(100, (part / whole) * 100);
}

function median(values: (number | undefined)[]): number | undefined {
  const v = values.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  return v[Math.floor(v.length / 2)];
}
