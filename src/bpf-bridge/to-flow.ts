// Loader records -> SourceEvents. Pure apart from the clock offset and drop-reason
// names the loader sends first, and a bounded table of DNS queries awaiting answers.
//
// Volume: per TCP connection and side, one summary when it closes (FIN or RST, with
// bytes, segments, RTT, duration, retransmits), plus one flow when it is established
// (SYN, or SYN-ACK on the accepting side, with connect latency) if it lives longer
// than ~50 ms: 2-4 flows per connection when both ends are on this node, whatever the
// amount of data. Requests give one L7 RESPONSE flow per request/response pair (with
// latency_ns), except that a short connection's one non-HTTP pair comes in its close
// summary (netscope.response_latency_ns); DNS gives a REQUEST and a RESPONSE flow per
// query; drops give one DROPPED flow per packet.
//
// Cost: the collector maps tens of thousands of records a second, so the two hot
// record types (conn close, L7) are read straight from the chunk by mapAt: no
// record object, no BigInt, cached address and name strings, and the constant
// parts of a flow (event type, TCP flags, Summary) shared, frozen.
import { TCP_FLAG_NAMES, type CiliumEventType, type Endpoint, type Flow, type Layer4, type NetscopeExtension, type TCPFlags } from '../model/flow.ts';
import type { SourceEvent } from '../model/source.ts';
import { RESET_BY_CLIENT_SUMMARY, RESET_BY_SERVER_SUMMARY, RESET_REFUSED_SUMMARY } from '../model/tcp-reset.ts';
import { parseDns, type DnsMessage } from './dns.ts';
import { flowUuidGenerator } from './flow-uuid.ts';
import { httpUrl, mayBeHttpRequest, parseHttpRequest, parseHttpResponse } from './http.ts';
import { ConnFields, L7Fields, connAt, connOf, l7At, l7Of, l7OfClose } from './record-fields.ts';
import { ConnFlag, RECORD_SIZES, RecType, decodeRecordAt, u32, type DnsRecord, type DropRecord, type LoaderRecord, type Tuple } from './records.ts';
import { WallClock, nsBetween } from './wall-clock.ts';

const TRACE = 4;
const DROP = 1;
const L7 = 129;
const MAX_PENDING_DNS = 4096;
/**
 * How long a query from a socket bound to no address waits for its answer, which
 * names the address the route gave it (the collector sees such a query as it is sent,
 * before any address is chosen): then it goes out with the unspecified address.
 */
const DNS_HOLD_NS = 2_000_000_000n;

// Parts every conn/L7 flow of a kind shares. Frozen: flows are values that later
// stages copy, never edit (streams/enrich.ts), so one object can serve them all.
const FLAGS_SYN: TCPFlags = Object.freeze({ SYN: true });
const FLAGS_SYN_ACK: TCPFlags = Object.freeze({ SYN: true, ACK: true });
const FLAGS_RST: TCPFlags = Object.freeze({ RST: true });
const FLAGS_FIN_ACK: TCPFlags = Object.freeze({ FIN: true, ACK: true });
/** Seen at the socket: leaving the client's endpoint, or arriving at the server's. */
const EVENT_FROM_ENDPOINT: CiliumEventType = Object.freeze({ type: TRACE, sub_type: 5 });
const EVENT_TO_ENDPOINT: CiliumEventType = Object.freeze({ type: TRACE, sub_type: 0 });
const EVENT_L7: CiliumEventType = Object.freeze({ type: L7 });
/** The collector knows no endpoint identity; enrichment replaces these with filled copies. */
const NO_ENDPOINT: Endpoint = Object.freeze({});

export interface FlowMapperOptions {
  nodeName: string;
  /** Source name used in status events. */
  sourceName: string;
  /** Stable uuids for tests; defaults to v4-layout uuids unique per run (flow-uuid.ts). */
  uuid?: () => string;
}

export type EventSink = (ev: SourceEvent) => void;

export class FlowMapper {
  private readonly opts: FlowMapperOptions;
  private readonly uuid: () => string;
  private readonly clock = new WallClock();
  private readonly reasons = new Map<number, string>();
  private readonly pendingDns = new Map<string, PendingQuery>();
  /** Queries without a source address, by the same key, until their answer or DNS_HOLD_NS. */
  private readonly heldDns = new Map<string, DnsRecord>();
  private lostSoFar = 0;
  private readonly conn = new ConnFields();
  private readonly l7 = new L7Fields();
  /** Totals reported by the kernel side, for the summary at the end. */
  lostTotal = 0;
  eventsTotal = 0;

