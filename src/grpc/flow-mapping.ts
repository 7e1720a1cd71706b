// The one mapping between Hubble's protobuf messages and netscope's model: Flow,
// LostEvent, NodeStatusEvent and the GetFlowsResponse around them. Decoding follows
// protobuf JSON's view (what `hubble observe -o json` prints and what the JSON codec
// reads): zero values are absent, enums are names, 64-bit integers are numbers,
// timestamps are RFC 3339 strings in UTC, wrapper types (is_reply, cpu) are present
// whenever sent. So JSON -> Flow and protobuf -> Flow give the same value.
import type {
  DNS,
  Endpoint,
  Flow,
  HTTP,
  Kafka,
  Layer4,
  Layer7,
  LostEvent,
  NodeStatusEvent,
  Policy,
  TCPFlags,
} from '../model/flow.ts';
import { TCP_FLAG_NAMES } from '../model/flow.ts';
import type { SourceEvent } from '../model/source.ts';
import { NETSCOPE_EXTENSION_FIELDS } from '../codec/netscope-extension.ts';
import { parseTimestamp, protoFraction, type Timestamp } from '../codec/timestamp.ts';
import { enumNames, enumValues } from './schema.ts';
import { plainFlow } from '../model/plain-flow.ts';

/** Told about an enum number this build does not know; the field is then left out. */
export type UnknownEnum = (field: string, value: number) => void;

/** A decoded protobuf message: fields by proto name (protobufjs, keepCase). */
type Msg = Record<string, unknown>;

interface EnumMap {
  names: Readonly<Record<number, string>>;
  values: Readonly<Record<string, number>>;
}
function enumMap(name: string): EnumMap {
  return { names: enumNames(name), values: enumValues(name) };
}
const E = {
  verdict: enumMap('flow.Verdict'),
  authType: enumMap('flow.AuthType'),
  flowType: enumMap('flow.FlowType'),
  direction: enumMap('flow.TrafficDirection'),
  obsPoint: enumMap('flow.TraceObservationPoint'),
  traceReason: enumMap('flow.TraceReason'),
  dropReason: enumMap('flow.DropReason'),
  debugPoint: enumMap('flow.DebugCapturePoint'),
  ipVersion: enumMap('flow.IPVersion'),
  l7Type: enumMap('flow.L7FlowType'),
  lostSource: enumMap('flow.LostEventSource'),
  nodeState: enumMap('relay.NodeState'),
};

const ignoreUnknown: UnknownEnum = () => {};

// ---- timestamps -------------------------------------------------------------

let lastSec = Number.NaN;
let lastSecText = '';

/** google.protobuf.Timestamp -> protojson's RFC 3339 text (the second's text is cached). */
export function timestampText(ts: Msg): string {
  const seconds = Number(ts.seconds ?? 0);
  const nanos = Number(ts.nanos ?? 0);
  if (seconds !== lastSec) {
    const d = new Date(seconds * 1000);
    const y = d.getUTCFullYear();
    // Outside 0001..9999 (or not a number) protojson refuses the value; show the epoch's floor instead of throwing.
    lastSecText = Number.isNaN(y) || y < 1 || y > 9999 ? '0001-01-01T00:00:00' : d.toISOString().slice(0, 19);
    lastSec = seconds;
  }
  return lastSecText + protoFraction(nanos) + 'Z';
}

/** RFC 3339 text -> google.protobuf.Timestamp; undefined when unparsable. */
export function timestampMsg(text: string | undefined): Timestamp | undefined {
  return text === undefined ? undefined : parseTimestamp(text);
}

// ---- protobuf -> model --------------------------------------------------------

function enumName(v: unknown, map: EnumMap, field: string, onUnknown: UnknownEnum): string | undefined {
  if (v === undefined || v === 0) return undefined;
  const name = map.names[v as number];
  if (name === undefined) onUnknown(field, v as number);
  return name;
}

function strs(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.length > 0 ? (v as string[]) : undefined;
}

function endpointFrom(m: Msg): Endpoint {
  const e: Endpoint = {};
  if (m.ID) e.ID = m.ID as number;
  if (m.identity) e.identity = m.identity as number;
  if (m.cluster_name) e.cluster_name = m.cluster_name as string;
  if (m.namespace) e.namespace = m.namespace as string;
  const labels = strs(m.labels);
  if (labels) e.labels = labels;
  if (m.pod_name) e.pod_name = m.pod_name as string;
  const w = m.workloads as Msg[] | undefined;
  if (w && w.length > 0) {
    e.workloads = w.map((x) => {
      const o: { name?: string; kind?: string } = {};
      if (x.name) o.name = x.name as string;
      if (x.kind) o.kind = x.kind as string;
      return o;
    });
  }
  return e;
}

