// Flows that decode on first read: the collector's conn and L7 flows hold their
// record's bytes (a view into the loader's chunk, which nothing writes again: each
// read from the pipe is a fresh buffer) and decode each top-level field when it is
// first read, then keep it. A flow nobody reads (an agent's ring with no client, a
// flow a filter drops after reading its verdict) never builds its time text, uuid,
// Summary, HTTP fields or process counters.
//
// They behave as the plain flows eager decoding gives (to-flow.ts): the same values,
// `in` true for the same keys (one class per set of keys), fields assignable (an
// assigned value shadows the decoded one), JSON.stringify and util.inspect through
// materialize(). What a plain object does and these cannot: spread, Object.keys and
// structuredClone see no decoded field, nor an assigned node_name, source or destination
// (kept in private fields: see DECODED); model/plain-flow.ts (plainFlow, copyFlow) is
// the way for code that enumerates or copies flows.
//
// What could change between decoding and reading is fixed at decoding: the clock
// offset (a clock record makes the mapper a new context) and the uuid's number.
// Address, process-name and summary texts are pure functions of the bytes.
import type { CiliumEventType, Endpoint, Flow, IP, Layer4, Layer7, NetscopeExtension, TraceObservationPoint, TrafficDirection } from '../model/flow.ts';
import { DEFERRED } from '../model/plain-flow.ts';
import { formatAddress } from './address.ts';
import type { FlowUuids } from './flow-uuid.ts';
import { EVENT_FROM_ENDPOINT, EVENT_L7, EVENT_TO_ENDPOINT, NO_ENDPOINT, connExtension, connSummary, connTcpFlags, ipOf, l7Layer, l7Summary } from './flow-parts.ts';
import { ConnFields, L7Fields, connAt, l7At, l7OfClose } from './record-fields.ts';
import { CONN, ConnFlag, L7, RecType, TUPLE, comm, u16be, u32, u64 } from './records.ts';
import type { WallClock } from './wall-clock.ts';

/** What a lazy flow needs from its mapper, as it was when the record was decoded. */
export interface LazyContext {
  readonly nodeName: string;
  /** The clock with the offset current at decoding (a clock record makes a new context). */
  readonly clock: WallClock;
  readonly uuids: FlowUuids;
}

// Scratch records for the fields decoded through the eager helpers: filled and read
// within one getter call, never kept.
const CONN_SCRATCH = new ConnFields();
const L7_SCRATCH = new L7Fields();

/** Keys in the order eager decoding writes them (JSON output follows it). */
const CONN_KEYS = ['time', 'uuid', 'node_name', 'IP', 'source', 'destination', 'verdict', 'Type', 'event_type', 'trace_observation_point', 'l4', 'is_reply', 'traffic_direction', 'socket_cookie', 'Summary', 'netscope'] as const;
const L7_KEYS = ['time', 'uuid', 'node_name', 'IP', 'source', 'destination', 'verdict', 'Type', 'event_type', 'l4', 'is_reply', 'traffic_direction', 'socket_cookie', 'l7', 'Summary'] as const;
const L7_PROC_KEYS = [...L7_KEYS, 'netscope'] as const;

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A lazy flow's record, for an encoder that writes the flow's fields straight from it
 * (src/grpc/wire/encode-lazy.ts) instead of building each field's object first.
 * Filled in place by lazyRecord; `l7` is 0 for a conn flow, 1 for an L7 flow, 2 for
 * an L7 flow with a netscope field (LazyL7ProcFlow).
 */
export class LazyRecord {
  buf: Buffer = Buffer.alloc(0);
  at = 0;
  ctx: LazyContext | undefined = undefined;
  /** The uuid's number, or its text once read (or when given as text). */
  uuid: number | string = 0;
  l7: 0 | 1 | 2 = 0;
  folded = false;
  /** What was assigned to node_name, source and destination, or DECODED. */
  nodeName: string | undefined | typeof DECODED = DECODED;
  source: Endpoint | undefined | typeof DECODED = DECODED;
  destination: Endpoint | undefined | typeof DECODED = DECODED;
}

/**
 * Where nothing was assigned to node_name, source or destination. Those three are what
 * enrichment names (on a node agent, every flow), so they are kept in private fields
 * instead of own properties: defining own properties on every flow was most of what
 * naming a flow cost. The other fields an assignment makes own properties (assign).
 */
export const DECODED: unique symbol = Symbol('decoded');