  constructor(opts: FlowMapperOptions) {
    this.opts = opts;
    this.uuid = opts.uuid ?? flowUuidGenerator();
  }

  /**
   * Maps the record of `size` bytes at `at` in buf (a RecordReader.feed range) and
   * hands its events to emit: the same events map(decodeRecordAt(...)) gives, but conn
   * and L7 records are read straight from the buffer.
   */
  mapAt(buf: Buffer, at: number, size: number, emit: EventSink): void {
    if (this.heldDns.size > 0 && size >= 16) this.releaseHeld(buf.readBigUInt64LE(at + 8), emit);
    const type = u32(buf, at);
    if ((type === RecType.ConnClose || type === RecType.ConnOpen) && size >= RECORD_SIZES.conn) {
      const c = connAt(this.conn, buf, at, type === RecType.ConnOpen);
      if (ownPair(c)) emit(this.flow(this.l7Flow(l7OfClose(this.l7, c))));
      emit(this.flow(this.connFlow(c)));
    } else if (type === RecType.L7 && size >= RECORD_SIZES.l7) {
      emit(this.flow(this.l7Flow(l7At(this.l7, buf, at))));
    } else {
      for (const ev of this.map(decodeRecordAt(buf, at, size))) emit(ev);
    }
  }

  map(rec: LoaderRecord): SourceEvent[] {
    const out: SourceEvent[] = [];
    if (this.heldDns.size > 0 && 'tsNs' in rec) this.releaseHeld(rec.tsNs, (ev) => out.push(ev));
    const evs = this.mapOne(rec);
    return out.length === 0 ? evs : out.concat(evs);
  }

  /** Emits every held query (the collector stopped: no answer will name their address). */
  flush(emit: EventSink): void {
    this.releaseHeld(undefined, emit);
  }

  /** Emits held queries older than DNS_HOLD_NS at nowNs (all when undefined), in order. */
  private releaseHeld(nowNs: bigint | undefined, emit: EventSink): void {
    for (const [key, q] of this.heldDns) {
      if (nowNs !== undefined && nowNs - q.tsNs < DNS_HOLD_NS) break;
      this.heldDns.delete(key);
      const f = this.dnsFlow(q);
      if (f) emit(this.flow(f));
    }
  }

