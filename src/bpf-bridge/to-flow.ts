// Loader records -> SourceEvents. Pure apart from the clock offset and drop-reason
// names the loader sends first, and a bounded table of DNS queries awaiting answers.
//
// Volume: per TCP connection and side, one flow when it is established (SYN, or
// SYN-ACK on the accepting side, with connect latency) and one summary when it
// closes (FIN or RST, with bytes, segments, RTT, duration, retransmits): 4 flows per
// connection when both ends are on this node, whatever the amount of data. Requests
// give one L7 RESPONSE flow per request/response pair (with latency_ns); DNS gives a
// REQUEST and a RESPONSE flow per query; drops give one DROPPED flow per packet.
import type { Flow, Layer4, NetscopeExtension, TCPFlags } from '../model/flow.ts';
import type { SourceEvent } from '../model/source.ts';
import { formatProtoTimestamp, protoFraction } from '../codec/timestamp.ts';
import { parseDns, type DnsMessage } from './dns.ts';
import { flowUuidGenerator } from './flow-uuid.ts';
import { httpUrl, parseHttpRequest, parseHttpResponse } from './http.ts';
import { ConnFlag, type ConnRecord, type DnsRecord, type DropRecord, type L7Record, type LoaderRecord, type Tuple } from './records.ts';

const TRACE = 4;
const DROP = 1;
const L7 = 129;
const MAX_PENDING_DNS = 4096;

export interface FlowMapperOptions {
  nodeName: string;
  /** Source name used in status events. */
  sourceName: string;
  /** Stable uuids for tests; defaults to v4-layout uuids unique per run (flow-uuid.ts). */
  uuid?: () => string;
}

export class FlowMapper {
  private readonly opts: FlowMapperOptions;
  private readonly uuid: () => string;
  private offsetNs = 0n;
  private readonly reasons = new Map<number, string>();
  private readonly pendingDns = new Map<string, { tsNs: bigint; query: string }>();
  private lostSoFar = 0;
  /** Totals reported by the kernel side, for the summary at the end. */
  lostTotal = 0;
  eventsTotal = 0;

  constructor(opts: FlowMapperOptions) {
    this.opts = opts;
    this.uuid = opts.uuid ?? flowUuidGenerator();
  }

  map(rec: LoaderRecord): SourceEvent[] {
    switch (rec.type) {
      case 'conn-open':
      case 'conn-close':
        return [this.flow(this.connFlow(rec))];
      case 'drop':
        return [this.flow(this.dropFlow(rec))];
      case 'l7':
        return [this.flow(this.l7Flow(rec))];
      case 'dns': {
        const f = this.dnsFlow(rec);
        return f ? [this.flow(f)] : [];
      }
      case 'clock':
        this.offsetNs = rec.offsetNs;
        return [];
      case 'reason':
        this.reasons.set(rec.code, rec.name);
        return [];
      case 'ready':
        return [this.status('connected', `eBPF collector attached on ${this.opts.nodeName}: ${rec.programs.length} programs (${rec.programs.join(', ')})`)];
      case 'warn':
        return [this.status('warning', rec.message)];
      case 'stats': {
        this.eventsTotal = rec.events;
        this.lostTotal = rec.lost;
        const delta = rec.lost - this.lostSoFar;
        this.lostSoFar = rec.lost;
        if (delta <= 0) return [];
        return [{ kind: 'lost', lost: { source: 'PERF_EVENT_RING_BUFFER', num_events_lost: delta }, node_name: this.opts.nodeName, time: this.time(rec.tsNs) }];
      }
      case 'unknown':
        return [this.status('warning', `loader sent an unknown record type ${rec.recType} (${rec.size} bytes): loader and netscope versions differ`)];
    }
  }

  private status(state: 'connected' | 'warning', message: string): SourceEvent {
    return { kind: 'status', source: this.opts.sourceName, state, message };
  }

  private flow(f: Flow): SourceEvent {
    return { kind: 'flow', flow: f };
  }

  private cachedSecond = Number.NaN;
  private cachedPrefix = '';

  private time(tsNs: bigint): string {
    const t = tsNs + this.offsetNs;
    const seconds = Number(t / 1_000_000_000n);
    const nanos = Number(t % 1_000_000_000n);
    // Thousands of flows share a second: format the date part once per second.
    if (seconds !== this.cachedSecond) {
      this.cachedSecond = seconds;
      this.cachedPrefix = formatProtoTimestamp({ seconds, nanos: 0 }).slice(0, -1);
    }
    return this.cachedPrefix + protoFraction(nanos) + 'Z';
  }