function portsFrom(m: Msg): { source_port?: number; destination_port?: number } {
  const p: { source_port?: number; destination_port?: number } = {};
  if (m.source_port) p.source_port = m.source_port as number;
  if (m.destination_port) p.destination_port = m.destination_port as number;
  return p;
}

function flagsFrom(m: Msg): TCPFlags {
  const f: TCPFlags = {};
  for (const k of TCP_FLAG_NAMES) if (m[k]) f[k] = true;
  return f;
}

function icmpFrom(m: Msg): { type?: number; code?: number } {
  const o: { type?: number; code?: number } = {};
  if (m.type) o.type = m.type as number;
  if (m.code) o.code = m.code as number;
  return o;
}

function layer4From(m: Msg): Layer4 {
  const l: Layer4 = {};
  if (m.TCP) {
    const t = m.TCP as Msg;
    const tcp: NonNullable<Layer4['TCP']> = portsFrom(t);
    if (t.flags) tcp.flags = flagsFrom(t.flags as Msg);
    l.TCP = tcp;
  } else if (m.UDP) l.UDP = portsFrom(m.UDP as Msg);
  else if (m.ICMPv4) l.ICMPv4 = icmpFrom(m.ICMPv4 as Msg);
  else if (m.ICMPv6) l.ICMPv6 = icmpFrom(m.ICMPv6 as Msg);
  else if (m.SCTP) l.SCTP = portsFrom(m.SCTP as Msg);
  return l;
}

function dnsFrom(m: Msg): DNS {
  const d: DNS = {};
  if (m.query) d.query = m.query as string;
  const ips = strs(m.ips);
  if (ips) d.ips = ips;
  if (m.ttl) d.ttl = m.ttl as number;
  const cnames = strs(m.cnames);
  if (cnames) d.cnames = cnames;
  if (m.observation_source) d.observation_source = m.observation_source as string;
  if (m.rcode) d.rcode = m.rcode as number;
  const q = strs(m.qtypes);
  if (q) d.qtypes = q;
  const rr = strs(m.rrtypes);
  if (rr) d.rrtypes = rr;
  return d;
}

function httpFrom(m: Msg): HTTP {
  const h: HTTP = {};
  if (m.code) h.code = m.code as number;
  if (m.method) h.method = m.method as string;
  if (m.url) h.url = m.url as string;
  if (m.protocol) h.protocol = m.protocol as string;
  const headers = m.headers as Msg[] | undefined;
  if (headers && headers.length > 0) {
    h.headers = headers.map((x) => {
      const o: { key?: string; value?: string } = {};
      if (x.key) o.key = x.key as string;
      if (x.value) o.value = x.value as string;
      return o;
    });
  }
  return h;
}

function kafkaFrom(m: Msg): Kafka {
  const k: Kafka = {};
  if (m.error_code) k.error_code = m.error_code as number;
  if (m.api_version) k.api_version = m.api_version as number;
  if (m.api_key) k.api_key = m.api_key as string;
  if (m.correlation_id) k.correlation_id = m.correlation_id as number;
  if (m.topic) k.topic = m.topic as string;
  return k;
}

function layer7From(m: Msg, onUnknown: UnknownEnum): Layer7 {
  const l: Layer7 = {};
  const type = enumName(m.type, E.l7Type, 'flow.l7.type', onUnknown);
  if (type !== undefined) l.type = type as Layer7['type'];
  if (m.latency_ns) l.latency_ns = m.latency_ns as number;
  if (m.dns) l.dns = dnsFrom(m.dns as Msg);
  else if (m.http) l.http = httpFrom(m.http as Msg);
  else if (m.kafka) l.kafka = kafkaFrom(m.kafka as Msg);
  return l;
}

function policiesFrom(v: unknown): Policy[] | undefined {
  const list = v as Msg[] | undefined;
  if (!list || list.length === 0) return undefined;
  return list.map((m) => {
    const p: Policy = {};
    if (m.name) p.name = m.name as string;
    if (m.namespace) p.namespace = m.namespace as string;
    const labels = strs(m.labels);
    if (labels) p.labels = labels;
    if (m.revision) p.revision = m.revision as number;
    if (m.kind) p.kind = m.kind as string;
    return p;
  });
}

function serviceFrom(m: Msg): { name?: string; namespace?: string } {
  const s: { name?: string; namespace?: string } = {};
  if (m.name) s.name = m.name as string;
  if (m.namespace) s.namespace = m.namespace as string;
  return s;
}

function netscopeFrom(m: Msg): Flow['netscope'] {
  const out: Record<string, unknown> = {};
  for (const [name] of NETSCOPE_EXTENSION_FIELDS) {
    const v = m[name];
    if (v !== undefined && v !== 0 && v !== '') out[name] = v;
  }
  return out as Flow['netscope'];
}