  private mapOne(rec: LoaderRecord): SourceEvent[] {
    switch (rec.type) {
      case 'conn-open':
      case 'conn-close': {
        const c = connOf(this.conn, rec);
        const pair = ownPair(c) ? this.flow(this.l7Flow(l7OfClose(this.l7, c))) : undefined;
        const close = this.flow(this.connFlow(c));
        return pair ? [pair, close] : [close];
      }
      case 'drop':
        return [this.flow(this.dropFlow(rec))];
      case 'l7':
        return [this.flow(this.l7Flow(l7Of(this.l7, rec)))];
      case 'dns':
        return this.dnsFlows(rec).map((f) => this.flow(f));
      case 'clock':
        this.clock.setOffset(rec.offsetNs);
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
        return [{ kind: 'lost', lost: { source: 'PERF_EVENT_RING_BUFFER', num_events_lost: delta }, node_name: this.opts.nodeName, time: this.clock.time(rec.tsNs) }];
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

  private base(tsNs: bigint, src: string, dst: string, family: 4 | 6): Flow {
    return {
      time: this.clock.time(tsNs),
      uuid: this.uuid(),
      node_name: this.opts.nodeName,
      IP: ipOf(src, dst, family),
      source: NO_ENDPOINT,
      destination: NO_ENDPOINT,
    };
  }

  private connFlow(c: ConnFields): Flow {
    const passive = (c.flags & ConnFlag.Passive) !== 0;
    const rst = (c.flags & (ConnFlag.RstRx | ConnFlag.RstTx)) !== 0;
    let flags: TCPFlags;
    let summary: string;
    if (c.open) {
      flags = passive ? FLAGS_SYN_ACK : FLAGS_SYN;
      summary = passive ? 'TCP Flags: SYN, ACK' : 'TCP Flags: SYN';
    } else if (rst) {
      flags = FLAGS_RST;
      const refused = (c.flags & ConnFlag.Established) === 0 && (c.flags & ConnFlag.RstRx) !== 0;
      // Which end reset it: the server's socket sent the RST, or the client's received it.
      const byServer = (c.flags & (passive ? ConnFlag.RstTx : ConnFlag.RstRx)) !== 0;
      summary = refused ? RESET_REFUSED_SUMMARY : byServer ? RESET_BY_SERVER_SUMMARY : RESET_BY_CLIENT_SUMMARY;
    } else {
      flags = FLAGS_FIN_ACK;
      summary = 'TCP Flags: FIN, ACK';
    }
    const ext = connExtension(c, passive);
    // Key order as Hubble's JSON lists them; the observing socket's side sent this:
    // the client's flows are requests, the accepting side's are replies (Hubble's
    // convention for SYN-ACK and server FINs).
    return {
      time: this.clock.timeAt(c.tsLo, c.tsHi),
      uuid: this.uuid(),
      node_name: this.opts.nodeName,
      IP: ipOf(c.saddr, c.daddr, c.family),
      source: NO_ENDPOINT,
      destination: NO_ENDPOINT,
      verdict: 'FORWARDED',
      Type: 'L3_L4',
      event_type: passive ? EVENT_TO_ENDPOINT : EVENT_FROM_ENDPOINT,
      trace_observation_point: passive ? 'TO_ENDPOINT' : 'FROM_ENDPOINT',
      l4: { TCP: { source_port: c.sport, destination_port: c.dport, flags } },
      is_reply: passive,
      traffic_direction: passive ? 'INGRESS' : 'EGRESS',
      socket_cookie: c.cookie,
      Summary: summary,
      netscope: ext,
    };
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

  private l7Flow(l: L7Fields): Flow {
    // Socket view: local first. The response travels server -> client.
    const server = l.reqEgress ? l.daddr : l.saddr;
    const serverPort = l.reqEgress ? l.dport : l.sport;
    const client = l.reqEgress ? l.saddr : l.daddr;
    const clientPort = l.reqEgress ? l.sport : l.dport;
    const layer7: NonNullable<Flow['l7']> = { type: 'RESPONSE', latency_ns: l.latencyNs };
    let summary: string;
    const req = mayBeHttpRequest(l.reqBuf, l.reqOff, l.reqLen) ? parseHttpRequest(l.reqBuf, l.reqOff, l.reqOff + l.reqLen) : undefined;
    if (req) {
      const ms = latencyMs(l.latencyNs);
      const resp = parseHttpResponse(l.respBuf, l.respOff, l.respOff + l.respLen);
      const http: NonNullable<NonNullable<Flow['l7']>['http']> = { method: req.method, url: httpUrl(req), protocol: resp?.protocol ?? req.protocol };
      if (resp) http.code = resp.code;
      layer7.http = http;
      summary = `${http.protocol} ${resp?.code ?? '???'} ${ms}ms (${req.method} ${http.url})`;
    } else {
      summary = tcpResponseSummary(l.latencyNs);
    }
    const time = this.clock.timeAt(l.tsLo, l.tsHi);
    const uuid = this.uuid();
    const ip = ipOf(server, client, l.family);
    const l4 = { TCP: { source_port: serverPort, destination_port: clientPort } };
    const direction = l.reqEgress ? ('EGRESS' as const) : ('INGRESS' as const);
    // One literal per shape: adding netscope afterwards would allocate a property array.
    if (l.pid === 0) {
      return {
        time,
        uuid,
        node_name: this.opts.nodeName,
        IP: ip,
        source: NO_ENDPOINT,
        destination: NO_ENDPOINT,
        verdict: 'FORWARDED',
        Type: 'L7',
        event_type: EVENT_L7,
        l4,
        is_reply: true,
        traffic_direction: direction,
        socket_cookie: l.cookie,
        l7: layer7,
        Summary: summary,
      };
    }
    return {
      time,
      uuid,
      node_name: this.opts.nodeName,
      IP: ip,
      source: NO_ENDPOINT,
      destination: NO_ENDPOINT,
      verdict: 'FORWARDED',
      Type: 'L7',
      event_type: EVENT_L7,
      l4,
      is_reply: true,
      traffic_direction: direction,
      socket_cookie: l.cookie,
      l7: layer7,
      Summary: summary,
      netscope: { pid: l.pid, comm: l.comm },
    };
  }

  /**
   * A DNS record's flows. The send-side program sees a datagram before the route gives
   * an unbound socket its address (saddr unspecified): a query then waits for its
   * answer, whose destination is that address; an answer from such a socket (a
   * server on 0.0.0.0:53) takes the address its query arrived at.
   */
  private dnsFlows(r: DnsRecord): Flow[] {
    const msg = parseDns(r.data);
    if (!msg) return [];
    const key = `${r.cookie}/${msg.id}/${msg.query}`;
    const unbound = r.egress && isUnspecified(r.tuple.saddr);
    if (!msg.isResponse) {
      if (unbound) return this.hold(key, r);
      const f = this.dnsFlow(r, msg, key);
      return f ? [f] : [];
    }
    const out: Flow[] = [];
    const held = this.heldDns.get(key);
    if (held) {
      this.heldDns.delete(key);
      const q = this.dnsFlow({ ...held, tuple: { ...held.tuple, saddr: r.tuple.daddr } });
      if (q) out.push(q);
    }
    let rec = r;
    const local = unbound ? this.pendingDns.get(key)?.local : undefined;
    if (local !== undefined) rec = { ...r, tuple: { ...r.tuple, saddr: local } };
    const f = this.dnsFlow(rec, msg, key);
    if (f) out.push(f);
    return out;
  }

  /** Holds a query; a full table lets its oldest go without an address, not lost. */
  private hold(key: string, r: DnsRecord): Flow[] {
    const oldest = setBounded(this.heldDns, key, r);
    const f = oldest && this.dnsFlow(oldest);
    return f ? [f] : [];
  }

  private dnsFlow(r: DnsRecord, parsed?: DnsMessage, cacheKey?: string): Flow | undefined {
    const msg = parsed ?? parseDns(r.data);
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
    const key = cacheKey ?? `${r.cookie}/${msg.id}/${msg.query}`;
    if (!msg.isResponse) {
      // An arriving query names this socket's own address: its answer's source.
      setBounded(this.pendingDns, key, { tsNs: r.tsNs, query: msg.query, ...(r.egress ? {} : { local: t.daddr }) });
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

interface PendingQuery {
  tsNs: bigint;
  query: string;
  /** The socket's own address, when the query was seen arriving. */
  local?: string;
}

/** Sets key last in m, kept to MAX_PENDING_DNS entries; returns the entry that made room. */
function setBounded<V>(m: Map<string, V>, key: string, v: V): V | undefined {
  m.delete(key); // a retry of the same query: the newest counts
  let evicted: V | undefined;
  if (m.size >= MAX_PENDING_DNS) {
    const oldest = m.entries().next();
    if (!oldest.done) {
      m.delete(oldest.value[0]);
      evicted = oldest.value[1];
    }
  }
  m.set(key, v);
  return evicted;
}

/**
 * A close record carrying its connection's one request/response only to save the
 * kernel a record (ConnFlag.L7Own: no open scan ran): the pair is its own L7 flow,
 * before the close, as if the kernel had written its record.
 */
function ownPair(c: ConnFields): boolean {
  return !c.open && (c.flags & (ConnFlag.L7Folded | ConnFlag.L7Own)) === (ConnFlag.L7Folded | ConnFlag.L7Own);
}

function isUnspecified(addr: string): boolean {
  return addr === '0.0.0.0' || addr === '::';
}

/** The IP part of a flow. IPv4-mapped IPv6 peers are printed as IPv4 (address.ts), so the version goes by the text. */
function ipOf(source: string, destination: string, family: 4 | 6): NonNullable<Flow['IP']> {
  return { source, destination, ipVersion: family === 4 || !source.includes(':') ? 'IPv4' : 'IPv6' };
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
    // Byte 13 of the TCP header: FIN..CWR in TCP_FLAG_NAMES' order, lowest bit first.
    const flags: TCPFlags = {};
    for (let bit = 0; bit < 8; bit++) if (tcpFlags & (1 << bit)) flags[TCP_FLAG_NAMES[bit]!] = true;
    return { TCP: { source_port: t.sport, destination_port: t.dport, flags } };
  }
  if (t.proto === 17) return { UDP: { source_port: t.sport, destination_port: t.dport } };
  if (t.proto === 1) return { ICMPv4: {} };
  if (t.proto === 58) return { ICMPv6: {} };
  return undefined;
}

/**
 * A conn flow's netscope fields, keys in this order: srtt_us, pid and comm (owner
 * known), connect_latency_ns (client side, established), the counters and
 * duration_ns (close), then response_latency_ns (a close that carries its
 * connection's one request/response). The usual close summaries are built as one
 * literal (connCounters), since adding keys one by one reallocates the object's
 * property store.
 */
function connExtension(c: ConnFields, passive: boolean): NetscopeExtension {
  const ext = connCounters(c, passive);
  // A short connection's one non-HTTP request/response, reported here by the kernel
  // instead of as an L7 record of its own (bpf/ns_l7.bpf.c).
  if (!c.open && (c.flags & (ConnFlag.L7Folded | ConnFlag.L7Own)) === ConnFlag.L7Folded) ext.response_latency_ns = nsBetween(c.respLo, c.respHi, c.reqLo, c.reqHi);
  return ext;
}

function connCounters(c: ConnFields, passive: boolean): NetscopeExtension {
  const started = c.startLo !== 0 || c.startHi !== 0;
  const latency = !passive && started && (c.estabLo !== 0 || c.estabHi !== 0);
  if (!c.open && started && c.pid !== 0) {
    const duration = nsBetween(c.tsLo, c.tsHi, c.startLo, c.startHi);
    if (latency) {
      return {
        srtt_us: c.srttUs,
        pid: c.pid,
        comm: c.comm,
        connect_latency_ns: nsBetween(c.estabLo, c.estabHi, c.startLo, c.startHi),
        bytes_sent: c.bytesSent,
        bytes_received: c.bytesReceived,
        segments_sent: c.segsOut,
        segments_received: c.segsIn,
        retransmits: c.retrans,
        duration_ns: duration,
      };
    }
    return {
      srtt_us: c.srttUs,
      pid: c.pid,
      comm: c.comm,
      bytes_sent: c.bytesSent,
      bytes_received: c.bytesReceived,
      segments_sent: c.segsOut,
      segments_received: c.segsIn,
      retransmits: c.retrans,
      duration_ns: duration,
    };
  }
  const ext: NetscopeExtension = { srtt_us: c.srttUs };
  if (c.pid !== 0) {
    ext.pid = c.pid;
    ext.comm = c.comm;
  }
  if (latency) ext.connect_latency_ns = nsBetween(c.estabLo, c.estabHi, c.startLo, c.startHi);
  if (!c.open) {
    ext.bytes_sent = c.bytesSent;
    ext.bytes_received = c.bytesReceived;
    ext.segments_sent = c.segsOut;
    ext.segments_received = c.segsIn;
    ext.retransmits = c.retrans;
    if (started) ext.duration_ns = nsBetween(c.tsLo, c.tsHi, c.startLo, c.startHi);
  }
  return ext;
}

/** Non-HTTP L7 summaries under 10 ms by hundredths of a ms: most requests are answered that fast. */
const TCP_RESPONSE_SUMMARY: (string | undefined)[] = new Array(1001);

function tcpResponseSummary(ns: number): string {
  if (ns < 10_000_000 && ns >= 0 && Number.isInteger(ns) && ns % 10_000 !== 5_000) {
    const rem = ns % 10_000;
    const hundredths = (ns - rem) / 10_000 + (rem > 5_000 ? 1 : 0);
    return (TCP_RESPONSE_SUMMARY[hundredths] ??= `TCP response after ${latencyMs(ns)}ms`);
  }
  return `TCP response after ${latencyMs(ns)}ms`;
}

const DIGITS2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * Milliseconds as (ns / 1e6).toFixed(ns < 10e6 ? 2 : 0) writes them, by integer
 * math. An integer ns is never within rounding error of a halfway point unless it
 * is exactly on it; those ties (and huge values) go to toFixed itself.
 */
function latencyMs(ns: number): string {
  if (ns < 10_000_000) {
    const rem = ns % 10_000;
    if (rem === 5_000 || ns < 0 || !Number.isInteger(ns)) return (ns / 1e6).toFixed(2);
    const hundredths = (ns - rem) / 10_000 + (rem > 5_000 ? 1 : 0);
    const whole = Math.floor(hundredths / 100);
    return whole + '.' + DIGITS2[hundredths - whole * 100]!;
  }
  if (ns < 1e15) {
    const rem = ns % 1_000_000;
    if (rem === 500_000 || !Number.isInteger(ns)) return (ns / 1e6).toFixed(0);
    return String((ns - rem) / 1_000_000 + (rem > 500_000 ? 1 : 0));
  }
  return (ns / 1e6).toFixed(0);
}
