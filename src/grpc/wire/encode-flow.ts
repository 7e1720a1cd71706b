// netscope's model -> flow.Flow wire bytes, without protobufjs' intermediate objects.
// What is sent matches flowToProto + protobufjs (flow-mapping.ts), byte for byte: a field
// is written when the model has it (not undefined/null, zero values included), enums
// as numbers (their zero value and unknown names left out), fields in number order.
import type { DNS, Endpoint, Flow, HTTP, Kafka, Layer4, Layer7, LostEvent, NetscopeExtension, NodeStatusEvent, Policy } from '../../model/flow.ts';
import { TCP_FLAG_NAMES } from '../../model/flow.ts';
import type { Timestamp } from '../../codec/timestamp.ts';
import { NETSCOPE_EXTENSION_FIELDS } from '../../codec/netscope-extension.ts';
import { ENUMS, enumNumber, type EnumTable } from './enums.ts';
import * as F from './fields.ts';
import { parseTime } from './time.ts';
import type { WireWriter } from './writer.ts';

const VARINT = F.WT.VARINT;
const LEN = F.WT.LEN;

export function str(w: WireWriter, field: number, v: string | undefined): void {
  if (v == null) return;
  w.tag(field, LEN);
  w.string(v);
}

export function u32(w: WireWriter, field: number, v: number | undefined): void {
  if (v == null) return;
  w.tag(field, VARINT);
  w.uint32(v);
}

export function i32(w: WireWriter, field: number, v: number | undefined): void {
  if (v == null) return;
  w.tag(field, VARINT);
  w.int32(v);
}

export function u64(w: WireWriter, field: number, v: number | undefined): void {
  if (v == null) return;
  w.tag(field, VARINT);
  w.varint64(v);
}

export function bool(w: WireWriter, field: number, v: boolean | undefined): void {
  if (v == null) return;
  w.tag(field, VARINT);
  w.uint32(v ? 1 : 0);
}

function enumField(w: WireWriter, field: number, t: EnumTable, name: string | undefined): void {
  const n = enumNumber(t, name);
  if (n === undefined) return;
  w.tag(field, VARINT);
  w.int32(n);
}

function strs(w: WireWriter, field: number, v: readonly string[] | undefined): void {
  if (v == null) return;
  for (let i = 0; i < v.length; i++) {
    w.tag(field, LEN);
    w.string(v[i]!);
  }
}

/** Both members always written: protobufjs does so for the {seconds, nanos} object timestampMsg makes. */
export function encodeTimestamp(w: WireWriter, field: number, ts: Timestamp): void {
  const m = w.begin(field);
  w.tag(F.TIMESTAMP.seconds, VARINT);
  w.varint64(ts.seconds);
  w.tag(F.TIMESTAMP.nanos, VARINT);
  w.int32(ts.nanos);
  w.end(m);
}

/** A time from the model's text, left out when it does not parse (as timestampMsg does). */
export function encodeTime(w: WireWriter, field: number, text: string | undefined): void {
  if (text === undefined) return;
  const ts = parseTime(text);
  if (ts !== undefined) encodeTimestamp(w, field, ts);
}

// The same endpoint (pod) comes back flow after flow: its encoded bytes are kept, keyed
// by pod name (or first label), with the values they were made from; when every value
// is the same again (strings compared with ===), the bytes are copied instead of
// re-encoding a dozen strings. (The comparison covers every field of the model's
// Endpoint: one added there must be added to sameEndpoint too.)
interface EndpointBytes {
  e: Endpoint;
  labels: readonly string[] | undefined;
  workloads: readonly { name?: string; kind?: string }[] | undefined;
  bytes: Buffer;
}
const endpointCache = new Map<string, EndpointBytes>();
const ENDPOINT_CACHE_MAX = 4096;
/** Bigger endpoints are not kept: the cache stays under 4096 x 2 KiB. */
const ENDPOINT_CACHE_MAX_BYTES = 2048;

function sameList<T>(a: readonly T[] | undefined, b: readonly T[] | undefined, same: (x: T, y: T) => boolean): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i]!, b[i]!)) return false;
  return true;
}
const sameString = (x: string, y: string): boolean => x === y;
const sameWorkload = (x: { name?: string; kind?: string }, y: { name?: string; kind?: string }): boolean => x.name === y.name && x.kind === y.kind;

function sameEndpoint(c: EndpointBytes, e: Endpoint): boolean {
  const k = c.e;
  return (
    k.ID === e.ID &&
    k.identity === e.identity &&
    k.namespace === e.namespace &&
    k.pod_name === e.pod_name &&
    k.cluster_name === e.cluster_name &&
    sameList(c.labels, e.labels, sameString) &&
    sameList(c.workloads, e.workloads, sameWorkload)
  );
}

