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
// parts of a flow (event type, TCP flags, Summary) shared, frozen. And mapAt hands
// out those flows lazy (lazy-flow.ts): a small object over the record's bytes that
// decodes each field when it is first read, so what no consumer reads costs nothing.
import { TCP_FLAG_NAMES, type Flow, type Layer4, type TCPFlags } from '../model/flow.ts';
import type { SourceEvent } from '../model/source.ts';
import { parseDns, type DnsMessage } from './dns.ts';
import { EVENT_FROM_ENDPOINT, EVENT_L7, EVENT_TO_ENDPOINT, L7, NO_ENDPOINT, connExtension, connSummary, connTcpFlags, ipOf, l7Layer, l7Summary, ownPair } from './flow-parts.ts';
import { flowUuidSequence } from './flow-uuid.ts';
import { LazyConnFlow, lazyL7Flow, type LazyContext } from './lazy-flow.ts';
import { ConnFields, L7Fields, connAt, connOf, l7At, l7Of, l7OfClose } from './record-fields.ts';
import { CONN, ConnFlag, RECORD_SIZES, RecType, decodeRecordAt, u32, type DnsRecord, type DropRecord, type LoaderRecord, type Tuple } from './records.ts';
import { WallClock } from './wall-clock.ts';

const DROP = 1;
const MAX_PENDING_DNS = 4096;
/**
 * How long a query from a socket bound to no address waits for its answer, which
 * names the address the route gave it (the collector sees such a query as it is sent,
 * before any address is chosen): then it goes out with the unspecified address.
 */
const DNS_HOLD_NS = 2_000_000_000n;

export interface FlowMapperOptions {
  nodeName: string;
  /** Source name used in status events. */
  sourceName: string;
  /** Stable uuids for tests; defaults to v4-layout uuids unique per run (flow-uuid.ts). */
  uuid?: () => string;
  /**
   * mapAt gives plain flow objects, every field decoded at once, instead of lazy ones
   * (lazy-flow.ts). For comparing the two; map() always gives plain objects.
   */
  eager?: boolean;
}

export type EventSink = (ev: SourceEvent) => void;

export class FlowMapper {
  private readonly opts: FlowMapperOptions;
  private readonly uuid: () => string;
  /** Set when the caller gave uuids: lazy flows then take their text at once. */
  private readonly fixedUuid: boolean;
  private readonly eager: boolean;
  /** Node name, clock and uuids as lazy flows decoded now will need them. */
  private ctx: LazyContext;
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
    const uuids = flowUuidSequence();
    this.uuid = opts.uuid ?? (() => uuids.text(uuids.next()));
    this.fixedUuid = opts.uuid !== undefined;
    this.eager = opts.eager === true;
    this.ctx = { nodeName: opts.nodeName, clock: new WallClock(), uuids };
  }

  private get clock(): WallClock {
    return this.ctx.clock;
  }

  /** The uuid a lazy flow decoded now gets: its number, or the caller's text. */
  private uuidId(): number | string {
    return this.fixedUuid ? this.uuid() : this.ctx.uuids.next();
  }

  /**
   * Maps the record of `size` bytes at `at` in buf (a RecordReader.feed range) and
   * hands its events to emit: the same events map(decodeRecordAt(...)) gives, but conn
   * and L7 records are read straight from the buffer.
   */
  mapAt(buf: Buffer, at: number, size: number, emit: EventSink): void {
    if (this.heldDns.size > 0 && size >= 16) this.releaseHeld(buf.readBigUInt64LE(at + 8), emit);
    const type = u32(buf, at);
    if (!this.eager && (type === RecType.ConnClose || type === RecType.ConnOpen) && size >= RECORD_SIZES.conn) {
      const flags = u32(buf, at + CONN.flags);
      if (type === RecType.ConnClose && (flags & (ConnFlag.L7Folded | ConnFlag.L7Own)) === (ConnFlag.L7Folded | ConnFlag.L7Own)) {
        emit({ kind: 'flow', flow: lazyL7Flow(buf, at, true, this.ctx, this.uuidId()) });
      }
      emit({ kind: 'flow', flow: new LazyConnFlow(buf, at, this.ctx, this.uuidId()) });
    } else if (!this.eager && type === RecType.L7 && size >= RECORD_SIZES.l7) {
      emit({ kind: 'flow', flow: lazyL7Flow(buf, at, false, this.ctx, this.uuidId()) });
    } else if ((type === RecType.ConnClose || type === RecType.ConnOpen) && size >= RECORD_SIZES.conn) {
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
      case 'clock': {
        // A new clock, not a new offset in the old one: lazy flows decoded before
        // this record keep the offset that was current for them.
        const clock = new WallClock();
        clock.setOffset(rec.offsetNs);
        this.ctx = { ...this.ctx, clock };
        return [];
      }
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
    const flags = connTcpFlags(c.flags, c.open);
    const summary = connSummary(c.flags, c.open);
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
    const layer7 = l7Layer(l);
    const summary = l7Summary(layer7);
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

function isUnspecified(addr: string): boolean {
  return addr === '0.0.0.0' || addr === '::';
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

