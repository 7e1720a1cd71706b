// The fields of the two hot loader records (conn, L7) as the flow mapper needs them,
// filled in place either straight from a chunk (what the collector does: no record
// object, no BigInt) or from a decoded record (tests, other readers).
import { formatAddress } from './address.ts';
import { CONN, ConnFlag, L7, L7_SNAP, TUPLE, comm, u16, u16be, u32, u64, type ConnRecord, type L7Record } from './records.ts';
import { hi32, lo32, nsBetween } from './wall-clock.ts';

/** What every socket record starts with: its time (boot ns halves), the socket's tuple, its cookie. */
class SocketFields {
  tsLo = 0;
  tsHi = 0;
  saddr = '';
  daddr = '';
  family: 4 | 6 = 4;
  sport = 0;
  dport = 0;
  cookie = 0;
}

/** Fills the socket part from the record at `at` in buf (cookie at `cookieAt` in it). */
function socketAt(f: SocketFields, buf: Buffer, at: number, cookieAt: number): void {
  const family = buf[at + TUPLE.family] === 6 ? 6 : 4;
  f.tsLo = u32(buf, at + 8);
  f.tsHi = u32(buf, at + 12);
  f.saddr = formatAddress(buf, at + TUPLE.saddr, family);
  f.daddr = formatAddress(buf, at + TUPLE.daddr, family);
  f.family = family;
  f.sport = u16be(buf, at + TUPLE.sport);
  f.dport = u16be(buf, at + TUPLE.dport);
  f.cookie = u64(buf, at + cookieAt);
}

/** Fills the socket part from a decoded record. */
function socketOf(f: SocketFields, r: ConnRecord | L7Record): void {
  f.tsLo = lo32(r.tsNs);
  f.tsHi = hi32(r.tsNs);
  f.saddr = r.tuple.saddr;
  f.daddr = r.tuple.daddr;
  f.family = r.tuple.family;
  f.sport = r.tuple.sport;
  f.dport = r.tuple.dport;
  f.cookie = r.cookie;
}

/** A conn record's fields as connFlow needs them: filled in place, one per mapper. */
export class ConnFields extends SocketFields {
  open = false;
  startLo = 0;
  startHi = 0;
  estabLo = 0;
  estabHi = 0;
  bytesSent = 0;
  bytesReceived = 0;
  segsOut = 0;
  segsIn = 0;
  srttUs = 0;
  retrans = 0;
  pid = 0;
  flags = 0;
  /** Only read when pid is not 0. */
  comm = '';
  /** Only read with ConnFlag.L7Folded: the folded request/response (boot ns halves). */
  reqLo = 0;
  reqHi = 0;
  respLo = 0;
  respHi = 0;
}

/** An L7 record's fields as l7Flow needs them: filled in place, one per mapper. */
export class L7Fields extends SocketFields {
  latencyNs = 0;
  reqEgress = false;
  pid = 0;
  /** Only read when pid is not 0. */
  comm = '';
  reqBuf: Buffer = Buffer.alloc(0);
  reqOff = 0;
  reqLen = 0;
  respBuf: Buffer = Buffer.alloc(0);
  respOff = 0;
  respLen = 0;
}

/** Fills c from the conn record at `at` in buf. */
export function connAt(c: ConnFields, buf: Buffer, at: number, open: boolean): ConnFields {
  socketAt(c, buf, at, CONN.cookie);
  c.open = open;
  c.startLo = u32(buf, at + CONN.startNs);
  c.startHi = u32(buf, at + CONN.startNs + 4);
  c.estabLo = u32(buf, at + CONN.estabNs);
  c.estabHi = u32(buf, at + CONN.estabNs + 4);
  c.bytesSent = u64(buf, at + CONN.bytesSent);
  c.bytesReceived = u64(buf, at + CONN.bytesReceived);
  c.segsOut = u32(buf, at + CONN.segsOut);
  c.segsIn = u32(buf, at + CONN.segsIn);
  c.srttUs = u32(buf, at + CONN.srttUs);
  c.retrans = u32(buf, at + CONN.retrans);
  c.pid = u32(buf, at + CONN.pid);
  c.flags = u32(buf, at + CONN.flags);
  c.comm = c.pid !== 0 ? comm(buf, at + CONN.comm) : '';
  if ((c.flags & ConnFlag.L7Folded) !== 0) {
    c.reqLo = u32(buf, at + CONN.l7ReqNs);
    c.reqHi = u32(buf, at + CONN.l7ReqNs + 4);
    c.respLo = u32(buf, at + CONN.l7RespNs);
    c.respHi = u32(buf, at + CONN.l7RespNs + 4);
  }
  return c;
}

