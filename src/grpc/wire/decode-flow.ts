// flow.Flow wire bytes -> netscope's model, without protobufjs' intermediate objects.
// The result is what flowFromProto (flow-mapping.ts) makes of protobufjs' decoding:
// zero values absent, enums as names (an unknown number is reported and left out),
// 64-bit integers as numbers. Each message is read into locals and built once at its
// end, so fields may come in any order, a repeated scalar's last value wins, and a
// message field that comes twice is merged (the earlier value seeds the locals), as the
// protobuf spec says; for a oneof the last member read wins. (protobufjs differs on
// the last two: it replaces a repeated message field, and keeps every oneof member.)
import type {
  DNS,
  Endpoint,
  Flow,
  HTTP,
  HTTPHeader,
  Kafka,
  Layer4,
  Layer7,
  NetscopeExtension,
  Policy,
  TCPFlags,
  Workload,
} from '../../model/flow.ts';
import { TCP_FLAG_NAMES } from '../../model/flow.ts';
import type { Timestamp } from '../../codec/timestamp.ts';
import { NETSCOPE_EXTENSION_FIELDS } from '../../codec/netscope-extension.ts';
import { ENUMS, type EnumTable } from './enums.ts';
import * as F from './fields.ts';
import type { WireReader } from './reader.ts';
import { parseTime, timestampText } from './time.ts';

/** Told about an enum number this build does not know; the field is then left out. */
export type UnknownEnum = (field: string, value: number) => void;

const VARINT = F.WT.VARINT;
const LEN = F.WT.LEN;

function enumName(t: EnumTable, v: number, field: string, onUnknown: UnknownEnum): string | undefined {
  if (v === 0) return undefined;
  const name = t.names[v];
  if (name === undefined) onUnknown(field, v);
  return name;
}

/** Appends to a repeated field, copying a list a merged message shares with its earlier value. */
function push<T>(list: T[] | undefined, v: T): T[] {
  if (list === undefined) return [v];
  list.push(v);
  return list;
}

export function decodeTimestamp(r: WireReader, prev: Timestamp | undefined): Timestamp {
  let seconds = prev ? prev.seconds : 0;
  let nanos = prev ? prev.nanos : 0;
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    switch (t >>> 3) {
      case F.TIMESTAMP.seconds:
        if (wt !== VARINT) r.mismatch('Timestamp', 1, wt);
        seconds = r.int64();
        break;
      case F.TIMESTAMP.nanos:
        if (wt !== VARINT) r.mismatch('Timestamp', 2, wt);
        nanos = r.int32();
        break;
      default:
        r.skip(wt, t >>> 3);
    }
  }
  r.leave(outer);
  return { seconds, nanos };
}

/** google.protobuf.BoolValue / Int32Value: the wrapped value (false/0 when absent). */
export function decodeWrapped(r: WireReader, prev: number): number {
  let v = prev;
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    if (t >>> 3 === F.WRAPPER.value) {
      if ((t & 7) !== VARINT) r.mismatch('wrapper', 1, t & 7);
      v = r.int32();
    } else r.skip(t & 7, t >>> 3);
  }
  r.leave(outer);
  return v;
}

// Results of pair() and ports(), read right after the call: module-level, so the
// per-flow hot path makes no tuple arrays.
let first = '';
let second = '';
let numA = 0;
let numB = 0;
let flagsOut: TCPFlags | undefined;

/** A message of two strings (fields 1 and 2): Ethernet, Service, Workload, HTTPHeader; the result in first/second. */
function pair(r: WireReader, name: string, prevA: string | undefined, prevB: string | undefined): void {
  let a = prevA ?? '';
  let b = prevB ?? '';
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    if (n === 1 || n === 2) {
      if (wt !== LEN) r.mismatch(name, n, wt);
      if (n === 1) a = r.string();
      else b = r.string();
    } else r.skip(wt, n);
  }
  r.leave(outer);
  first = a;
  second = b;
}

function ethernet(r: WireReader, prev: Flow['ethernet']): NonNullable<Flow['ethernet']> {
  pair(r, 'Ethernet', prev?.source, prev?.destination);
  const a = first;
  const b = second;
  const o: NonNullable<Flow['ethernet']> = {};
  if (a) o.source = a;
  if (b) o.destination = b;
  return o;
}

