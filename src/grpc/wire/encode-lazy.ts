// The collector's lazy flows (bpf-bridge/lazy-flow.ts) as GetFlowsResponse bytes straight
// from their loader record: what the agent sends for every flow when a client follows.
// encodeFlow on a lazy flow reads every getter, so each field was first built as the
// model's text and objects (time text parsed back to seconds, IP, l4, extension objects)
// and then encoded; here the record's numbers are written as they are, the parts that
// are the same for every flow of a kind are copied as bytes made once, and only the
// texts the wire carries (addresses, uuid, summary) are made.
// The bytes are encodeGetFlowsResponse's for the same flow as a plain object
// (test/unit/grpc/wire-encode-lazy.test.ts, test/integration/bpf/lazy.test.ts).
import { formatAddress } from '../../bpf-bridge/address.ts';
import { EVENT_FROM_ENDPOINT, EVENT_L7, EVENT_TO_ENDPOINT, connExtension, connSummary, connTcpFlags } from '../../bpf-bridge/flow-parts.ts';
import { LazyRecord, lazyRecord } from '../../bpf-bridge/lazy-flow.ts';
import { connAt, ConnFields } from '../../bpf-bridge/record-fields.ts';
import { CONN, ConnFlag, L7, RecType, TUPLE, comm, u16be, u32 as u32At, u64 as u64At } from '../../bpf-bridge/records.ts';
import { TCP_FLAG_NAMES, type Flow, type TCPFlags } from '../../model/flow.ts';
import { bool, encodeTimestamp, extension, i32, layer7, str, u32, u64 } from './encode-flow.ts';
import { ENUMS, enumNumber } from './enums.ts';
import * as F from './fields.ts';
import { parseTime } from './time.ts';
import { WireWriter } from './writer.ts';

const LEN = F.WT.LEN;

/** Bytes made once with the writer's own methods (kept: the slab is never written again). */
function made(write: (w: WireWriter) => void): Buffer {
  const w = new WireWriter();
  write(w);
  return Buffer.from(w.finish());
}

const FORWARDED = made((w) => i32(w, F.FLOW.verdict, enumNumber(ENUMS.verdict, 'FORWARDED')));
const IPV4 = enumNumber(ENUMS.ipVersion, 'IPv4');
const IPV6 = enumNumber(ENUMS.ipVersion, 'IPv6');

/** source and destination (no endpoint: the collector knows none), then Type. */
const ENDPOINTS_L3_L4 = made((w) => {
  w.end(w.begin(F.FLOW.source));
  w.end(w.begin(F.FLOW.destination));
  i32(w, F.FLOW.Type, enumNumber(ENUMS.flowType, 'L3_L4'));
});
const ENDPOINTS_L7 = made((w) => {
  w.end(w.begin(F.FLOW.source));
  w.end(w.begin(F.FLOW.destination));
  i32(w, F.FLOW.Type, enumNumber(ENUMS.flowType, 'L7'));
});

function eventType(w: WireWriter, et: { type?: number; sub_type?: number }): void {
  const n = w.begin(F.FLOW.event_type);
  i32(w, F.CILIUM_EVENT_TYPE.type, et.type);
  i32(w, F.CILIUM_EVENT_TYPE.sub_type, et.sub_type);
  w.end(n);
}

function isReply(w: WireWriter, v: boolean): void {
  const n = w.begin(F.FLOW.is_reply);
  bool(w, F.WRAPPER.value, v);
  w.end(n);
}

/** event_type, traffic_direction, trace_observation_point, is_reply of a conn flow: by its socket's side. */
function connSide(passive: boolean): Buffer {
  return made((w) => {
    eventType(w, passive ? EVENT_TO_ENDPOINT : EVENT_FROM_ENDPOINT);
    i32(w, F.FLOW.traffic_direction, enumNumber(ENUMS.direction, passive ? 'INGRESS' : 'EGRESS'));
    i32(w, F.FLOW.trace_observation_point, enumNumber(ENUMS.obsPoint, passive ? 'TO_ENDPOINT' : 'FROM_ENDPOINT'));
    isReply(w, passive);
  });
}
const CONN_PASSIVE = connSide(true);
const CONN_ACTIVE = connSide(false);