  private base(tsNs: bigint, src: string, dst: string, family: 4 | 6): Flow {
    // IPv4-mapped IPv6 peers are printed as IPv4 (address.ts), so go by the text.
    const v4 = family === 4 || !src.includes(':');
    return {
      time: this.time(tsNs),
      uuid: this.uuid(),
      node_name: this.opts.nodeName,
      IP: { source: src, destination: dst, ipVersion: v4 ? 'IPv4' : 'IPv6' },
      source: {},
      destination: {},
    };
  }

  private connFlow(r: ConnRecord): Flow {
    const t = r.tuple;
    const passive = (r.flags & ConnFlag.Passive) !== 0;
    const open = r.type === 'conn-open';
    const rst = (r.flags & (ConnFlag.RstRx | ConnFlag.RstTx)) !== 0;
    const flags: TCPFlags = open
      ? passive ? { SYN: true, ACK: true } : { SYN: true }
      : rst ? { RST: true } : { FIN: true, ACK: true };
    const f = this.base(r.tsNs, t.saddr, t.daddr, t.family);
    f.verdict = 'FORWARDED';
    f.Type = 'L3_L4';
    // Seen at the socket: leaving the client's endpoint, or arriving at the server's.
    f.event_type = { type: TRACE, sub_type: passive ? 0 : 5 };
    f.trace_observation_point = passive ? 'TO_ENDPOINT' : 'FROM_ENDPOINT';
    f.l4 = { TCP: { source_port: t.sport, destination_port: t.dport, flags } };
    // The observing socket's side sent this: the client's flows are requests, the
    // accepting side's are replies (Hubble's convention for SYN-ACK and server FINs).
    f.is_reply = passive;
    f.traffic_direction = passive ? 'INGRESS' : 'EGRESS';
    f.socket_cookie = r.cookie;
    f.Summary = `TCP Flags: ${Object.keys(flags).join(', ')}`;
    const ext: NetscopeExtension = { srtt_us: r.srttUs };
    if (r.pid !== 0) {
      ext.pid = r.pid;
      ext.comm = r.comm;
    }
    if (!passive && r.estabNs > 0n && r.startNs > 0n) ext.connect_latency_ns = Number(r.estabNs - r.startNs);
    if (!open) {
      ext.bytes_sent = r.bytesSent;
      ext.bytes_received = r.bytesReceived;
      ext.segments_sent = r.segsOut;
      ext.segments_received = r.segsIn;
      ext.retransmits = r.retrans;
      if (r.startNs > 0n) ext.duration_ns = Number(r.tsNs - r.startNs);
      if (rst && (r.flags & ConnFlag.Established) === 0 && (r.flags & ConnFlag.RstRx) !== 0) {
        f.Summary = 'TCP Flags: RST (connection refused)';
      }
    }
    f.netscope = ext;
    return f;
  }

  private dropFlow(r: DropRecord): Flow {
    const t = r.tuple;
    const f = this.base(r.tsNs, t.saddr, t.daddr, t.family);
    f.verdict = 'DROPPED';
    f.Type = 'L3_L4';
    f.event_type = { type: DROP, sub_type: r.reason };
    f.drop_reason_desc = this.reasons.get(r.reason) ?? `DROP_REASON_${r.reason}`;
    f.l4 = l4(t, r.tcpFlags);
    if (r.ifindex !== 0) f.interface = { index: r.ifindex };
    f.traffic_direction = 'TRAFFIC_DIRECTION_UNKNOWN';
    const tcp = f.l4?.TCP?.flags;
    f.Summary = tcp ? `TCP Flags: ${Object.keys(tcp).join(', ')}` : t.proto === 17 ? 'UDP' : `IP protocol ${t.proto}`;
    return f;
  }