function service(r: WireReader, prev: { name?: string; namespace?: string } | undefined): { name?: string; namespace?: string } {
  pair(r, 'Service', prev?.name, prev?.namespace);
  const a = first;
  const b = second;
  const o: { name?: string; namespace?: string } = {};
  if (a) o.name = a;
  if (b) o.namespace = b;
  return o;
}

function workload(r: WireReader): Workload {
  pair(r, 'Workload', undefined, undefined);
  const a = first;
  const b = second;
  const o: Workload = {};
  if (a) o.name = a;
  if (b) o.kind = b;
  return o;
}

function header(r: WireReader): HTTPHeader {
  pair(r, 'HTTPHeader', undefined, undefined);
  const a = first;
  const b = second;
  const o: HTTPHeader = {};
  if (a) o.key = a;
  if (b) o.value = b;
  return o;
}

function ip(r: WireReader, prev: Flow['IP'], onUnknown: UnknownEnum): NonNullable<Flow['IP']> {
  let source = prev?.source ?? '';
  let sourceXlated = prev?.source_xlated ?? '';
  let destination = prev?.destination ?? '';
  let version = prev?.ipVersion === undefined ? 0 : ENUMS.ipVersion.numbers.get(prev.ipVersion)!;
  let encrypted = prev?.encrypted ?? false;
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    switch (n) {
      case F.IP.source:
      case F.IP.destination:
      case F.IP.source_xlated: {
        if (wt !== LEN) r.mismatch('IP', n, wt);
        const s = r.string();
        if (n === F.IP.source) source = s;
        else if (n === F.IP.destination) destination = s;
        else sourceXlated = s;
        break;
      }
      case F.IP.ipVersion:
        if (wt !== VARINT) r.mismatch('IP', n, wt);
        version = r.int32();
        break;
      case F.IP.encrypted:
        if (wt !== VARINT) r.mismatch('IP', n, wt);
        encrypted = r.bool();
        break;
      default:
        r.skip(wt, n);
    }
  }
  r.leave(outer);
  const o: NonNullable<Flow['IP']> = {};
  if (source) o.source = source;
  if (sourceXlated) o.source_xlated = sourceXlated;
  if (destination) o.destination = destination;
  const v = enumName(ENUMS.ipVersion, version, 'flow.IP.ipVersion', onUnknown);
  if (v) o.ipVersion = v as NonNullable<Flow['IP']>['ipVersion'];
  if (encrypted) o.encrypted = true;
  return o;
}

// Endpoints repeat from flow to flow byte for byte (the same pod talks again and again),
// so a decoded one is kept by its bytes and handed out as a copy when they come again:
// one native compare instead of decoding a dozen strings. A slot holds the latest
// endpoint that hashed there; only the first occurrence in a flow (no merge) is cached.
const ENDPOINT_SLOTS = 1024; // a power of two
const ENDPOINT_MAX_BYTES = 2048;
const endpointBytes: (Buffer | undefined)[] = new Array<Buffer | undefined>(ENDPOINT_SLOTS).fill(undefined);
const endpointValues: (Endpoint | undefined)[] = new Array<Endpoint | undefined>(ENDPOINT_SLOTS).fill(undefined);

function endpointSlot(b: Buffer, start: number, end: number): number {
  const len = end - start;
  let h = Math.imul(len, 0x9e3779b1);
  // The head holds ID and identity; the tail pod name's suffix, workloads, cluster name.
  const head = Math.min(end, start + 10);
  for (let p = start; p < head; p++) h = Math.imul(h ^ b[p]!, 0x01000193);
  for (let p = Math.max(head, end - 24); p < end; p++) h = Math.imul(h ^ b[p]!, 0x01000193);
  return (h ^ (h >>> 13)) & (ENDPOINT_SLOTS - 1);
}

function copyEndpoint(e: Endpoint): Endpoint {
  const c: Endpoint = { ...e };
  if (e.labels !== undefined) c.labels = e.labels.slice();
  if (e.workloads !== undefined) c.workloads = e.workloads.map((w) => ({ ...w }));
  return c;
}

function endpoint(r: WireReader, prev: Endpoint | undefined): Endpoint {
  if (prev !== undefined) return endpointFields(r, r.span(), prev);
  const end = r.span();
  const start = r.pos;
  const len = end - start;
  if (len > ENDPOINT_MAX_BYTES) return endpointFields(r, end, undefined);
  const b = r.buf;
  const slot = endpointSlot(b, start, end);
  const known = endpointBytes[slot];
  if (known !== undefined && known.length === len && b.compare(known, 0, len, start, end) === 0) {
    r.pos = end;
    return copyEndpoint(endpointValues[slot]!);
  }
  const e = endpointFields(r, end, undefined);
  endpointBytes[slot] = Buffer.from(b.subarray(start, end));
  endpointValues[slot] = copyEndpoint(e);
  return e;
}