/** Fills c from a decoded conn record. */
export function connOf(c: ConnFields, r: ConnRecord): ConnFields {
  socketOf(c, r);
  c.open = r.type === 'conn-open';
  c.startLo = lo32(r.startNs);
  c.startHi = hi32(r.startNs);
  c.estabLo = lo32(r.estabNs);
  c.estabHi = hi32(r.estabNs);
  c.bytesSent = r.bytesSent;
  c.bytesReceived = r.bytesReceived;
  c.segsOut = r.segsOut;
  c.segsIn = r.segsIn;
  c.srttUs = r.srttUs;
  c.retrans = r.retrans;
  c.pid = r.pid;
  c.flags = r.flags;
  c.comm = r.comm;
  c.reqLo = lo32(r.l7ReqNs);
  c.reqHi = hi32(r.l7ReqNs);
  c.respLo = lo32(r.l7RespNs);
  c.respHi = hi32(r.l7RespNs);
  return c;
}

/** Fills l from the L7 record at `at` in buf. */
export function l7At(l: L7Fields, buf: Buffer, at: number): L7Fields {
  socketAt(l, buf, at, L7.cookie);
  l.latencyNs = u64(buf, at + L7.latencyNs);
  l.reqEgress = u32(buf, at + L7.reqEgress) === 1;
  l.pid = u32(buf, at + L7.pid);
  l.comm = l.pid !== 0 ? comm(buf, at + L7.comm) : '';
  l.reqBuf = buf;
  l.reqOff = at + L7.req;
  l.reqLen = Math.min(u16(buf, at + L7.reqLen), L7_SNAP.req);
  l.respBuf = buf;
  l.respOff = at + L7.resp;
  l.respLen = Math.min(u16(buf, at + L7.respLen), L7_SNAP.resp);
  return l;
}

const NO_BYTES = Buffer.alloc(0);

/**
 * Fills l with the request/response pair a close record carries (ConnFlag.L7Folded),
 * as the L7 record the kernel writes for a held pair (no snapshots) would fill it.
 */
export function l7OfClose(l: L7Fields, c: ConnFields): L7Fields {
  l.tsLo = c.respLo;
  l.tsHi = c.respHi;
  l.saddr = c.saddr;
  l.daddr = c.daddr;
  l.family = c.family;
  l.sport = c.sport;
  l.dport = c.dport;
  l.cookie = c.cookie;
  l.latencyNs = nsBetween(c.respLo, c.respHi, c.reqLo, c.reqHi);
  l.reqEgress = (c.flags & ConnFlag.L7ReqEgress) !== 0;
  l.pid = c.pid;
  l.comm = c.comm;
  l.reqBuf = NO_BYTES;
  l.reqOff = 0;
  l.reqLen = 0;
  l.respBuf = NO_BYTES;
  l.respOff = 0;
  l.respLen = 0;
  return l;
}

/** Fills l from a decoded L7 record. */
export function l7Of(l: L7Fields, r: L7Record): L7Fields {
  socketOf(l, r);
  l.latencyNs = r.latencyNs;
  l.reqEgress = r.reqEgress;
  l.pid = r.pid;
  l.comm = r.comm;
  l.reqBuf = r.req;
  l.reqOff = 0;
  l.reqLen = r.req.length;
  l.respBuf = r.resp;
  l.respOff = 0;
  l.respLen = r.resp.length;
  return l;
}