/** A decoded flow.Flow as a model Flow. */
export function flowFromProto(m: Msg, onUnknown: UnknownEnum = ignoreUnknown): Flow {
  const f: Flow = {};
  if (m.time) f.time = timestampText(m.time as Msg);
  if (m.uuid) f.uuid = m.uuid as string;
  let e: string | undefined;
  if ((e = enumName(m.verdict, E.verdict, 'flow.verdict', onUnknown))) f.verdict = e as Flow['verdict'];
  if (m.drop_reason) f.drop_reason = m.drop_reason as number;
  if ((e = enumName(m.auth_type, E.authType, 'flow.auth_type', onUnknown))) f.auth_type = e;
  if (m.ethernet) f.ethernet = serviceLike(m.ethernet as Msg);
  if (m.IP) {
    const ip = m.IP as Msg;
    const o: NonNullable<Flow['IP']> = {};
    if (ip.source) o.source = ip.source as string;
    if (ip.source_xlated) o.source_xlated = ip.source_xlated as string;
    if (ip.destination) o.destination = ip.destination as string;
    if ((e = enumName(ip.ipVersion, E.ipVersion, 'flow.IP.ipVersion', onUnknown))) o.ipVersion = e as NonNullable<Flow['IP']>['ipVersion'];
    if (ip.encrypted) o.encrypted = true;
    f.IP = o;
  }
  if (m.l4) f.l4 = layer4From(m.l4 as Msg);
  if (m.source) f.source = endpointFrom(m.source as Msg);
  if (m.destination) f.destination = endpointFrom(m.destination as Msg);
  if ((e = enumName(m.Type, E.flowType, 'flow.Type', onUnknown))) f.Type = e as Flow['Type'];
  if (m.node_name) f.node_name = m.node_name as string;
  let list: string[] | undefined;
  if ((list = strs(m.node_labels))) f.node_labels = list;
  if ((list = strs(m.source_names))) f.source_names = list;
  if ((list = strs(m.destination_names))) f.destination_names = list;
  if (m.l7) f.l7 = layer7From(m.l7 as Msg, onUnknown);
  if (m.reply) f.reply = true;
  if (m.event_type) {
    const t = m.event_type as Msg;
    const o: NonNullable<Flow['event_type']> = {};
    if (t.type) o.type = t.type as number;
    if (t.sub_type) o.sub_type = t.sub_type as number;
    f.event_type = o;
  }
  if (m.source_service) f.source_service = serviceFrom(m.source_service as Msg);
  if (m.destination_service) f.destination_service = serviceFrom(m.destination_service as Msg);
  if ((e = enumName(m.traffic_direction, E.direction, 'flow.traffic_direction', onUnknown))) {
    f.traffic_direction = e as Flow['traffic_direction'];
  }
  if (m.policy_match_type) f.policy_match_type = m.policy_match_type as number;
  if ((e = enumName(m.trace_observation_point, E.obsPoint, 'flow.trace_observation_point', onUnknown))) {
    f.trace_observation_point = e as Flow['trace_observation_point'];
  }
  if ((e = enumName(m.trace_reason, E.traceReason, 'flow.trace_reason', onUnknown))) f.trace_reason = e;
  if ((e = enumName(m.drop_reason_desc, E.dropReason, 'flow.drop_reason_desc', onUnknown))) f.drop_reason_desc = e;
  if (m.is_reply) f.is_reply = (m.is_reply as Msg).value === true;
  if ((e = enumName(m.debug_capture_point, E.debugPoint, 'flow.debug_capture_point', onUnknown))) f.debug_capture_point = e;
  if (m.interface) {
    const i = m.interface as Msg;
    const o: { index?: number; name?: string } = {};
    if (i.index) o.index = i.index as number;
    if (i.name) o.name = i.name as string;
    f.interface = o;
  }
  if (m.proxy_port) f.proxy_port = m.proxy_port as number;
  if (m.socket_cookie) f.socket_cookie = m.socket_cookie as number;
  if (m.cgroup_id) f.cgroup_id = m.cgroup_id as number;
  if (m.Summary) f.Summary = m.Summary as string;
  let p: Policy[] | undefined;
  if ((p = policiesFrom(m.egress_allowed_by))) f.egress_allowed_by = p;
  if ((p = policiesFrom(m.ingress_allowed_by))) f.ingress_allowed_by = p;
  if ((p = policiesFrom(m.egress_denied_by))) f.egress_denied_by = p;
  if ((p = policiesFrom(m.ingress_denied_by))) f.ingress_denied_by = p;
  if ((list = strs(m.policy_log))) f.policy_log = list;
  if (m.netscope) f.netscope = netscopeFrom(m.netscope as Msg);
  return f;
}

function serviceLike(m: Msg): { source?: string; destination?: string } {
  const o: { source?: string; destination?: string } = {};
  if (m.source) o.source = m.source as string;
  if (m.destination) o.destination = m.destination as string;
  return o;
}

