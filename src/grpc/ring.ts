// The server's history: a fixed-size ring of events numbered by arrival (seq), like
// Hubble's ring buffer. Readers keep a seq cursor instead of a queue, so a slow reader
// costs no memory: when the ring overwrites what it has not read yet, the gap
// (oldestSeq - cursor) is what it reports as lost events. Pure, no I/O.
//
// The eBPF collector's flows (lazy flows over their loader records) are not kept as
// objects: their record's bytes are copied into a slot of one preallocated arena and
// what was assigned to them (the names enrichment gives, shared per identity) beside it,
// and at() makes the flow again when a reader asks. An agent's ring turns over every
// fraction of a second; every object it held outlived the young generation's
// collections, was promoted and died in the old generation, which V8 let grow to
// several times the live heap (docs/agent.md, "Memory"). Other events are kept as they
// are.
import type { SourceEvent } from '../model/source.ts';
import type { Flow } from '../model/flow.ts';
import { compareTimestamps, parseTimestamp, type Timestamp } from '../codec/timestamp.ts';
import { DECODED, LazyRecord, lazyFlowOf, lazyRecordOf } from '../bpf-bridge/lazy-flow.ts';

/**
 * An event held by the ring. A collector flow's entry is made again by each at(): read
 * it (and its flow) before the ring moves on by its capacity, which overwrites the
 * record it reads from; keep `bytes`, which is the ring's own.
 */
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

/** A collector flow's entry, made from its slot; its encoding is kept in the slot. */
class SlotEntry implements RingEntry {
  readonly seq: number;
  readonly ev: SourceEvent;
  private time: Timestamp | undefined | typeof UNPARSED = UNPARSED;
  readonly #slots: FlowSlots;
  readonly #i: number;
  constructor(seq: number, flow: Flow, slots: FlowSlots, i: number) {
    this.seq = seq;
    this.ev = { kind: 'flow', flow };
    this.#slots = slots;
    this.#i = i;
  }

  get ts(): Timestamp | undefined {
    if (this.time === UNPARSED) this.time = eventTimestamp(this.ev);
    return this.time;
  }
  get bytes(): Buffer | undefined {
    return this.#slots.encoded[this.#i];
  }
  set bytes(b: Buffer | undefined) {
    this.#slots.encoded[this.#i] = b;
  }
}

/** Bytes of a slot: the largest flow record (an L7 record, 240 bytes) rounded up. */
const SLOT_BYTES = 256;

/**
 * What enrichment assigns to a flow (src/streams/enrich.ts) as own properties, which a
 * slot keeps beside its record (node_name, source and destination a lazy flow keeps
 * itself: LazyRecord). A flow with anything else assigned is kept as an object.
 */
const OWN_KEYS = ['source_service', 'destination_service'] as const;
/** Per slot: node_name, source, destination (DECODED: not assigned), then OWN_KEYS (DECODED likewise). */
const NAMED = 3 + OWN_KEYS.length;

/** The slotted flows' storage, parallel arrays indexed by slot; made on the first such flow. */
class FlowSlots {
  /** Each slot's record bytes, at i * SLOT_BYTES. */
  readonly arena: Buffer;
  readonly ctx: (LazyRecord['ctx'])[];
  /** The uuid's number, or NaN when it is text (then in uuidText). */
  readonly uuid: Float64Array;
  readonly uuidText: (string | undefined)[];
  /** 0 conn, 1 L7, 2 L7 with a process (LazyRecord.l7), +4 when folded. */
  readonly kind: Uint8Array;
  /** Per slot NAMED values. */
  readonly named: unknown[];
  /** Whether slot i has anything assigned (so that most reads skip NAMED_KEYS). */
  readonly hasNamed: Uint8Array;
  readonly encoded: (Buffer | undefined)[];

  constructor(capacity: number) {
    this.arena = Buffer.alloc(capacity * SLOT_BYTES);
    this.ctx = new Array<LazyRecord['ctx']>(capacity).fill(undefined);
    this.uuid = new Float64Array(capacity);
    this.uuidText = new Array<string | undefined>(capacity).fill(undefined);
    this.kind = new Uint8Array(capacity);
    this.named = new Array<unknown>(capacity * NAMED).fill(DECODED);
    this.hasNamed = new Uint8Array(capacity);
    this.encoded = new Array<Buffer | undefined>(capacity).fill(undefined);
  }
}