function endpoint(w: WireWriter, field: number, e: Endpoint | undefined): void {
  if (e == null) return;
  const key = e.pod_name ?? e.labels?.[0];
  const known = key === undefined ? undefined : endpointCache.get(key);
  if (known !== undefined && sameEndpoint(known, e)) {
    w.tag(field, LEN);
    w.uint32(known.bytes.length);
    w.bytes(known.bytes);
    return;
  }
  const m = w.begin(field);
  const start = w.pos - w.start; // relative: ensure() may move the message to a new slab
  endpointFields(w, e);
  const len = w.pos - w.start - start;
  w.end(m); // may move the content along by the length's extra bytes: it is the last len bytes
  if (key === undefined || len > ENDPOINT_CACHE_MAX_BYTES) return;
  if (endpointCache.size >= ENDPOINT_CACHE_MAX) endpointCache.clear();
  const bytes = Buffer.from(w.buf.subarray(w.pos - len, w.pos));
  endpointCache.set(key, {
    e: { ID: e.ID, identity: e.identity, namespace: e.namespace, pod_name: e.pod_name, cluster_name: e.cluster_name },
    labels: e.labels?.slice(),
    workloads: e.workloads?.map((x) => ({ name: x.name, kind: x.kind })),
    bytes,
  });
}

function endpointFields(w: WireWriter, e: Endpoint): void {
  u32(w, F.ENDPOINT.ID, e.ID);
  u32(w, F.ENDPOINT.identity, e.identity);
  str(w, F.ENDPOINT.namespace, e.namespace);
  strs(w, F.ENDPOINT.labels, e.labels);
  str(w, F.ENDPOINT.pod_name, e.pod_name);
  const wl = e.workloads;
  if (wl != null) {
    for (let i = 0; i < wl.length; i++) {
      const x = wl[i]!;
      const n = w.begin(F.ENDPOINT.workloads);
      str(w, F.WORKLOAD.name, x.name);
      str(w, F.WORKLOAD.kind, x.kind);
      w.end(n);
    }
  }
  str(w, F.ENDPOINT.cluster_name, e.cluster_name);
}

/** Starts TCP/UDP/SCTP with its ports; the caller ends it (TCP adds its flags first). */
function ports(w: WireWriter, field: number, p: { source_port?: number; destination_port?: number }): number {
  const m = w.begin(field);
  u32(w, F.PORTS.source_port, p.source_port);
  u32(w, F.PORTS.destination_port, p.destination_port);
  return m;
}

function icmp(w: WireWriter, field: number, p: { type?: number; code?: number } | undefined): void {
  if (p == null) return;
  const m = w.begin(field);
  u32(w, F.ICMP.type, p.type);
  u32(w, F.ICMP.code, p.code);
  w.end(m);
}

function layer4(w: WireWriter, l: Layer4 | undefined): void {
  if (l == null) return;
  const m = w.begin(F.FLOW.l4);
  const tcp = l.TCP;
  if (tcp != null) {
    const t = ports(w, F.LAYER4.TCP, tcp);
    const flags = tcp.flags;
    if (flags != null) {
      const f = w.begin(F.PORTS.flags);
      for (let i = 0; i < TCP_FLAG_NAMES.length; i++) bool(w, F.TCP_FLAGS_FIRST + i, flags[TCP_FLAG_NAMES[i]!]);
      w.end(f);
    }
    w.end(t);
  }
  if (l.UDP != null) w.end(ports(w, F.LAYER4.UDP, l.UDP));
  icmp(w, F.LAYER4.ICMPv4, l.ICMPv4);
  icmp(w, F.LAYER4.ICMPv6, l.ICMPv6);
  if (l.SCTP != null) w.end(ports(w, F.LAYER4.SCTP, l.SCTP));
  w.end(m);
}

function dns(w: WireWriter, d: DNS): void {
  const m = w.begin(F.LAYER7.dns);
  str(w, F.DNS.query, d.query);
  strs(w, F.DNS.ips, d.ips);
  u32(w, F.DNS.ttl, d.ttl);
  strs(w, F.DNS.cnames, d.cnames);
  str(w, F.DNS.observation_source, d.observation_source);
  u32(w, F.DNS.rcode, d.rcode);
  strs(w, F.DNS.qtypes, d.qtypes);
  strs(w, F.DNS.rrtypes, d.rrtypes);
  w.end(m);
}