/** Endpoint's fields up to end (from r.span()). */
function endpointFields(r: WireReader, end: number, prev: Endpoint | undefined): Endpoint {
  let id = prev?.ID ?? 0;
  let identity = prev?.identity ?? 0;
  let cluster = prev?.cluster_name ?? '';
  let namespace = prev?.namespace ?? '';
  let labels = prev?.labels?.slice();
  let pod = prev?.pod_name ?? '';
  let workloads = prev?.workloads?.slice();
  const outer = r.narrow(end);
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    switch (n) {
      case F.ENDPOINT.ID:
        if (wt !== VARINT) r.mismatch('Endpoint', n, wt);
        id = r.uint32();
        break;
      case F.ENDPOINT.identity:
        if (wt !== VARINT) r.mismatch('Endpoint', n, wt);
        identity = r.uint32();
        break;
      case F.ENDPOINT.namespace:
        if (wt !== LEN) r.mismatch('Endpoint', n, wt);
        namespace = r.string();
        break;
      case F.ENDPOINT.labels:
        if (wt !== LEN) r.mismatch('Endpoint', n, wt);
        labels = push(labels, r.string());
        break;
      case F.ENDPOINT.pod_name:
        if (wt !== LEN) r.mismatch('Endpoint', n, wt);
        pod = r.string();
        break;
      case F.ENDPOINT.workloads:
        if (wt !== LEN) r.mismatch('Endpoint', n, wt);
        workloads = push(workloads, workload(r));
        break;
      case F.ENDPOINT.cluster_name:
        if (wt !== LEN) r.mismatch('Endpoint', n, wt);
        cluster = r.string();
        break;
      default:
        r.skip(wt, n);
    }
  }
  r.leave(outer);
  const e: Endpoint = {};
  if (id) e.ID = id;
  if (identity) e.identity = identity;
  if (cluster) e.cluster_name = cluster;
  if (namespace) e.namespace = namespace;
  if (labels !== undefined) e.labels = labels;
  if (pod) e.pod_name = pod;
  if (workloads !== undefined) e.workloads = workloads;
  return e;
}

/** TCP, UDP, SCTP (ports; TCP also flags) and ICMPv4/v6 (type, code): two uint32s, and flags for TCP; the result in numA/numB/flagsOut. */
function ports(r: WireReader, name: string, prevA: number, prevB: number, prevFlags: TCPFlags | undefined): void {
  let a = prevA;
  let b = prevB;
  let flags = prevFlags;
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    if (n === 1 || n === 2) {
      if (wt !== VARINT) r.mismatch(name, n, wt);
      if (n === 1) a = r.uint32();
      else b = r.uint32();
    } else if (n === F.PORTS.flags && name === 'TCP') {
      if (wt !== LEN) r.mismatch(name, n, wt);
      flags = tcpFlags(r, flags);
    } else r.skip(wt, n);
  }
  r.leave(outer);
  numA = a;
  numB = b;
  flagsOut = flags;
}

function tcpFlags(r: WireReader, prev: TCPFlags | undefined): TCPFlags {
  let set = 0; // bit i: TCP_FLAG_NAMES[i]
  if (prev !== undefined) for (let i = 0; i < TCP_FLAG_NAMES.length; i++) if (prev[TCP_FLAG_NAMES[i]!] === true) set |= 1 << i;
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    if (n >= F.TCP_FLAGS_FIRST && n < F.TCP_FLAGS_FIRST + TCP_FLAG_NAMES.length) {
      if (wt !== VARINT) r.mismatch('TCPFlags', n, wt);
      const bit = 1 << (n - F.TCP_FLAGS_FIRST);
      if (r.bool()) set |= bit;
      else set &= ~bit;
    } else r.skip(wt, n);
  }
  r.leave(outer);
  const f: TCPFlags = {};
  for (let i = 0; i < TCP_FLAG_NAMES.length; i++) if (set & (1 << i)) f[TCP_FLAG_NAMES[i]!] = true;
  return f;
}

function portsOf(a: number, b: number): { source_port?: number; destination_port?: number } {
  const p: { source_port?: number; destination_port?: number } = {};
  if (a) p.source_port = a;
  if (b) p.destination_port = b;
  return p;
}