/** Scratch for lazyRecordOf: filled and read within one push. */
const REC = new LazyRecord();
const OUT = new LazyRecord();

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
  /** Events kept as objects; undefined where the slot holds a collector flow (or nothing). */
  private readonly slots: (Entry | undefined)[];
  private flowSlots: FlowSlots | undefined = undefined;
  private next = 0;
  private evicted = 0;
  /** [evicted count so far, time of the entry evicted then], oldest first. */
  private checkpoints: [number, Timestamp][] = [];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`ring capacity must be a positive integer, not ${capacity}`);
    this.capacity = capacity;
    this.slots = new Array<Entry | undefined>(capacity).fill(undefined);
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

  /** Adds an event; returns its seq. */
  push(ev: SourceEvent): number {
    const seq = this.next;
    const i = seq % this.capacity;
    if (seq >= this.capacity) {
      this.evicted++;
      const oldTs = this.evicted % CHECKPOINT_EVERY === 0 ? this.at(seq - this.capacity)?.ts : undefined;
      if (oldTs !== undefined) {
        this.checkpoints.push([this.evicted, oldTs]);
        if (this.checkpoints.length > MAX_CHECKPOINTS) this.checkpoints = this.checkpoints.slice(MAX_CHECKPOINTS / 2);
      }
    }
    if (ev.kind === 'flow' && this.slotFlow(ev.flow, i)) {
      this.slots[i] = undefined;
    } else {
      this.slots[i] = new Entry(seq, ev);
      if (this.flowSlots !== undefined) this.clearSlot(this.flowSlots, i);
    }
    this.next++;
    return seq;
  }

  /**
   * The entry with this seq, or undefined when it was overwritten or not written yet.
   * A collector flow's entry is made anew by each call (see RingEntry).
   */
  at(seq: number): RingEntry | undefined {
    if (seq < this.oldestSeq || seq >= this.next) return undefined;
    const i = seq % this.capacity;
    return this.slots[i] ?? this.slotEntry(seq, i);
  }

  /** Keeps f in slot i as its record and what was assigned to it; false when it cannot. */
  private slotFlow(f: Flow, i: number): boolean {
    if (!lazyRecordOf(f, REC)) return false;
    const size = REC.buf.readUInt32LE(REC.at + 4);
    if (size > SLOT_BYTES || REC.at + size > REC.buf.length) return false;
    const own = Object.keys(f);
    for (const k of own) if (!(OWN_KEYS as readonly string[]).includes(k)) return false;
    const s = (this.flowSlots ??= new FlowSlots(this.capacity));
    REC.buf.copy(s.arena, i * SLOT_BYTES, REC.at, REC.at + size);
    s.ctx[i] = REC.ctx;
    if (typeof REC.uuid === 'number') {
      s.uuid[i] = REC.uuid;
      s.uuidText[i] = undefined;
    } else {
      s.uuid[i] = NaN;
      s.uuidText[i] = REC.uuid;
    }
    s.kind[i] = REC.l7 + (REC.folded ? 4 : 0);
    s.encoded[i] = undefined;
    const named = own.length > 0 || REC.nodeName !== DECODED || REC.source !== DECODED || REC.destination !== DECODED;
    if (named || s.hasNamed[i] === 1) {
      const at = i * NAMED;
      s.named[at] = REC.nodeName;
      s.named[at + 1] = REC.source;
      s.named[at + 2] = REC.destination;
      const r = f as unknown as Record<string, unknown>;
      for (let k = 0; k < OWN_KEYS.length; k++) {
        const key = OWN_KEYS[k]!;
        s.named[at + 3 + k] = own.length > 0 && Object.hasOwn(r, key) ? r[key] : DECODED;
      }
    }
    s.hasNamed[i] = named ? 1 : 0;
    // Release the loader's chunk the record was a view into.
    REC.buf = OUT.buf;
    REC.ctx = undefined;
    REC.nodeName = REC.source = REC.destination = DECODED;
    return true;
  }

  private clearSlot(s: FlowSlots, i: number): void {
    s.ctx[i] = undefined;
    s.uuidText[i] = undefined;
    s.encoded[i] = undefined;
    if (s.hasNamed[i] === 1) s.named.fill(DECODED, i * NAMED, (i + 1) * NAMED);
    s.hasNamed[i] = 0;
  }

  private slotEntry(seq: number, i: number): RingEntry | undefined {
    const s = this.flowSlots;
    if (s === undefined) return undefined;
    OUT.buf = s.arena;
    OUT.at = i * SLOT_BYTES;
    OUT.ctx = s.ctx[i];
    const n = s.uuid[i]!;
    OUT.uuid = Number.isNaN(n) ? s.uuidText[i]! : n;
    const kind = s.kind[i]!;
    OUT.l7 = (kind & 3) as 0 | 1 | 2;
    OUT.folded = (kind & 4) !== 0;
    const named = s.hasNamed[i] === 1;
    const at = i * NAMED;
    if (named) {
      OUT.nodeName = s.named[at] as LazyRecord['nodeName'];
      OUT.source = s.named[at + 1] as LazyRecord['source'];
      OUT.destination = s.named[at + 2] as LazyRecord['destination'];
    }
    const flow = lazyFlowOf(OUT);
    OUT.ctx = undefined;
    OUT.nodeName = OUT.source = OUT.destination = DECODED;
    if (named) {
      const r = flow as unknown as Record<string, unknown>;
      for (let k = 0; k < OWN_KEYS.length; k++) {
        const v = s.named[at + 3 + k];
        if (v !== DECODED) r[OWN_KEYS[k]!] = v;
      }
    }
    return new SlotEntry(seq, flow, s, i);
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