  private l7Flow(r: L7Record): Flow {
    // Socket view: local first. The response travels server -> client.
    const t = r.tuple;
    const client = r.reqEgress ? { addr: t.saddr, port: t.sport } : { addr: t.daddr, port: t.dport };
    const server = r.reqEgress ? { addr: t.daddr, port: t.dport } : { addr: t.saddr, port: t.sport };
    const f = this.base(r.tsNs, server.addr, client.addr, t.family);
    f.verdict = 'FORWARDED';
    f.Type = 'L7';
    f.event_type = { type: L7 };
    f.l4 = { TCP: { source_port: server.port, destination_port: client.port } };
    f.is_reply = true;
    f.traffic_direction = r.reqEgress ? 'EGRESS' : 'INGRESS';
    f.socket_cookie = r.cookie;
    f.l7 = { type: 'RESPONSE', latency_ns: r.latencyNs };
    const req = parseHttpRequest(r.req);
    const resp = parseHttpResponse(r.resp);
    const ms = (r.latencyNs / 1e6).toFixed(r.latencyNs < 10e6 ? 2 : 0);
    if (req) {
      f.l7.http = { method: req.method, url: httpUrl(req), protocol: resp?.protocol ?? req.protocol };
      if (resp) f.l7.http.code = resp.code;
      f.Summary = `${f.l7.http.protocol} ${resp?.code ?? '???'} ${ms}ms (${req.method} ${f.l7.http.url})`;
    } else {
      f.Summary = `TCP response after ${ms}ms`;
    }
    if (r.pid !== 0) f.netscope = { pid: r.pid, comm: r.comm };
    return f;
  }

  private dnsFlow(r: DnsRecord): Flow | undefined {
    const msg = parseDns(r.data);
    if (!msg) return undefined;
    const t = r.tuple;
    const f = this.base(r.tsNs, t.saddr, t.daddr, t.family);
    f.verdict = 'FORWARDED';
    f.Type = 'L7';
    f.event_type = { type: L7 };
    f.l4 = { UDP: { source_port: t.sport, destination_port: t.dport } };
    f.is_reply = msg.isResponse;
    // Client side: the query leaves (egress); server side: it arrives (ingress).
    f.traffic_direction = msg.isResponse !== r.egress ? 'EGRESS' : 'INGRESS';
    f.socket_cookie = r.cookie;
    const key = `${r.cookie}/${msg.id}/${msg.query}`;
    if (!msg.isResponse) {
      if (this.pendingDns.size >= MAX_PENDING_DNS) {
        const oldest = this.pendingDns.keys().next();
        if (!oldest.done) this.pendingDns.delete(oldest.value);
      }
      this.pendingDns.set(key, { tsNs: r.tsNs, query: msg.query });
      f.l7 = { type: 'REQUEST', dns: dnsFields(msg) };
      f.Summary = `DNS Query ${msg.query} ${msg.qtype}`;
    } else {
      const q = this.pendingDns.get(key);
      this.pendingDns.delete(key);
      f.l7 = { type: 'RESPONSE', dns: dnsFields(msg) };
      if (q) f.l7.latency_ns = Number(r.tsNs - q.tsNs);
      f.Summary = `DNS Answer ${msg.rcode === 0 ? `"${msg.ips.join(',')}"` : `RCode: ${rcodeName(msg.rcode)}`} TTL: ${msg.ttl ?? 0} (Proxy ${msg.query} ${msg.qtype})`;
    }
    return f;
  }
}

function dnsFields(m: DnsMessage): NonNullable<Flow['l7']>['dns'] {
  const d: NonNullable<NonNullable<Flow['l7']>['dns']> = { query: m.query, qtypes: [m.qtype], observation_source: 'netscope-ebpf' };
  if (m.isResponse) {
    d.rcode = m.rcode;
    if (m.ips.length > 0) d.ips = m.ips;
    if (m.ttl !== undefined) d.ttl = m.ttl;
    if (m.cnames.length > 0) d.cnames = m.cnames;
    if (m.rrtypes.length > 0) d.rrtypes = m.rrtypes;
  }
  return d;
}

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
function rcodeName(rc: number): string {
  return RCODES[rc] ?? String(rc);
}

function l4(t: Tuple, tcpFlags: number): Layer4 | undefined {
  if (t.proto === 6) {
    const flags: TCPFlags = {};
    if (tcpFlags & 0x01) flags.FIN = true;
    if (tcpFlags & 0x02) flags.SYN = true;
    if (tcpFlags & 0x04) flags.RST = true;
    if (tcpFlags & 0x08) flags.PSH = true;
    if (tcpFlags & 0x10) flags.ACK = true;
    if (tcpFlags & 0x20) flags.URG = true;
    if (tcpFlags & 0x40) flags.ECE = true;
    if (tcpFlags & 0x80) flags.CWR = true;
    return { TCP: { source_port: t.sport, destination_port: t.dport, flags } };
  }
  if (t.proto === 17) return { UDP: { source_port: t.sport, destination_port: t.dport } };
  if (t.proto === 1) return { ICMPv4: {} };
  if (t.proto === 58) return { ICMPv6: {} };
  return undefined;
}