function icmpOf(a: number, b: number): { type?: number; code?: number } {
  const p: { type?: number; code?: number } = {};
  if (a) p.type = a;
  if (b) p.code = b;
  return p;
}

function layer4(r: WireReader, prev: Layer4 | undefined): Layer4 {
  let l: Layer4 = prev ?? {};
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    if (n < F.LAYER4.TCP || n > F.LAYER4.SCTP) {
      r.skip(wt, n);
      continue;
    }
    if (wt !== LEN) r.mismatch('Layer4', n, wt);
    // A oneof: the member read last wins; the same member again is merged.
    switch (n) {
      case F.LAYER4.TCP: {
        const p = l.TCP;
        ports(r, 'TCP', p?.source_port ?? 0, p?.destination_port ?? 0, p?.flags);
        const tcp: NonNullable<Layer4['TCP']> = portsOf(numA, numB);
        if (flagsOut !== undefined) tcp.flags = flagsOut;
        l = { TCP: tcp };
        break;
      }
      case F.LAYER4.UDP: {
        const p = l.UDP;
        ports(r, 'UDP', p?.source_port ?? 0, p?.destination_port ?? 0, undefined);
        l = { UDP: portsOf(numA, numB) };
        break;
      }
      case F.LAYER4.ICMPv4: {
        const p = l.ICMPv4;
        ports(r, 'ICMPv4', p?.type ?? 0, p?.code ?? 0, undefined);
        l = { ICMPv4: icmpOf(numA, numB) };
        break;
      }
      case F.LAYER4.ICMPv6: {
        const p = l.ICMPv6;
        ports(r, 'ICMPv6', p?.type ?? 0, p?.code ?? 0, undefined);
        l = { ICMPv6: icmpOf(numA, numB) };
        break;
      }
      default: {
        const p = l.SCTP;
        ports(r, 'SCTP', p?.source_port ?? 0, p?.destination_port ?? 0, undefined);
        l = { SCTP: portsOf(numA, numB) };
      }
    }
  }
  r.leave(outer);
  return l;
}

function dns(r: WireReader, prev: DNS | undefined): DNS {
  let query = prev?.query ?? '';
  let ips = prev?.ips?.slice();
  let ttl = prev?.ttl ?? 0;
  let cnames = prev?.cnames?.slice();
  let source = prev?.observation_source ?? '';
  let rcode = prev?.rcode ?? 0;
  let qtypes = prev?.qtypes?.slice();
  let rrtypes = prev?.rrtypes?.slice();
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    if (n === F.DNS.ttl || n === F.DNS.rcode) {
      if (wt !== VARINT) r.mismatch('DNS', n, wt);
      if (n === F.DNS.ttl) ttl = r.uint32();
      else rcode = r.uint32();
      continue;
    }
    if (n < F.DNS.query || n > F.DNS.rrtypes) {
      r.skip(wt, n);
      continue;
    }
    if (wt !== LEN) r.mismatch('DNS', n, wt);
    const s = r.string();
    if (n === F.DNS.query) query = s;
    else if (n === F.DNS.ips) ips = push(ips, s);
    else if (n === F.DNS.cnames) cnames = push(cnames, s);
    else if (n === F.DNS.observation_source) source = s;
    else if (n === F.DNS.qtypes) qtypes = push(qtypes, s);
    else rrtypes = push(rrtypes, s);
  }
  r.leave(outer);
  const d: DNS = {};
  if (query) d.query = query;
  if (ips !== undefined) d.ips = ips;
  if (ttl) d.ttl = ttl;
  if (cnames !== undefined) d.cnames = cnames;
  if (source) d.observation_source = source;
  if (rcode) d.rcode = rcode;
  if (qtypes !== undefined) d.qtypes = qtypes;
  if (rrtypes !== undefined) d.rrtypes = rrtypes;
  return d;
}