// Set in the classes' static blocks: the only code outside them that reads their private fields.
let connRecord: (f: LazyConnFlow, out: LazyRecord) => void;
let l7Record: (f: LazyL7Flow, out: LazyRecord) => void;

/**
 * Fills `out` with f's record when f is a lazy conn or L7 flow with nothing assigned to
 * it (its every field is what its record says); false otherwise, out left as it was.
 */
export function lazyRecord(f: Flow, out: LazyRecord): boolean {
  if (!(f instanceof LazyConnFlow || f instanceof LazyL7Flow) || Object.keys(f).length !== 0) return false;
  lazyRecordOf(f, PROBE);
  const named = PROBE.nodeName !== DECODED || PROBE.source !== DECODED || PROBE.destination !== DECODED;
  if (!named) lazyRecordOf(f, out);
  PROBE.buf = EMPTY;
  PROBE.ctx = undefined;
  return !named;
}

const EMPTY = Buffer.alloc(0);
/** lazyRecord's scratch: filled and read within one call. */
const PROBE = new LazyRecord();

/**
 * Fills `out` with f's record when f is a lazy conn or L7 flow, whatever was assigned to
 * it (node_name, source and destination into `out`; the rest are f's own properties, which
 * a ring keeps beside the record); false otherwise.
 */
export function lazyRecordOf(f: Flow, out: LazyRecord): boolean {
  if (f instanceof LazyConnFlow) {
    connRecord(f, out);
    return true;
  }
  if (f instanceof LazyL7Flow) {
    l7Record(f, out);
    return true;
  }
  return false;
}

/**
 * The flow of a record that lazyRecordOf read (its bytes possibly copied elsewhere since,
 * `buf` and `at` saying where): the same class and fields, nothing assigned.
 */
export function lazyFlowOf(rec: LazyRecord): Flow {
  if (rec.ctx === undefined) throw new Error('lazyFlowOf: a record without its decoding context');
  if (rec.l7 === 0) return new LazyConnFlow(rec.buf, rec.at, rec.ctx, rec.uuid, rec);
  if (rec.l7 === 2) return new LazyL7ProcFlow(rec.buf, rec.at, rec.folded, rec.ctx, rec.uuid, rec);
  return new LazyL7Flow(rec.buf, rec.at, rec.folded, rec.ctx, rec.uuid, rec);
}

/** The names a flow was given (LazyRecord's nodeName, source, destination). */
interface Named {
  readonly nodeName: string | undefined | typeof DECODED;
  readonly source: Endpoint | undefined | typeof DECODED;
  readonly destination: Endpoint | undefined | typeof DECODED;
}