function http(w: WireWriter, h: HTTP): void {
  const m = w.begin(F.LAYER7.http);
  u32(w, F.HTTP.code, h.code);
  str(w, F.HTTP.method, h.method);
  str(w, F.HTTP.url, h.url);
  str(w, F.HTTP.protocol, h.protocol);
  const hs = h.headers;
  if (hs != null) {
    for (let i = 0; i < hs.length; i++) {
      const x = hs[i]!;
      const n = w.begin(F.HTTP.headers);
      str(w, F.HTTP_HEADER.key, x.key);
      str(w, F.HTTP_HEADER.value, x.value);
      w.end(n);
    }
  }
  w.end(m);
}

function kafka(w: WireWriter, k: Kafka): void {
  const m = w.begin(F.LAYER7.kafka);
  i32(w, F.KAFKA.error_code, k.error_code);
  i32(w, F.KAFKA.api_version, k.api_version);
  str(w, F.KAFKA.api_key, k.api_key);
  i32(w, F.KAFKA.correlation_id, k.correlation_id);
  str(w, F.KAFKA.topic, k.topic);
  w.end(m);
}

export function layer7(w: WireWriter, l: Layer7 | undefined): void {
  if (l == null) return;
  const m = w.begin(F.FLOW.l7);
  enumField(w, F.LAYER7.type, ENUMS.l7Type, l.type);
  u64(w, F.LAYER7.latency_ns, l.latency_ns);
  if (l.dns != null) dns(w, l.dns);
  if (l.http != null) http(w, l.http);
  if (l.kafka != null) kafka(w, l.kafka);
  w.end(m);
}

function service(w: WireWriter, field: number, s: { name?: string; namespace?: string } | undefined): void {
  if (s == null) return;
  const m = w.begin(field);
  str(w, F.SERVICE.name, s.name);
  str(w, F.SERVICE.namespace, s.namespace);
  w.end(m);
}

function policies(w: WireWriter, field: number, ps: readonly Policy[] | undefined): void {
  if (ps == null) return;
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    const m = w.begin(field);
    str(w, F.POLICY.name, p.name);
    str(w, F.POLICY.namespace, p.namespace);
    strs(w, F.POLICY.labels, p.labels);
    u64(w, F.POLICY.revision, p.revision);
    str(w, F.POLICY.kind, p.kind);
    w.end(m);
  }
}

/** The extension's fields in number order, by name: the generic loop's keyed reads were a tenth of encoding a conn flow. */
export function extension(w: WireWriter, x: NetscopeExtension | undefined): void {
  if (x == null) return;
  const m = w.begin(F.FLOW.netscope);
  u32(w, F.FLOW_EXTENSION.pid, x.pid);
  str(w, F.FLOW_EXTENSION.comm, x.comm);
  u64(w, F.FLOW_EXTENSION.bytes_sent, x.bytes_sent);
  u64(w, F.FLOW_EXTENSION.bytes_received, x.bytes_received);
  u64(w, F.FLOW_EXTENSION.segments_sent, x.segments_sent);
  u64(w, F.FLOW_EXTENSION.segments_received, x.segments_received);
  u32(w, F.FLOW_EXTENSION.srtt_us, x.srtt_us);
  u64(w, F.FLOW_EXTENSION.connect_latency_ns, x.connect_latency_ns);
  u64(w, F.FLOW_EXTENSION.duration_ns, x.duration_ns);
  u32(w, F.FLOW_EXTENSION.retransmits, x.retransmits);
  u64(w, F.FLOW_EXTENSION.response_latency_ns, x.response_latency_ns);
  w.end(m);
}

// extension() spells the fields out; this keeps it to the codec's list (a field added
// there and not here would be dropped silently).
const WRITTEN = 'pid:u32 comm:string bytes_sent:u64 bytes_received:u64 segments_sent:u64 segments_received:u64 srtt_us:u32 connect_latency_ns:u64 duration_ns:u64 retransmits:u32 response_latency_ns:u64';
const KNOWN = NETSCOPE_EXTENSION_FIELDS.map(([n, kind]) => `${n}:${kind}`).join(' ');
if (KNOWN !== WRITTEN) throw new Error(`encode-flow.ts: extension() writes ${WRITTEN}; the codec's fields are ${KNOWN}`);