function http(r: WireReader, prev: HTTP | undefined): HTTP {
  let code = prev?.code ?? 0;
  let method = prev?.method ?? '';
  let url = prev?.url ?? '';
  let protocol = prev?.protocol ?? '';
  let headers = prev?.headers?.slice();
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    switch (n) {
      case F.HTTP.code:
        if (wt !== VARINT) r.mismatch('HTTP', n, wt);
        code = r.uint32();
        break;
      case F.HTTP.method:
        if (wt !== LEN) r.mismatch('HTTP', n, wt);
        method = r.string();
        break;
      case F.HTTP.url:
        if (wt !== LEN) r.mismatch('HTTP', n, wt);
        url = r.uniqueString();
        break;
      case F.HTTP.protocol:
        if (wt !== LEN) r.mismatch('HTTP', n, wt);
        protocol = r.string();
        break;
      case F.HTTP.headers:
        if (wt !== LEN) r.mismatch('HTTP', n, wt);
        headers = push(headers, header(r));
        break;
      default:
        r.skip(wt, n);
    }
  }
  r.leave(outer);
  const h: HTTP = {};
  if (code) h.code = code;
  if (method) h.method = method;
  if (url) h.url = url;
  if (protocol) h.protocol = protocol;
  if (headers !== undefined) h.headers = headers;
  return h;
}

function kafka(r: WireReader, prev: Kafka | undefined): Kafka {
  let errorCode = prev?.error_code ?? 0;
  let apiVersion = prev?.api_version ?? 0;
  let apiKey = prev?.api_key ?? '';
  let correlation = prev?.correlation_id ?? 0;
  let topic = prev?.topic ?? '';
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    switch (n) {
      case F.KAFKA.error_code:
      case F.KAFKA.api_version:
      case F.KAFKA.correlation_id: {
        if (wt !== VARINT) r.mismatch('Kafka', n, wt);
        const v = r.int32();
        if (n === F.KAFKA.error_code) errorCode = v;
        else if (n === F.KAFKA.api_version) apiVersion = v;
        else correlation = v;
        break;
      }
      case F.KAFKA.api_key:
        if (wt !== LEN) r.mismatch('Kafka', n, wt);
        apiKey = r.string();
        break;
      case F.KAFKA.topic:
        if (wt !== LEN) r.mismatch('Kafka', n, wt);
        topic = r.string();
        break;
      default:
        r.skip(wt, n);
    }
  }
  r.leave(outer);
  const k: Kafka = {};
  if (errorCode) k.error_code = errorCode;
  if (apiVersion) k.api_version = apiVersion;
  if (apiKey) k.api_key = apiKey;
  if (correlation) k.correlation_id = correlation;
  if (topic) k.topic = topic;
  return k;
}

function layer7(r: WireReader, prev: Layer7 | undefined, onUnknown: UnknownEnum): Layer7 {
  let type = prev?.type === undefined ? 0 : ENUMS.l7Type.numbers.get(prev.type)!;
  let latency = prev?.latency_ns ?? 0;
  let d = prev?.dns;
  let h = prev?.http;
  let k = prev?.kafka;
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    switch (n) {
      case F.LAYER7.type:
        if (wt !== VARINT) r.mismatch('Layer7', n, wt);
        type = r.int32();
        break;
      case F.LAYER7.latency_ns:
        if (wt !== VARINT) r.mismatch('Layer7', n, wt);
        latency = r.uint64();
        break;
      // The record oneof: the member read last wins.
      case F.LAYER7.dns:
        if (wt !== LEN) r.mismatch('Layer7', n, wt);
        d = dns(r, d);
        h = k = undefined;
        break;
      case F.LAYER7.http:
        if (wt !== LEN) r.mismatch('Layer7', n, wt);
        h = http(r, h);
        d = k = undefined;
        break;
      case F.LAYER7.kafka:
        if (wt !== LEN) r.mismatch('Layer7', n, wt);
        k = kafka(r, k);
        d = h = undefined;
        break;
      default:
        r.skip(wt, n);
    }
  }
  r.leave(outer);
  const l: Layer7 = {};
  const name = enumName(ENUMS.l7Type, type, 'flow.l7.type', onUnknown);
  if (name !== undefined) l.type = name as Layer7['type'];
  if (latency) l.latency_ns = latency;
  if (d !== undefined) l.dns = d;
  else if (h !== undefined) l.http = h;
  else if (k !== undefined) l.kafka = k;
  return l;
}

function eventType(r: WireReader, prev: Flow['event_type']): NonNullable<Flow['event_type']> {
  let type = prev?.type ?? 0;
  let sub = prev?.sub_type ?? 0;
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    if (n === F.CILIUM_EVENT_TYPE.type || n === F.CILIUM_EVENT_TYPE.sub_type) {
      if (wt !== VARINT) r.mismatch('CiliumEventType', n, wt);
      if (n === F.CILIUM_EVENT_TYPE.type) type = r.int32();
      else sub = r.int32();
    } else r.skip(wt, n);
  }
  r.leave(outer);
  const o: NonNullable<Flow['event_type']> = {};
  if (type) o.type = type;
  if (sub) o.sub_type = sub;
  return o;
}

