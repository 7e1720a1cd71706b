// flow.IP, Layer4 (TCP, UDP, ICMP, SCTP) and Layer7 (DNS, HTTP, Kafka) wire bytes -> the model.
import type { DNS, Flow, HTTP, Kafka, Layer4, Layer7, TCPFlags } from '../../model/flow.ts';
import { TCP_FLAG_NAMES } from '../../model/flow.ts';
import { enumName, header, push, type UnknownEnum } from './decode-parts.ts';
import { ENUMS } from './enums.ts';
import * as F from './fields.ts';
import type { WireReader } from './reader.ts';

const VARINT = F.WT.VARINT;
const LEN = F.WT.LEN;

export function ip(r: WireReader, prev: Flow['IP'], onUnknown: UnknownEnum): NonNullable<Flow['IP']> {
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

// ports()'s result, read right after the call: module-level (no tuple arrays per flow).
let numA = 0;
let numB = 0;
let flagsOut: TCPFlags | undefined;

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

export function layer4(r: WireReader, prev: Layer4 | undefined): Layer4 {
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

export function layer7(r: WireReader, prev: Layer7 | undefined, onUnknown: UnknownEnum): Layer7 {
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

