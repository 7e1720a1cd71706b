// The parts of conn and L7 flows that eager decoding (to-flow.ts) and lazy decoding
// (lazy-flow.ts) both build, so the two give the same values by construction.
import type { CiliumEventType, Endpoint, Flow, Layer7, NetscopeExtension, TCPFlags } from '../model/flow.ts';
import { RESET_BY_CLIENT_SUMMARY, RESET_BY_SERVER_SUMMARY, RESET_REFUSED_SUMMARY } from '../model/tcp-reset.ts';
import { httpUrl, mayBeHttpRequest, parseHttpRequest, parseHttpResponse } from './http.ts';
import type { ConnFields, L7Fields } from './record-fields.ts';
import { ConnFlag } from './records.ts';
import { nsBetween } from './wall-clock.ts';

export const TRACE = 4;
export const L7 = 129;

// Parts every conn/L7 flow of a kind shares. Frozen: flows are values that later
// stages copy, never edit (streams/enrich.ts), so one object can serve them all.
export const FLAGS_SYN: TCPFlags = Object.freeze({ SYN: true });
export const FLAGS_SYN_ACK: TCPFlags = Object.freeze({ SYN: true, ACK: true });
export const FLAGS_RST: TCPFlags = Object.freeze({ RST: true });
export const FLAGS_FIN_ACK: TCPFlags = Object.freeze({ FIN: true, ACK: true });
/** Seen at the socket: leaving the client's endpoint, or arriving at the server's. */
export const EVENT_FROM_ENDPOINT: CiliumEventType = Object.freeze({ type: TRACE, sub_type: 5 });
export const EVENT_TO_ENDPOINT: CiliumEventType = Object.freeze({ type: TRACE, sub_type: 0 });
export const EVENT_L7: CiliumEventType = Object.freeze({ type: L7 });
/** The collector knows no endpoint identity; enrichment replaces these with filled copies. */
export const NO_ENDPOINT: Endpoint = Object.freeze({});

/**
 * A close record carrying its connection's one request/response only to save the
 * kernel a record (ConnFlag.L7Own: no open scan ran): the pair is its own L7 flow,
 * before the close, as if the kernel had written its record.
 */
export function ownPair(c: ConnFields): boolean {
  return !c.open && (c.flags & (ConnFlag.L7Folded | ConnFlag.L7Own)) === (ConnFlag.L7Folded | ConnFlag.L7Own);
}

/** The IP part of a flow. IPv4-mapped IPv6 peers are printed as IPv4 (address.ts), so the version goes by the text. */
export function ipOf(source: string, destination: string, family: 4 | 6): NonNullable<Flow['IP']> {
  return { source, destination, ipVersion: family === 4 || !source.includes(':') ? 'IPv4' : 'IPv6' };
}

/**
 * A conn flow's netscope fields, keys in this order: srtt_us, pid and comm (owner
 * known), connect_latency_ns (client side, established), the counters and
 * duration_ns (close), then response_latency_ns (a close that carries its
 * connection's one request/response). The usual close summaries are built as one
 * literal (connCounters), since adding keys one by one reallocates the object's
 * property store.
 */
export function connExtension(c: ConnFields, passive: boolean): NetscopeExtension {
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

/** An L7 record's (or folded pair's) l7 field: the response, with HTTP when the request parses as HTTP. */
export function l7Layer(l: L7Fields): Layer7 {
  const layer7: Layer7 = { type: 'RESPONSE', latency_ns: l.latencyNs };
  const req = mayBeHttpRequest(l.reqBuf, l.reqOff, l.reqLen) ? parseHttpRequest(l.reqBuf, l.reqOff, l.reqOff + l.reqLen) : undefined;
  if (req) {
    const resp = parseHttpResponse(l.respBuf, l.respOff, l.respOff + l.respLen);
    const http: NonNullable<Layer7['http']> = { method: req.method, url: httpUrl(req), protocol: resp?.protocol ?? req.protocol };
    if (resp) http.code = resp.code;
    layer7.http = http;
  }
  return layer7;
}

/** The Summary of an L7 flow whose l7 field l7Layer gave. */
export function l7Summary(layer7: Layer7): string {
  const http = layer7.http;
  const ns = layer7.latency_ns!;
  if (http === undefined) return tcpResponseSummary(ns);
  return `${http.protocol} ${http.code ?? '???'} ${latencyMs(ns)}ms (${http.method} ${http.url})`;
}

/** A conn flow's TCP flags: shared, frozen objects. */
export function connTcpFlags(flags: number, open: boolean): TCPFlags {
  const passive = (flags & ConnFlag.Passive) !== 0;
  if (open) return passive ? FLAGS_SYN_ACK : FLAGS_SYN;
  if ((flags & (ConnFlag.RstRx | ConnFlag.RstTx)) !== 0) return FLAGS_RST;
  return FLAGS_FIN_ACK;
}

export function connSummary(flags: number, open: boolean): string {
  if (open) return (flags & ConnFlag.Passive) !== 0 ? 'TCP Flags: SYN, ACK' : 'TCP Flags: SYN';
  if ((flags & (ConnFlag.RstRx | ConnFlag.RstTx)) !== 0) {
    const refused = (flags & ConnFlag.Established) === 0 && (flags & ConnFlag.RstRx) !== 0;
    if (refused) return RESET_REFUSED_SUMMARY;
    // Which end reset it: the server's socket sent the RST, or the client's received it.
    const passive = (flags & ConnFlag.Passive) !== 0;
    return (flags & (passive ? ConnFlag.RstTx : ConnFlag.RstRx)) !== 0 ? RESET_BY_SERVER_SUMMARY : RESET_BY_CLIENT_SUMMARY;
  }
  return 'TCP Flags: FIN, ACK';
}
