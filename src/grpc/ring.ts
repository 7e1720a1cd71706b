// The server's history: a fixed-size ring of events numbered by arrival (seq), like
// Hubble's ring buffer. Readers keep a seq cursor instead of a queue, so a slow reader
// costs no memory: when the ring overwrites what it has not read yet, the gap
// (oldestSeq - cursor) is what it reports as lost events. Pure, no I/O.
import type { SourceEvent } from '../model/source.ts';
import { compareTimestamps, parseTimestamp, type Timestamp } from '../codec/timestamp.ts';

export interface RingEntry {
  readonly seq: number;
  readonly ev: SourceEvent;
  /** The event's time, when it has a valid one (parsed on first use, then kept). */
  readonly ts: Timestamp | undefined;
  /** The encoded GetFlowsResponse, made on first send and shared by every reader. */
  bytes?: Buffer;
}

/** Not parsed yet (undefined is a valid answer: no time, or an invalid one). */
const UNPARSED = null;

// Most entries are never read by time: with no client, or clients following without
// since/until, only one in CHECKPOINT_EVERY evicted entries needs its time. Parsing the
// RFC 3339 string of every flow on arrival was a fifth of the idle agent's CPU.
class Entry implements RingEntry {
  readonly seq: number;
  readonly ev: SourceEvent;
  bytes?: Buffer = undefined;
  private time: Timestamp | undefined | typeof UNPARSED = UNPARSED;
  constructor(seq: number, ev: SourceEvent) {
    this.seq = seq;
    this.ev = ev;
  }

  get ts(): Timestamp | undefined {
    if (this.time === UNPARSED) this.time = eventTimestamp(this.ev);
    return this.time;
  }
}

/** One checkpoint per this many evicted entries, to count what a `since` asked for and lost. */
const CHECKPOINT_EVERY = 256;
const MAX_CHECKPOINTS = 4096;

export function eventTimestamp(ev: SourceEvent): Timestamp | undefined {
  const t = ev.kind === 'flow' ? ev.flow.time : ev.kind === 'lost' || ev.kind === 'node-status' ? ev.time : undefined;
  return t === undefined ? undefined : utcTime(t);
}

/** `YYYY-MM-DDTHH:MM:SS` of the last UTC time parsed in full, and its seconds. */
let lastSecondText = '';
let lastSecond = 0;

/**
 * parseTimestamp with a shortcut for the UTC spelling servers and collectors write:
 * thousands of events a second share their second, so only the fraction is read when
 * the text up to the seconds is the last one's.
 */
export function utcTime(s: string): Timestamp | undefined {
  const n = s.length;
  if (lastSecondText !== '' && n >= 20 && s.charCodeAt(n - 1) === 90 /* Z */ && s.startsWith(lastSecondText)) {
    if (n === 20) return { seconds: lastSecond, nanos: 0 };
    const digits = n - 21;
    if (s.charCodeAt(19) === 46 /* . */ && digits >= 1 && digits <= 9) {
      let nanos = 0;
      for (let i = 20; i < n - 1; i++) {
        const d = s.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return undefined;
        nanos = nanos * 10 + d;
      }
      return { seconds: lastSecond, nanos: nanos * 10 ** (9 - digits) };
    }
  }
  const ts = parseTimestamp(s);
  if (ts !== undefined && s.charCodeAt(n - 1) === 90) {
    lastSecondText = s.slice(0, 19);
    lastSecond = ts.seconds;
  }
  return ts;
}

export class EventRing {
  readonly capacity: number;
  private readonly slots: (RingEntry | undefined)[];
  private next = 0;
  private evicted = 0;
  /** [evicted count so far, time of the entry evicted then], oldest first. */
  private checkpoints: [number, Timestamp][] = [];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`ring capacity must be a positive integer, not ${capacity}`);
    this.capacity = capacity;
    this.slots = new Array<RingEntry | undefined>(capacity);
  }

  /** The seq the next pushed entry gets. */
  get nextSeq(): number {
    return this.next;
  }

  /** The oldest seq still held (== nextSeq when empty). */
  get oldestSeq(): number {
    return Math.max(0, this.next - this.capacity);
  }

  get size(): number {
    return this.next - this.oldestSeq;
  }

  /** Entries overwritten so far. */
  get evictedCount(): number {
    return this.evicted;
  }

  push(ev: SourceEvent): RingEntry {
    const entry = new Entry(this.next, ev);
    const i = this.next % this.capacity;
    const old = this.slots[i];
    if (old !== undefined) {
      this.evicted++;
      const oldTs = this.evicted % CHECKPOINT_EVERY === 0 ? old.ts : undefined;
      if (oldTs !== undefined) {
        this.checkpoints.push([this.evicted, oldTs]);
        if (this.checkpoints.length > MAX_CHECKPOINTS) this.checkpoints = this.checkpoints.slice(MAX_CHECKPOINTS / 2);
      }
    }
    this.slots[i] = entry;
    this.next++;
    return entry;
  }

  /** The entry with this seq, or undefined when it was overwritten or not written yet. */
  at(seq: number): RingEntry | undefined {
    if (seq < this.oldestSeq || seq >= this.next) return undefined;
    return this.slots[seq % this.capacity];
  }

  /**
   * How many overwritten entries were at or after `since` (to within CHECKPOINT_EVERY):
   * what a reader resuming from `since` can no longer get.
   */
  evictedSince(since: Timestamp): number {
    if (this.evicted === 0) return 0;
    const oldest = this.at(this.oldestSeq);
    if (oldest?.ts !== undefined && compareTimestamps(oldest.ts, since) <= 0) return 0;
    // The first checkpoint at or after `since`: everything evicted from about there on.
    for (const [count, ts] of this.checkpoints) {
      if (compareTimestamps(ts, since) >= 0) return this.evicted - count + 1;
    }
    // Every checkpoint is older than `since`: only entries after the last one can count.
    const last = this.checkpoints.at(-1);
    return Math.max(1, this.evicted - (last?.[0] ?? 0));
  }
}