/** flow.Flow as a nested field; nodeName stands in for a missing or empty node_name. */
export function encodeFlow(w: WireWriter, field: number, f: Flow, nodeName: string): void {
  const m = w.begin(field);
  encodeTime(w, F.FLOW.time, f.time);
  enumField(w, F.FLOW.verdict, ENUMS.verdict, f.verdict);
  u32(w, F.FLOW.drop_reason, f.drop_reason);
  if (f.ethernet != null) ethernet(w, f.ethernet);
  const ip = f.IP;
  if (ip != null) {
    const n = w.begin(F.FLOW.IP);
    str(w, F.IP.source, ip.source);
    str(w, F.IP.destination, ip.destination);
    enumField(w, F.IP.ipVersion, ENUMS.ipVersion, ip.ipVersion);
    bool(w, F.IP.encrypted, ip.encrypted);
    str(w, F.IP.source_xlated, ip.source_xlated);
    w.end(n);
  }
  layer4(w, f.l4);
  endpoint(w, F.FLOW.source, f.source);
  endpoint(w, F.FLOW.destination, f.destination);
  enumField(w, F.FLOW.Type, ENUMS.flowType, f.Type);
  str(w, F.FLOW.node_name, f.node_name || nodeName);
  strs(w, F.FLOW.source_names, f.source_names);
  strs(w, F.FLOW.destination_names, f.destination_names);
  layer7(w, f.l7);
  bool(w, F.FLOW.reply, f.reply);
  const et = f.event_type;
  if (et != null) {
    const n = w.begin(F.FLOW.event_type);
    i32(w, F.CILIUM_EVENT_TYPE.type, et.type);
    i32(w, F.CILIUM_EVENT_TYPE.sub_type, et.sub_type);
    w.end(n);
  }
  service(w, F.FLOW.source_service, f.source_service);
  service(w, F.FLOW.destination_service, f.destination_service);
  enumField(w, F.FLOW.traffic_direction, ENUMS.direction, f.traffic_direction);
  u32(w, F.FLOW.policy_match_type, f.policy_match_type);
  enumField(w, F.FLOW.trace_observation_point, ENUMS.obsPoint, f.trace_observation_point);
  enumField(w, F.FLOW.drop_reason_desc, ENUMS.dropReason, f.drop_reason_desc);
  if (f.is_reply != null) {
    const n = w.begin(F.FLOW.is_reply);
    bool(w, F.WRAPPER.value, f.is_reply);
    w.end(n);
  }
  enumField(w, F.FLOW.debug_capture_point, ENUMS.debugPoint, f.debug_capture_point);
  const itf = f.interface;
  if (itf != null) {
    const n = w.begin(F.FLOW.interface);
    u32(w, F.NETWORK_INTERFACE.index, itf.index);
    str(w, F.NETWORK_INTERFACE.name, itf.name);
    w.end(n);
  }
  u32(w, F.FLOW.proxy_port, f.proxy_port);
  u64(w, F.FLOW.socket_cookie, f.socket_cookie);
  u64(w, F.FLOW.cgroup_id, f.cgroup_id);
  str(w, F.FLOW.uuid, f.uuid);
  enumField(w, F.FLOW.auth_type, ENUMS.authType, f.auth_type);
  enumField(w, F.FLOW.trace_reason, ENUMS.traceReason, f.trace_reason);
  strs(w, F.FLOW.node_labels, f.node_labels);
  policies(w, F.FLOW.egress_allowed_by, f.egress_allowed_by);
  policies(w, F.FLOW.ingress_allowed_by, f.ingress_allowed_by);
  policies(w, F.FLOW.egress_denied_by, f.egress_denied_by);
  policies(w, F.FLOW.ingress_denied_by, f.ingress_denied_by);
  strs(w, F.FLOW.policy_log, f.policy_log);
  str(w, F.FLOW.Summary, f.Summary);
  extension(w, f.netscope);
  w.end(m);
}

function ethernet(w: WireWriter, e: { source?: string; destination?: string }): void {
  const m = w.begin(F.FLOW.ethernet);
  str(w, F.ETHERNET.source, e.source);
  str(w, F.ETHERNET.destination, e.destination);
  w.end(m);
}

export function encodeLost(w: WireWriter, field: number, l: LostEvent): void {
  const m = w.begin(field);
  enumField(w, F.LOST_EVENT.source, ENUMS.lostSource, l.source);
  u64(w, F.LOST_EVENT.num_events_lost, l.num_events_lost);
  if (l.cpu !== undefined) {
    const n = w.begin(F.LOST_EVENT.cpu);
    i32(w, F.WRAPPER.value, l.cpu);
    w.end(n);
  }
  w.end(m);
}

export function encodeNodeStatus(w: WireWriter, field: number, s: NodeStatusEvent): void {
  const m = w.begin(field);
  enumField(w, F.NODE_STATUS_EVENT.state_change, ENUMS.nodeState, s.state_change);
  strs(w, F.NODE_STATUS_EVENT.node_names, s.node_names);
  str(w, F.NODE_STATUS_EVENT.message, s.message);
  w.end(m);
}