/** event_type, traffic_direction, is_reply of an L7 flow: by who sent the request. */
function l7Side(reqEgress: boolean): Buffer {
  return made((w) => {
    eventType(w, EVENT_L7);
    i32(w, F.FLOW.traffic_direction, enumNumber(ENUMS.direction, reqEgress ? 'EGRESS' : 'INGRESS'));
    isReply(w, true);
  });
}
const L7_EGRESS = l7Side(true);
const L7_INGRESS = l7Side(false);

/** The Ports.flags message of each of the few shared flag objects connTcpFlags gives. */
const flagBytes = new Map<TCPFlags, Buffer>();
function tcpFlags(flags: TCPFlags): Buffer {
  let b = flagBytes.get(flags);
  if (b === undefined) {
    b = made((w) => {
      const f = w.begin(F.PORTS.flags);
      for (let i = 0; i < TCP_FLAG_NAMES.length; i++) bool(w, F.TCP_FLAGS_FIRST + i, flags[TCP_FLAG_NAMES[i]!]);
      w.end(f);
    });
    flagBytes.set(flags, b);
  }
  return b;
}

/** Conn summaries are a handful of constant texts: their Summary field, made once each. */
const summaryBytes = new Map<string, Buffer>();
function connSummaryField(w: WireWriter, s: string): void {
  let b = summaryBytes.get(s);
  if (b === undefined) {
    b = made((x) => str(x, F.FLOW.Summary, s));
    if (summaryBytes.size < 64) summaryBytes.set(s, b);
  }
  w.bytes(b);
}

const TS = { seconds: 0, nanos: 0 };
const REC = new LazyRecord();
const NO_BYTES = Buffer.alloc(0);
const CONN_SCRATCH = new ConnFields();

/** The flow's time into TS: from the clock, or (before 1970, after 9999) parsed from its text as encodeFlow does. */
function time(rec: LazyRecord, f: Flow, off: number): boolean {
  if (rec.ctx!.clock.timestampAt(u32At(rec.buf, off), u32At(rec.buf, off + 4), TS)) return true;
  const t = f.time === undefined ? undefined : parseTime(f.time);
  if (t === undefined) return false;
  TS.seconds = t.seconds;
  TS.nanos = t.nanos;
  return true;
}

function ip(w: WireWriter, buf: Buffer, at: number, swap: boolean): void {
  const family = buf[at + TUPLE.family] === 6 ? 6 : 4;
  const s = formatAddress(buf, at + TUPLE.saddr, family);
  const d = formatAddress(buf, at + TUPLE.daddr, family);
  const n = w.begin(F.FLOW.IP);
  str(w, F.IP.source, swap ? d : s);
  str(w, F.IP.destination, swap ? s : d);
  // As ipOf: IPv4-mapped peers are printed as IPv4, so the version goes by the text.
  i32(w, F.IP.ipVersion, family === 4 || !s.includes(':') ? IPV4 : IPV6);
  w.end(n);
}

function ports(w: WireWriter, src: number, dst: number, flags: TCPFlags | undefined): void {
  const m = w.begin(F.FLOW.l4);
  const t = w.begin(F.LAYER4.TCP);
  u32(w, F.PORTS.source_port, src);
  u32(w, F.PORTS.destination_port, dst);
  if (flags !== undefined) w.bytes(tcpFlags(flags));
  w.end(t);
  w.end(m);
}

function uuidText(rec: LazyRecord): string {
  const u = rec.uuid;
  return typeof u === 'string' ? u : rec.ctx!.uuids.text(u);
}