/** An assignment to a decoded field: an own property, which shadows the getter from then on. */
function assign(f: object, key: string, value: unknown): void {
  Object.defineProperty(f, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The decoded keys in order, then what was assigned (own properties: overrides keep their place). */
function materialize(f: object, keys: readonly string[]): Flow {
  const r = f as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = r[k];
  for (const k of Object.keys(f)) out[k] = r[k];
  return out as Flow;
}

function ipAt(buf: Buffer, at: number, swap: boolean): IP {
  const family = buf[at + TUPLE.family] === 6 ? 6 : 4;
  const s = formatAddress(buf, at + TUPLE.saddr, family);
  const d = formatAddress(buf, at + TUPLE.daddr, family);
  return swap ? ipOf(d, s, family) : ipOf(s, d, family);
}

/** A conn record's flow (open or close summary). */
export class LazyConnFlow implements Flow {
  readonly #buf: Buffer;
  readonly #at: number;
  readonly #ctx: LazyContext;
  /** The uuid's number until it is read, then its text. */
  #uuid: number | string;
  #time: string | undefined = undefined;
  #ip: IP | undefined = undefined;
  #l4: Layer4 | undefined = undefined;
  #ext: NetscopeExtension | undefined = undefined;
  #nodeName: string | undefined | typeof DECODED;
  #source: Endpoint | undefined | typeof DECODED;
  #destination: Endpoint | undefined | typeof DECODED;

  static {
    connRecord = (f, out) => {
      out.buf = f.#buf;
      out.at = f.#at;
      out.ctx = f.#ctx;
      out.uuid = f.#uuid;
      out.l7 = 0;
      out.folded = false;
      out.nodeName = f.#nodeName;
      out.source = f.#source;
      out.destination = f.#destination;
    };
  }

  constructor(buf: Buffer, at: number, ctx: LazyContext, uuid: number | string, named?: Named) {
    this.#buf = buf;
    this.#at = at;
    this.#ctx = ctx;
    this.#uuid = uuid;
    this.#nodeName = named === undefined ? DECODED : named.nodeName;
    this.#source = named === undefined ? DECODED : named.source;
    this.#destination = named === undefined ? DECODED : named.destination;
  }

  #flags(): number {
    return u32(this.#buf, this.#at + CONN.flags);
  }
  #open(): boolean {
    return u32(this.#buf, this.#at) === RecType.ConnOpen;
  }
  #passive(): boolean {
    return (this.#flags() & ConnFlag.Passive) !== 0;
  }

  get time(): string {
    return (this.#time ??= this.#ctx.clock.timeAt(u32(this.#buf, this.#at + 8), u32(this.#buf, this.#at + 12)));
  }
  set time(v: string | undefined) {
    assign(this, 'time', v);
  }
  get uuid(): string {
    const u = this.#uuid;
    return typeof u === 'string' ? u : (this.#uuid = this.#ctx.uuids.text(u));
  }
  set uuid(v: string | undefined) {
    assign(this, 'uuid', v);
  }
  get node_name(): string | undefined {
    const v = this.#nodeName;
    return v === DECODED ? this.#ctx.nodeName : v;
  }
  set node_name(v: string | undefined) {
    this.#nodeName = v;
  }
  get IP(): IP {
    return (this.#ip ??= ipAt(this.#buf, this.#at, false));
  }
  set IP(v: IP | undefined) {
    assign(this, 'IP', v);
  }
  get source(): Endpoint | undefined {
    const v = this.#source;
    return v === DECODED ? NO_ENDPOINT : v;
  }
  set source(v: Endpoint | undefined) {
    this.#source = v;
  }
  get destination(): Endpoint | undefined {
    const v = this.#destination;
    return v === DECODED ? NO_ENDPOINT : v;
  }
  set destination(v: Endpoint | undefined) {
    this.#destination = v;
  }
  get verdict(): 'FORWARDED' {
    return 'FORWARDED';
  }
  set verdict(v: Flow['verdict']) {
    assign(this, 'verdict', v);
  }
  get Type(): 'L3_L4' {
    return 'L3_L4';
  }
  set Type(v: Flow['Type']) {
    assign(this, 'Type', v);
  }
  get event_type(): CiliumEventType {
    return this.#passive() ? EVENT_TO_ENDPOINT : EVENT_FROM_ENDPOINT;
  }
  set event_type(v: CiliumEventType | undefined) {
    assign(this, 'event_type', v);
  }
  get trace_observation_point(): TraceObservationPoint {
    return this.#passive() ? 'TO_ENDPOINT' : 'FROM_ENDPOINT';
  }
  set trace_observation_point(v: TraceObservationPoint | undefined) {
    assign(this, 'trace_observation_point', v);
  }
  get l4(): Layer4 {
    const b = this.#buf;
    const at = this.#at;
    return (this.#l4 ??= { TCP: { source_port: u16be(b, at + TUPLE.sport), destination_port: u16be(b, at + TUPLE.dport), flags: connTcpFlags(this.#flags(), this.#open()) } });
  }
  set l4(v: Layer4 | undefined) {
    assign(this, 'l4', v);
  }
  get is_reply(): boolean {
    return this.#passive();
  }
  set is_reply(v: boolean | undefined) {
    assign(this, 'is_reply', v);
  }
  get traffic_direction(): TrafficDirection {
    return this.#passive() ? 'INGRESS' : 'EGRESS';
  }
  set traffic_direction(v: TrafficDirection | undefined) {
    assign(this, 'traffic_direction', v);
  }
  get socket_cookie(): number {
    return u64(this.#buf, this.#at + CONN.cookie);
  }
  set socket_cookie(v: number | undefined) {
    assign(this, 'socket_cookie', v);
  }
  get Summary(): string {
    return connSummary(this.#flags(), this.#open());
  }
  set Summary(v: string | undefined) {
    assign(this, 'Summary', v);
  }
  get netscope(): NetscopeExtension {
    return (this.#ext ??= connExtension(connAt(CONN_SCRATCH, this.#buf, this.#at, this.#open()), this.#passive()));
  }
  set netscope(v: NetscopeExtension | undefined) {
    assign(this, 'netscope', v);
  }

  get [DEFERRED](): true {
    return true;
  }
  materialize(): Flow {
    return materialize(this, CONN_KEYS);
  }
  copy(): Flow {
    const c = new LazyConnFlow(this.#buf, this.#at, this.#ctx, this.#uuid, { nodeName: this.#nodeName, source: this.#source, destination: this.#destination });
    c.#time = this.#time;
    c.#ip = this.#ip;
    c.#l4 = this.#l4;
    c.#ext = this.#ext;
    return Object.assign(c, this);
  }
  toJSON(): Flow {
    return this.materialize();
  }
  [INSPECT](): Flow {
    return this.materialize();
  }
}

/**
 * An L7 flow: from an L7 record, or from the request/response pair a close record
 * carries (folded: ConnFlag.L7Folded | L7Own), as eager decoding gives them.
 */
export class LazyL7Flow implements Flow {
  readonly #buf: Buffer;
  readonly #at: number;
  readonly #ctx: LazyContext;
  readonly #folded: boolean;
  #uuid: number | string;
  #time: string | undefined = undefined;
  #ip: IP | undefined = undefined;
  #l4: Layer4 | undefined = undefined;
  #l7: Layer7 | undefined = undefined;
  #summary: string | undefined = undefined;
  #ext: NetscopeExtension | undefined = undefined;

  #nodeName: string | undefined | typeof DECODED;
  #source: Endpoint | undefined | typeof DECODED;
  #destination: Endpoint | undefined | typeof DECODED;

  static {
    l7Record = (f, out) => {
      out.buf = f.#buf;
      out.at = f.#at;
      out.ctx = f.#ctx;
      out.uuid = f.#uuid;
      out.l7 = f instanceof LazyL7ProcFlow ? 2 : 1;
      out.folded = f.#folded;
      out.nodeName = f.#nodeName;
      out.source = f.#source;
      out.destination = f.#destination;
    };
  }

  constructor(buf: Buffer, at: number, folded: boolean, ctx: LazyContext, uuid: number | string, named?: Named) {
    this.#buf = buf;
    this.#at = at;
    this.#folded = folded;
    this.#ctx = ctx;
    this.#uuid = uuid;
    this.#nodeName = named === undefined ? DECODED : named.nodeName;
    this.#source = named === undefined ? DECODED : named.source;
    this.#destination = named === undefined ? DECODED : named.destination;
  }

  /** The observing socket sent the request (client side). */
  #reqEgress(): boolean {
    return this.#folded ? (u32(this.#buf, this.#at + CONN.flags) & ConnFlag.L7ReqEgress) !== 0 : u32(this.#buf, this.#at + L7.reqEgress) === 1;
  }
  #layer(): Layer7 {
    if (this.#l7 === undefined) {
      const b = this.#buf;
      const at = this.#at;
      this.#l7 = l7Layer(this.#folded ? l7OfClose(L7_SCRATCH, connAt(CONN_SCRATCH, b, at, false)) : l7At(L7_SCRATCH, b, at));
    }
    return this.#l7;
  }
  /** The process fields (subclass LazyL7ProcFlow: pid not 0). */
  protected process(): NetscopeExtension {
    const b = this.#buf;
    const at = this.#at;
    return (this.#ext ??= this.#folded ? { pid: u32(b, at + CONN.pid), comm: comm(b, at + CONN.comm) } : { pid: u32(b, at + L7.pid), comm: comm(b, at + L7.comm) });
  }
  protected keys(): readonly string[] {
    return L7_KEYS;
  }

  get time(): string {
    const b = this.#buf;
    const ts = this.#folded ? this.#at + CONN.l7RespNs : this.#at + 8;
    return (this.#time ??= this.#ctx.clock.timeAt(u32(b, ts), u32(b, ts + 4)));
  }
  set time(v: string | undefined) {
    assign(this, 'time', v);
  }
  get uuid(): string {
    const u = this.#uuid;
    return typeof u === 'string' ? u : (this.#uuid = this.#ctx.uuids.text(u));
  }
  set uuid(v: string | undefined) {
    assign(this, 'uuid', v);
  }
  get node_name(): string | undefined {
    const v = this.#nodeName;
    return v === DECODED ? this.#ctx.nodeName : v;
  }
  set node_name(v: string | undefined) {
    this.#nodeName = v;
  }
  /** The response's direction: server -> client. */
  get IP(): IP {
    return (this.#ip ??= ipAt(this.#buf, this.#at, this.#reqEgress()));
  }
  set IP(v: IP | undefined) {
    assign(this, 'IP', v);
  }
  get source(): Endpoint | undefined {
    const v = this.#source;
    return v === DECODED ? NO_ENDPOINT : v;
  }
  set source(v: Endpoint | undefined) {
    this.#source = v;
  }
  get destination(): Endpoint | undefined {
    const v = this.#destination;
    return v === DECODED ? NO_ENDPOINT : v;
  }
  set destination(v: Endpoint | undefined) {
    this.#destination = v;
  }
  get verdict(): 'FORWARDED' {
    return 'FORWARDED';
  }
  set verdict(v: Flow['verdict']) {
    assign(this, 'verdict', v);
  }
  get Type(): 'L7' {
    return 'L7';
  }
  set Type(v: Flow['Type']) {
    assign(this, 'Type', v);
  }
  get event_type(): CiliumEventType {
    return EVENT_L7;
  }
  set event_type(v: CiliumEventType | undefined) {
    assign(this, 'event_type', v);
  }
  get l4(): Layer4 {
    if (this.#l4 === undefined) {
      const local = u16be(this.#buf, this.#at + TUPLE.sport);
      const remote = u16be(this.#buf, this.#at + TUPLE.dport);
      this.#l4 = this.#reqEgress() ? { TCP: { source_port: remote, destination_port: local } } : { TCP: { source_port: local, destination_port: remote } };
    }
    return this.#l4;
  }
  set l4(v: Layer4 | undefined) {
    assign(this, 'l4', v);
  }
  get is_reply(): true {
    return true;
  }
  set is_reply(v: boolean | undefined) {
    assign(this, 'is_reply', v);
  }
  get traffic_direction(): TrafficDirection {
    return this.#reqEgress() ? 'EGRESS' : 'INGRESS';
  }
  set traffic_direction(v: TrafficDirection | undefined) {
    assign(this, 'traffic_direction', v);
  }
  get socket_cookie(): number {
    // The cookie has the same offset in both records.
    return u64(this.#buf, this.#at + (this.#folded ? CONN.cookie : L7.cookie));
  }
  set socket_cookie(v: number | undefined) {
    assign(this, 'socket_cookie', v);
  }
  get l7(): Layer7 {
    return this.#layer();
  }
  set l7(v: Layer7 | undefined) {
    assign(this, 'l7', v);
  }
  get Summary(): string {
    return (this.#summary ??= l7Summary(this.#layer()));
  }
  set Summary(v: string | undefined) {
    assign(this, 'Summary', v);
  }

  get [DEFERRED](): true {
    return true;
  }
  materialize(): Flow {
    return materialize(this, this.keys());
  }
  copy(): Flow {
    const C = this.constructor as new (buf: Buffer, at: number, folded: boolean, ctx: LazyContext, uuid: number | string, named?: Named) => LazyL7Flow;
    const c = new C(this.#buf, this.#at, this.#folded, this.#ctx, this.#uuid, { nodeName: this.#nodeName, source: this.#source, destination: this.#destination });
    c.#time = this.#time;
    c.#ip = this.#ip;
    c.#l4 = this.#l4;
    c.#l7 = this.#l7;
    c.#summary = this.#summary;
    c.#ext = this.#ext;
    return Object.assign(c, this);
  }
  toJSON(): Flow {
    return this.materialize();
  }
  [INSPECT](): Flow {
    return this.materialize();
  }
}

/** An L7 flow whose socket's process is known: it has a netscope field (pid, comm). */
export class LazyL7ProcFlow extends LazyL7Flow {
  get netscope(): NetscopeExtension {
    return this.process();
  }
  set netscope(v: NetscopeExtension | undefined) {
    assign(this, 'netscope', v);
  }
  protected override keys(): readonly string[] {
    return L7_PROC_KEYS;
  }
}

/** The L7 flow of the record at `at`: an L7 record, or a close record's folded pair. */
export function lazyL7Flow(buf: Buffer, at: number, folded: boolean, ctx: LazyContext, uuid: number | string): LazyL7Flow {
  const pid = u32(buf, at + (folded ? CONN.pid : L7.pid));
  return pid !== 0 ? new LazyL7ProcFlow(buf, at, folded, ctx, uuid) : new LazyL7Flow(buf, at, folded, ctx, uuid);
}