function networkInterface(r: WireReader, prev: Flow['interface']): NonNullable<Flow['interface']> {
  let index = prev?.index ?? 0;
  let name = prev?.name ?? '';
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    if (n === F.NETWORK_INTERFACE.index) {
      if (wt !== VARINT) r.mismatch('NetworkInterface', n, wt);
      index = r.uint32();
    } else if (n === F.NETWORK_INTERFACE.name) {
      if (wt !== LEN) r.mismatch('NetworkInterface', n, wt);
      name = r.string();
    } else r.skip(wt, n);
  }
  r.leave(outer);
  const o: NonNullable<Flow['interface']> = {};
  if (index) o.index = index;
  if (name) o.name = name;
  return o;
}

function policy(r: WireReader): Policy {
  let name = '';
  let namespace = '';
  let labels: string[] | undefined;
  let revision = 0;
  let kind = '';
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    if (n === F.POLICY.revision) {
      if (wt !== VARINT) r.mismatch('Policy', n, wt);
      revision = r.uint64();
      continue;
    }
    if (n < F.POLICY.name || n > F.POLICY.kind) {
      r.skip(wt, n);
      continue;
    }
    if (wt !== LEN) r.mismatch('Policy', n, wt);
    const s = r.string();
    if (n === F.POLICY.name) name = s;
    else if (n === F.POLICY.namespace) namespace = s;
    else if (n === F.POLICY.labels) labels = push(labels, s);
    else kind = s;
  }
  r.leave(outer);
  const p: Policy = {};
  if (name) p.name = name;
  if (namespace) p.namespace = namespace;
  if (labels !== undefined) p.labels = labels;
  if (revision) p.revision = revision;
  if (kind) p.kind = kind;
  return p;
}

/** netscope.v1.FlowExtension fields by number: name and kind. */
const EXTENSION_BY_NUMBER: (readonly [keyof NetscopeExtension, 'u32' | 'u64' | 'string'])[] = [];
for (const [name, kind] of NETSCOPE_EXTENSION_FIELDS) EXTENSION_BY_NUMBER[F.FLOW_EXTENSION[name]] = [name, kind];

function extension(r: WireReader, prev: NetscopeExtension | undefined): NetscopeExtension {
  const x: Record<string, number | string> = { ...prev };
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    const f = EXTENSION_BY_NUMBER[n];
    if (f === undefined) {
      r.skip(wt, n);
      continue;
    }
    const [name, kind] = f;
    if (kind === 'string') {
      if (wt !== LEN) r.mismatch('FlowExtension', n, wt);
      const s = r.string();
      if (s !== '') x[name] = s;
      else if (name in x) delete x[name];
    } else {
      if (wt !== VARINT) r.mismatch('FlowExtension', n, wt);
      const v = kind === 'u32' ? r.uint32() : r.uint64();
      if (v !== 0) x[name] = v;
      else if (name in x) delete x[name];
    }
  }
  r.leave(outer);
  return x as NetscopeExtension;
}

function policies(list: Policy[] | undefined, r: WireReader): Policy[] {
  return push(list, policy(r));
}