function connFlow(w: WireWriter, rec: LazyRecord, f: Flow, nodeName: string): boolean {
  const { buf, at } = rec;
  const flags = u32At(buf, at + CONN.flags);
  const open = u32At(buf, at) === RecType.ConnOpen;
  const passive = (flags & ConnFlag.Passive) !== 0;
  const hasTime = time(rec, f, at + 8);
  if (hasTime) encodeTimestamp(w, F.FLOW.time, TS);
  w.bytes(FORWARDED);
  ip(w, buf, at, false);
  ports(w, u16be(buf, at + TUPLE.sport), u16be(buf, at + TUPLE.dport), connTcpFlags(flags, open));
  w.bytes(ENDPOINTS_L3_L4);
  str(w, F.FLOW.node_name, nodeName);
  w.bytes(passive ? CONN_PASSIVE : CONN_ACTIVE);
  u64(w, F.FLOW.socket_cookie, u64At(buf, at + CONN.cookie));
  str(w, F.FLOW.uuid, uuidText(rec));
  connSummaryField(w, connSummary(flags, open));
  extension(w, connExtension(connAt(CONN_SCRATCH, buf, at, open), passive));
  return hasTime;
}

function l7Flow(w: WireWriter, rec: LazyRecord, f: Flow, nodeName: string): boolean {
  const { buf, at, folded } = rec;
  const reqEgress = folded ? (u32At(buf, at + CONN.flags) & ConnFlag.L7ReqEgress) !== 0 : u32At(buf, at + L7.reqEgress) === 1;
  const hasTime = time(rec, f, folded ? at + CONN.l7RespNs : at + 8);
  if (hasTime) encodeTimestamp(w, F.FLOW.time, TS);
  w.bytes(FORWARDED);
  // The response's direction: server -> client.
  ip(w, buf, at, reqEgress);
  const local = u16be(buf, at + TUPLE.sport);
  const remote = u16be(buf, at + TUPLE.dport);
  if (reqEgress) ports(w, remote, local, undefined);
  else ports(w, local, remote, undefined);
  w.bytes(ENDPOINTS_L7);
  str(w, F.FLOW.node_name, nodeName);
  // The HTTP fields and their summary are text the wire carries: the flow's own, decoded once.
  layer7(w, f.l7);
  w.bytes(reqEgress ? L7_EGRESS : L7_INGRESS);
  // The cookie has the same offset in both records.
  u64(w, F.FLOW.socket_cookie, u64At(buf, at + (folded ? CONN.cookie : L7.cookie)));
  str(w, F.FLOW.uuid, uuidText(rec));
  str(w, F.FLOW.Summary, f.Summary);
  if (rec.l7 === 2) {
    const m = w.begin(F.FLOW.netscope);
    u32(w, F.FLOW_EXTENSION.pid, u32At(buf, at + (folded ? CONN.pid : L7.pid)));
    str(w, F.FLOW_EXTENSION.comm, comm(buf, at + (folded ? CONN.comm : L7.comm)));
    w.end(m);
  }
  return hasTime;
}

/**
 * A lazy flow with nothing assigned as a whole GetFlowsResponse (flow, node_name, time),
 * the bytes encodeGetFlowsResponse writes for it; false (nothing written) for any other flow.
 */
export function encodeLazyFlowResponse(w: WireWriter, f: Flow, nodeName: string): boolean {
  const rec = REC;
  if (!lazyRecord(f, rec)) return false;
  const node = rec.ctx!.nodeName || nodeName;
  const m = w.begin(F.GET_FLOWS_RESPONSE.flow);
  const hasTime = rec.l7 === 0 ? connFlow(w, rec, f, node) : l7Flow(w, rec, f, node);
  w.end(m);
  w.tag(F.GET_FLOWS_RESPONSE.node_name, LEN);
  w.string(node);
  if (hasTime) encodeTimestamp(w, F.GET_FLOWS_RESPONSE.time, TS);
  // Nothing kept past the call: not the loader's chunk, not the context.
  rec.buf = NO_BYTES;
  rec.ctx = undefined;
  return true;
}
