// Source events reach the store in bounded slices of time, so a key never waits behind
// a burst: a source delivers synchronously whatever it has (the demo's catch-up after
// a stall, a gRPC read of thousands of flows, a file's history), and taking it all in
// one task would hold every keypress and frame back until it is done. Events queue up
// here and are ingested at most `sliceMs` per turn of the event loop; between turns
// the loop reads the terminal, so keys are handled within one slice. Order is kept;
// nothing is dropped: past `maxQueued` waiting events (ingestion slower than the source,
// e.g. a starved CPU) the queue is worked off at once, as it would be unsliced, so the
// source's own backpressure applies again (the demo skips ahead and reports the gap
// as lost events, a gRPC stream stops being read) instead of the queue growing.
import type { SourceEvent } from '../model/source.ts';

/** What the slices feed: the store's ingest and its count of events it could not take. */
export interface IngestTarget {
  ingest(ev: SourceEvent): void;
  noteBadEvent(err: unknown): void;
}

export interface SliceOptions {
  /** Longest run of ingestion per turn, ms. */
  sliceMs?: number;
  maxQueued?: number;
  /** Runs a function on a later turn of the event loop, after pending I/O. */
  schedule?: (fn: () => void) => void;
  now?: () => number;
}

// How often the clock is read inside a slice: a flow takes a few microseconds.
const CLOCK_EVERY = 64;

export class IngestSlices {
  readonly #target: IngestTarget;
  readonly #sliceMs: number;
  readonly #maxQueued: number;
  readonly #schedule: (fn: () => void) => void;
  readonly #now: () => number;
  #queue: SourceEvent[] = [];
  #head = 0;
  #scheduled = false;
  #afterDrain: (() => void)[] = [];
  #stopped = false;

  constructor(target: IngestTarget, opts: SliceOptions = {}) {
    this.#target = target;
    this.#sliceMs = opts.sliceMs ?? 4;
    this.#maxQueued = opts.maxQueued ?? 20_000; // ~2 s at 10,000 flows/s, ~40 MB
    this.#schedule = opts.schedule ?? ((fn) => setImmediate(fn));
    this.#now = opts.now ?? (() => performance.now());
  }

  /** Events waiting to be ingested. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  push(ev: SourceEvent): void {
    if (this.#stopped) return;
    this.#queue.push(ev);
    if (this.queued > this.#maxQueued) this.#run(Number.POSITIVE_INFINITY);
    else this.#wake();
  }

  /** Ingests at once (behind whatever is queued, so order is kept). */
  ingestNow(ev: SourceEvent): void {
    if (this.#stopped) return;
    if (this.queued > 0) this.#run(Number.POSITIVE_INFINITY);
    this.#take(ev);
  }

  /** Runs `fn` once every event pushed so far has been ingested (a source's end, its error). */
  whenDrained(fn: () => void): void {
    if (this.queued === 0 && !this.#scheduled) fn();
    else {
      this.#afterDrain.push(fn);
      this.#wake();
    }
  }

  /** Forgets what is queued and takes nothing more (the TUI quits). */
  stop(): void {
    this.#stopped = true;
    this.#queue = [];
    this.#head = 0;
    this.#afterDrain = [];
  }

  #wake(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(() => {
      this.#scheduled = false;
      if (this.#stopped) return;
      this.#run(this.#sliceMs);
      if (this.queued > 0) this.#wake();
      else this.#drained();
    });
  }

  #run(budgetMs: number): void {
    const end = this.#now() + budgetMs;
    const q = this.#queue;
    let n = 0;
    while (this.#head < q.length) {
      const ev = q[this.#head]!;
      this.#head++;
      this.#take(ev);
      if (++n % CLOCK_EVERY === 0 && this.#now() >= end) break;
    }
    // Drop the taken prefix once it is the larger part: amortised O(1) per event.
    if (this.#head === q.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > q.length) {
      this.#queue = q.slice(this.#head);
      this.#head = 0;
    }
  }

  #take(ev: SourceEvent): void {
    try {
      this.#target.ingest(ev);
    } catch (err) {
      this.#target.noteBadEvent(err);
    }
  }

  #drained(): void {
    const fns = this.#afterDrain;
    this.#afterDrain = [];
    for (const fn of fns) fn();
  }
}