/** flow.Flow (a length-delimited field at the reader's position) as a model Flow; prev is an earlier value to merge into. */
export function decodeFlow(r: WireReader, prev: Flow | undefined, onUnknown: UnknownEnum): Flow {
  const p: Flow = prev ?? NO_FLOW;
  let time: Timestamp | undefined;
  let timeText = p.time;
  let uuid = p.uuid ?? '';
  let verdict = num(ENUMS.verdict, p.verdict);
  let dropReason = p.drop_reason ?? 0;
  let authType = num(ENUMS.authType, p.auth_type);
  let eth = p.ethernet;
  let ipv = p.IP;
  let l4 = p.l4;
  let source = p.source;
  let destination = p.destination;
  let type = num(ENUMS.flowType, p.Type);
  let nodeName = p.node_name ?? '';
  let nodeLabels = p.node_labels?.slice();
  let sourceNames = p.source_names?.slice();
  let destinationNames = p.destination_names?.slice();
  let l7 = p.l7;
  let reply = p.reply ?? false;
  let evType = p.event_type;
  let sourceService = p.source_service;
  let destinationService = p.destination_service;
  let direction = num(ENUMS.direction, p.traffic_direction);
  let matchType = p.policy_match_type ?? 0;
  let obsPoint = num(ENUMS.obsPoint, p.trace_observation_point);
  let traceReason = num(ENUMS.traceReason, p.trace_reason);
  let dropDesc = num(ENUMS.dropReason, p.drop_reason_desc);
  let isReply: number | undefined = p.is_reply === undefined ? undefined : p.is_reply ? 1 : 0;
  let debugPoint = num(ENUMS.debugPoint, p.debug_capture_point);
  let itf = p.interface;
  let proxyPort = p.proxy_port ?? 0;
  let cookie = p.socket_cookie ?? 0;
  let cgroup = p.cgroup_id ?? 0;
  let summary = p.Summary ?? '';
  let egressAllowed = p.egress_allowed_by?.slice();
  let ingressAllowed = p.ingress_allowed_by?.slice();
  let egressDenied = p.egress_denied_by?.slice();
  let ingressDenied = p.ingress_denied_by?.slice();
  let policyLog = p.policy_log?.slice();
  let ext = p.netscope;
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    // Varint fields, then length-delimited ones; the wire type is checked once per group.
    switch (n) {
      case F.FLOW.verdict:
      case F.FLOW.drop_reason:
      case F.FLOW.Type:
      case F.FLOW.reply:
      case F.FLOW.traffic_direction:
      case F.FLOW.policy_match_type:
      case F.FLOW.trace_observation_point:
      case F.FLOW.drop_reason_desc:
      case F.FLOW.debug_capture_point:
      case F.FLOW.proxy_port:
      case F.FLOW.socket_cookie:
      case F.FLOW.cgroup_id:
      case F.FLOW.auth_type:
      case F.FLOW.trace_reason:
        if (wt !== VARINT) r.mismatch('Flow', n, wt);
        switch (n) {
          case F.FLOW.verdict:
            verdict = r.int32();
            break;
          case F.FLOW.drop_reason:
            dropReason = r.uint32();
            break;
          case F.FLOW.Type:
            type = r.int32();
            break;
          case F.FLOW.reply:
            reply = r.bool();
            break;
          case F.FLOW.traffic_direction:
            direction = r.int32();
            break;
          case F.FLOW.policy_match_type:
            matchType = r.uint32();
            break;
          case F.FLOW.trace_observation_point:
            obsPoint = r.int32();
            break;
          case F.FLOW.drop_reason_desc:
            dropDesc = r.int32();
            break;
          case F.FLOW.debug_capture_point:
            debugPoint = r.int32();
            break;
          case F.FLOW.proxy_port:
            proxyPort = r.uint32();
            break;
          case F.FLOW.socket_cookie:
            cookie = r.uint64();
            break;
          case F.FLOW.cgroup_id:
            cgroup = r.uint64();
            break;
          case F.FLOW.auth_type:
            authType = r.int32();
            break;
          default:
            traceReason = r.int32();
        }
        break;
      case F.FLOW.time:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        time = decodeTimestamp(r, time ?? (timeText === undefined ? undefined : parseTime(timeText)));
        timeText = undefined;
        break;
      case F.FLOW.uuid:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        uuid = r.uniqueString();
        break;
      case F.FLOW.ethernet:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        eth = ethernet(r, eth);
        break;
      case F.FLOW.IP:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        ipv = ip(r, ipv, onUnknown);
        break;
      case F.FLOW.l4:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        l4 = layer4(r, l4);
        break;
      case F.FLOW.source:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        source = endpoint(r, source);
        break;
      case F.FLOW.destination:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        destination = endpoint(r, destination);
        break;
      case F.FLOW.node_name:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        nodeName = r.string();
        break;
      case F.FLOW.source_names:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        sourceNames = push(sourceNames, r.string());
        break;
      case F.FLOW.destination_names:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        destinationNames = push(destinationNames, r.string());
        break;
      case F.FLOW.l7:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        l7 = layer7(r, l7, onUnknown);
        break;
      case F.FLOW.event_type:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        evType = eventType(r, evType);
        break;
      case F.FLOW.source_service:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        sourceService = service(r, sourceService);
        break;
      case F.FLOW.destination_service:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        destinationService = service(r, destinationService);
        break;
      case F.FLOW.is_reply:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        isReply = decodeWrapped(r, isReply ?? 0);
        break;
      case F.FLOW.interface:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        itf = networkInterface(r, itf);
        break;
      case F.FLOW.node_labels:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        nodeLabels = push(nodeLabels, r.string());
        break;
      case F.FLOW.egress_allowed_by:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        egressAllowed = policies(egressAllowed, r);
        break;
      case F.FLOW.ingress_allowed_by:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        ingressAllowed = policies(ingressAllowed, r);
        break;
      case F.FLOW.egress_denied_by:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        egressDenied = policies(egressDenied, r);
        break;
      case F.FLOW.ingress_denied_by:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        ingressDenied = policies(ingressDenied, r);
        break;
      case F.FLOW.policy_log:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        policyLog = push(policyLog, r.string());
        break;
      case F.FLOW.Summary:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        summary = r.uniqueString();
        break;
      case F.FLOW.netscope:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        ext = extension(r, ext);
        break;
      default:
        r.skip(wt, n);
    }
  }
  r.leave(outer);
  // Built in flowFromProto's order, so both give objects of the same shape.
  const f: Flow = {};
  if (time !== undefined) f.time = timestampText(time.seconds, time.nanos);
  else if (timeText !== undefined) f.time = timeText;
  if (uuid) f.uuid = uuid;
  let e: string | undefined;
  if ((e = enumName(ENUMS.verdict, verdict, 'flow.verdict', onUnknown))) f.verdict = e as Flow['verdict'];
  if (dropReason) f.drop_reason = dropReason;
  if ((e = enumName(ENUMS.authType, authType, 'flow.auth_type', onUnknown))) f.auth_type = e;
  if (eth !== undefined) f.ethernet = eth;
  if (ipv !== undefined) f.IP = ipv;
  if (l4 !== undefined) f.l4 = l4;
  if (source !== undefined) f.source = source;
  if (destination !== undefined) f.destination = destination;
  if ((e = enumName(ENUMS.flowType, type, 'flow.Type', onUnknown))) f.Type = e as Flow['Type'];
  if (nodeName) f.node_name = nodeName;
  if (nodeLabels !== undefined) f.node_labels = nodeLabels;
  if (sourceNames !== undefined) f.source_names = sourceNames;
  if (destinationNames !== undefined) f.destination_names = destinationNames;
  if (l7 !== undefined) f.l7 = l7;
  if (reply) f.reply = true;
  if (evType !== undefined) f.event_type = evType;
  if (sourceService !== undefined) f.source_service = sourceService;
  if (destinationService !== undefined) f.destination_service = destinationService;
  if ((e = enumName(ENUMS.direction, direction, 'flow.traffic_direction', onUnknown))) f.traffic_direction = e as Flow['traffic_direction'];
  if (matchType) f.policy_match_type = matchType;
  if ((e = enumName(ENUMS.obsPoint, obsPoint, 'flow.trace_observation_point', onUnknown))) {
    f.trace_observation_point = e as Flow['trace_observation_point'];
  }
  if ((e = enumName(ENUMS.traceReason, traceReason, 'flow.trace_reason', onUnknown))) f.trace_reason = e;
  if ((e = enumName(ENUMS.dropReason, dropDesc, 'flow.drop_reason_desc', onUnknown))) f.drop_reason_desc = e;
  if (isReply !== undefined) f.is_reply = isReply !== 0;
  if ((e = enumName(ENUMS.debugPoint, debugPoint, 'flow.debug_capture_point', onUnknown))) f.debug_capture_point = e;
  if (itf !== undefined) f.interface = itf;
  if (proxyPort) f.proxy_port = proxyPort;
  if (cookie) f.socket_cookie = cookie;
  if (cgroup) f.cgroup_id = cgroup;
  if (summary) f.Summary = summary;
  if (egressAllowed !== undefined) f.egress_allowed_by = egressAllowed;
  if (ingressAllowed !== undefined) f.ingress_allowed_by = ingressAllowed;
  if (egressDenied !== undefined) f.egress_denied_by = egressDenied;
  if (ingressDenied !== undefined) f.ingress_denied_by = ingressDenied;
  if (policyLog !== undefined) f.policy_log = policyLog;
  if (ext !== undefined) f.netscope = ext;
  return f;
}

/** What a flow's locals start from when there is nothing to merge with (one shape for every call). */
const NO_FLOW: Flow = Object.freeze({});

/** An enum name from a model value being merged back to its number (0 when absent). */
function num(t: EnumTable, name: string | undefined): number {
  return name === undefined ? 0 : (t.numbers.get(name) ?? 0);
}