export function lostFromProto(m: Msg, onUnknown: UnknownEnum = ignoreUnknown): LostEvent {
  const l: LostEvent = {};
  const s = enumName(m.source, E.lostSource, 'lost_events.source', onUnknown);
  if (s !== undefined) l.source = s;
  if (m.num_events_lost) l.num_events_lost = m.num_events_lost as number;
  if (m.cpu) l.cpu = Number((m.cpu as Msg).value ?? 0);
  return l;
}

export function nodeStatusFromProto(m: Msg, onUnknown: UnknownEnum = ignoreUnknown): NodeStatusEvent {
  const s: NodeStatusEvent = {};
  const st = enumName(m.state_change, E.nodeState, 'node_status.state_change', onUnknown);
  if (st !== undefined) s.state_change = st;
  const names = strs(m.node_names);
  if (names) s.node_names = names;
  if (m.message) s.message = m.message as string;
  return s;
}

/** A decoded observer.GetFlowsResponse as a SourceEvent (undefined: nothing netscope shows). */
export function eventFromResponse(m: Msg, onUnknown: UnknownEnum = ignoreUnknown): SourceEvent | undefined {
  const nodeName = m.node_name ? (m.node_name as string) : undefined;
  const time = m.time ? timestampText(m.time as Msg) : undefined;
  if (m.flow) {
    const flow = flowFromProto(m.flow as Msg, onUnknown);
    // Like the JSON codec: a flow without its own time or node takes the response's.
    if (flow.time === undefined && time !== undefined) flow.time = time;
    if (flow.node_name === undefined && nodeName !== undefined) flow.node_name = nodeName;
    return { kind: 'flow', flow };
  }
  if (m.lost_events) return { kind: 'lost', lost: lostFromProto(m.lost_events as Msg, onUnknown), node_name: nodeName, time };
  if (m.node_status) {
    return { kind: 'node-status', status: nodeStatusFromProto(m.node_status as Msg, onUnknown), node_name: nodeName, time };
  }
  return undefined;
}

// ---- model -> protobuf --------------------------------------------------------

function enumNum(v: string | undefined, map: EnumMap): number | undefined {
  if (v === undefined) return undefined;
  const n = map.values[v];
  return n === 0 ? undefined : n;
}

/** A plain object that T.Flow.encode takes (same field names; enums, time and wrappers converted). */
export function flowToProto(f: Flow): Msg {
  // Most fields already have the protobuf shape: copy, then convert the few that differ.
  const m: Msg = { ...plainFlow(f) }; // a lazy flow's fields are not its own (model/plain-flow.ts)
  m.time = timestampMsg(f.time);
  m.verdict = enumNum(f.verdict, E.verdict);
  m.auth_type = enumNum(f.auth_type, E.authType);
  m.Type = enumNum(f.Type, E.flowType);
  m.traffic_direction = enumNum(f.traffic_direction, E.direction);
  m.trace_observation_point = enumNum(f.trace_observation_point, E.obsPoint);
  m.trace_reason = enumNum(f.trace_reason, E.traceReason);
  m.drop_reason_desc = enumNum(f.drop_reason_desc, E.dropReason);
  m.debug_capture_point = enumNum(f.debug_capture_point, E.debugPoint);
  m.is_reply = f.is_reply === undefined ? undefined : { value: f.is_reply };
  if (f.IP !== undefined && f.IP.ipVersion !== undefined) m.IP = { ...f.IP, ipVersion: enumNum(f.IP.ipVersion, E.ipVersion) };
  if (f.l7 !== undefined && f.l7.type !== undefined) m.l7 = { ...f.l7, type: enumNum(f.l7.type, E.l7Type) };
  return m;
}

export function lostToProto(l: LostEvent): Msg {
  return {
    source: enumNum(l.source, E.lostSource),
    num_events_lost: l.num_events_lost,
    cpu: l.cpu === undefined ? undefined : { value: l.cpu },
  };
}

export function nodeStatusToProto(s: NodeStatusEvent): Msg {
  return { state_change: enumNum(s.state_change, E.nodeState), node_names: s.node_names, message: s.message };
}

/** A SourceEvent as a GetFlowsResponse object (undefined for status events, which stay local). */
export function eventToResponse(ev: SourceEvent): Msg | undefined {
  switch (ev.kind) {
    case 'flow':
      return { flow: flowToProto(ev.flow), node_name: ev.flow.node_name, time: timestampMsg(ev.flow.time) };
    case 'lost':
      return { lost_events: lostToProto(ev.lost), node_name: ev.node_name, time: timestampMsg(ev.time) };
    case 'node-status':
      return { node_status: nodeStatusToProto(ev.status), node_name: ev.node_name, time: timestampMsg(ev.time) };
    case 'status':
      return undefined;
  }
}
