// Decodes the loader's stdout: a stream of binary records framed by ns_hdr
// {type u32, size u32, ts_ns u64} (bpf/netscope.h, native/loader_proto.h). Offsets
// here mirror the C structs; native/out.c asserts the sizes at compile time.
import { formatAddress } from './address.ts';

export const RecType = {
  ConnOpen: 1,
  ConnClose: 2,
  Drop: 3,
  L7: 4,
  Dns: 5,
  Ready: 100,
  Reason: 101,
  Clock: 102,
  Stats: 103,
  Warn: 104,
} as const;

export const RECORD_SIZES = { conn: 152, drop: 80, l7: 240, dns: 208, reason: 80, clock: 24, stats: 32 } as const;

export const ConnFlag = {
  Active: 0x1,
  Passive: 0x2,
  RstRx: 0x4,
  RstTx: 0x8,
  Established: 0x10,
  /** Close record carrying the connection's one (non-HTTP) request/response: l7ReqNs, l7RespNs. */
  L7Folded: 0x40,
  /** ... whose request this side sent. */
  L7ReqEgress: 0x80,
  /** ... folded only to save a record (no open scan): shown as an L7 flow of its own. */
  L7Own: 0x100,
} as const;

/** Offsets in every socket and packet record: the header, then ns_tuple at 16. */
export const TUPLE = { saddr: 16, daddr: 32, sport: 48, dport: 50, family: 52, proto: 53 } as const;
/** Offsets of ns_conn's fields (the flow mapper reads the hot records straight from the chunk). */
export const CONN = { cookie: 56, startNs: 64, estabNs: 72, bytesSent: 80, bytesReceived: 88, segsOut: 96, segsIn: 100, srttUs: 104, retrans: 108, pid: 112, flags: 116, comm: 120, l7ReqNs: 136, l7RespNs: 144 } as const;
/** Offsets of ns_l7's fields. */
export const L7 = { cookie: 56, reqNs: 64, latencyNs: 72, reqEgress: 80, reqLen: 84, respLen: 86, pid: 88, comm: 96, req: 112, resp: 208 } as const;
/** Bytes kept of a request and of a response (NS_L7_SNAP, resp[32]). */
export const L7_SNAP = { req: 96, resp: 32 } as const;

export interface Tuple {
  /** Socket records: the local side. Packet records (drop, DNS): the packet's sender. */
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  family: 4 | 6;
  proto: number;
}

export interface ConnRecord {
  type: 'conn-open' | 'conn-close';
  tsNs: bigint;
  tuple: Tuple;
  cookie: number;
  startNs: bigint;
  estabNs: bigint;
  bytesSent: number;
  bytesReceived: number;
  segsOut: number;
  segsIn: number;
  srttUs: number;
  retrans: number;
  pid: number;
  flags: number;
  comm: string;
  /** With ConnFlag.L7Folded: the request's first byte and the response's (boot ns); else 0. */
  l7ReqNs: bigint;
  l7RespNs: bigint;
}

export interface DropRecord {
  type: 'drop';
  tsNs: bigint;
  tuple: Tuple;
  reason: number;
  ifindex: number;
  len: number;
  tcpFlags: number;
  netns: number;
}

export interface L7Record {
  type: 'l7';
  tsNs: bigint;
  tuple: Tuple;
  cookie: number;
  reqNs: bigint;
  latencyNs: number;
  /** True when the observing socket sent the request (client side). */
  reqEgress: boolean;
  pid: number;
  comm: string;
  req: Buffer;
  resp: Buffer;
}

export interface DnsRecord {
  type: 'dns';
  tsNs: bigint;
  tuple: Tuple;
  cookie: number;
  egress: boolean;
  data: Buffer;
}

export type LoaderRecord =
  | ConnRecord
  | DropRecord
  | L7Record
  | DnsRecord
  | { type: 'ready'; tsNs: bigint; programs: string[] }
  | { type: 'warn'; tsNs: bigint; message: string }
  | { type: 'reason'; tsNs: bigint; code: number; name: string }
  | { type: 'clock'; tsNs: bigint; offsetNs: bigint }
  | { type: 'stats'; tsNs: bigint; lost: number; events: number }
  | { type: 'unknown'; tsNs: bigint; recType: number; size: number };

function cstr(buf: Buffer, start: number, end: number): string {
  const nul = buf.indexOf(0, start);
  return buf.toString('latin1', start, nul >= start && nul < end ? nul : end);
}

/** Process names repeat: a small direct-mapped cache keyed by the 16 raw bytes. */
interface CommEntry {
  a: number;
  b: number;
  c: number;
  d: number;
  s: string;
}
const COMM_CACHE: (CommEntry | undefined)[] = new Array(64);

export function comm(buf: Buffer, off: number): string {
  const a = u32(buf, off);
  const b = u32(buf, off + 4);
  const c = u32(buf, off + 8);
  const d = u32(buf, off + 12);
  const i = (a ^ (b >>> 7) ^ (c >>> 13) ^ (d >>> 19) ^ (a >>> 24)) & 63;
  const e = COMM_CACHE[i];
  if (e !== undefined && e.a === a && e.b === b && e.c === c && e.d === d) return e.s;
  const str = cstr(buf, off, off + 16);
  COMM_CACHE[i] = { a, b, c, d, s: str };
  return str;
}

// Field readers for the hot path: plain byte loads, which the JIT keeps inline (the
// Buffer read methods showed up on their own in profiles). Callers have checked the
// record's size, so the bytes are there.

/** u32, little-endian (the loader writes host order; x86-64 and arm64 are LE). */
export function u32(buf: Buffer, off: number): number {
  return (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16)) + buf[off + 3]! * 0x100_0000;
}

/** u16, little-endian. */
export function u16(buf: Buffer, off: number): number {
  return buf[off]! | (buf[off + 1]! << 8);
}

/** u16 in network order (ports). */
export function u16be(buf: Buffer, off: number): number {
  return (buf[off]! << 8) | buf[off + 1]!;
}

export function u64(buf: Buffer, off: number): number {
  // Counters and cookies stay far below 2^53; read as two halves to avoid BigInt.
  return u32(buf, off) + u32(buf, off + 4) * 0x1_0000_0000;
}

function tuple(buf: Buffer, off: number): Tuple {
  const family = buf[off + 36] === 6 ? 6 : 4;
  return {
    saddr: formatAddress(buf, off, family),
    daddr: formatAddress(buf, off + 16, family),
    sport: buf.readUInt16BE(off + 32),
    dport: buf.readUInt16BE(off + 34),
    family,
    proto: buf[off + 37]!,
  };
}

/** Decodes one complete record (`rec.length` = its size). Throws RangeError if truncated. */
export function decodeRecord(rec: Buffer): LoaderRecord {
  return decodeRecordAt(rec, 0, rec.length);
}

/** Decodes the record of `size` bytes at `at` in buf. Throws RangeError if truncated. */
export function decodeRecordAt(buf: Buffer, at: number, size: number): LoaderRecord {
  const type = buf.readUInt32LE(at);
  const tsNs = buf.readBigUInt64LE(at + 8);
  switch (type) {
    case RecType.ConnOpen:
    case RecType.ConnClose:
      need(size, RECORD_SIZES.conn, 'conn');
      return {
        type: type === RecType.ConnOpen ? 'conn-open' : 'conn-close',
        tsNs,
        tuple: tuple(buf, at + 16),
        cookie: u64(buf, at + CONN.cookie),
        startNs: buf.readBigUInt64LE(at + CONN.startNs),
        estabNs: buf.readBigUInt64LE(at + CONN.estabNs),
        bytesSent: u64(buf, at + CONN.bytesSent),
        bytesReceived: u64(buf, at + CONN.bytesReceived),
        segsOut: buf.readUInt32LE(at + CONN.segsOut),
        segsIn: buf.readUInt32LE(at + CONN.segsIn),
        srttUs: buf.readUInt32LE(at + CONN.srttUs),
        retrans: buf.readUInt32LE(at + CONN.retrans),
        pid: buf.readUInt32LE(at + CONN.pid),
        flags: buf.readUInt32LE(at + CONN.flags),
        comm: comm(buf, at + CONN.comm),
        l7ReqNs: buf.readBigUInt64LE(at + CONN.l7ReqNs),
        l7RespNs: buf.readBigUInt64LE(at + CONN.l7RespNs),
      };
    case RecType.Drop:
      need(size, RECORD_SIZES.drop, 'drop');
      return {
        type: 'drop',
        tsNs,
        tuple: tuple(buf, at + 16),
        reason: buf.readUInt32LE(at + 56),
        ifindex: buf.readUInt32LE(at + 60),
        len: buf.readUInt32LE(at + 64),
        tcpFlags: buf[at + 68]!,
        netns: buf.readUInt32LE(at + 72),
      };
    case RecType.L7: {
      need(size, RECORD_SIZES.l7, 'l7');
      const reqLen = Math.min(buf.readUInt16LE(at + L7.reqLen), L7_SNAP.req);
      const respLen = Math.min(buf.readUInt16LE(at + L7.respLen), L7_SNAP.resp);
      return {
        type: 'l7',
        tsNs,
        tuple: tuple(buf, at + 16),
        cookie: u64(buf, at + L7.cookie),
        reqNs: buf.readBigUInt64LE(at + L7.reqNs),
        latencyNs: u64(buf, at + L7.latencyNs),
        reqEgress: buf.readUInt32LE(at + L7.reqEgress) === 1,
        pid: buf.readUInt32LE(at + L7.pid),
        comm: comm(buf, at + L7.comm),
        // Views, not copies: records are mapped to flows at once and not kept.
        req: buf.subarray(at + L7.req, at + L7.req + reqLen),
        resp: buf.subarray(at + L7.resp, at + L7.resp + respLen),
      };
    }
    case RecType.Dns: {
      need(size, RECORD_SIZES.dns, 'dns');
      const len = Math.min(buf.readUInt32LE(at + 68), 128);
      return {
        type: 'dns',
        tsNs,
        tuple: tuple(buf, at + 16),
        cookie: u64(buf, at + 56),
        egress: buf.readUInt32LE(at + 64) === 1,
        data: buf.subarray(at + 80, at + 80 + len), // a view, like the L7 snapshots
      };
    }
    case RecType.Ready:
      return { type: 'ready', tsNs, programs: cstr(buf, at + 16, at + size).split(',').filter((s) => s !== '') };
    case RecType.Warn:
      return { type: 'warn', tsNs, message: cstr(buf, at + 16, at + size) };
    case RecType.Reason:
      need(size, RECORD_SIZES.reason, 'reason');
      return { type: 'reason', tsNs, code: buf.readUInt32LE(at + 16), name: cstr(buf, at + 24, at + 80) };
    case RecType.Clock:
      need(size, RECORD_SIZES.clock, 'clock');
      return { type: 'clock', tsNs, offsetNs: buf.readBigInt64LE(at + 16) };
    case RecType.Stats:
      need(size, RECORD_SIZES.stats, 'stats');
      return { type: 'stats', tsNs, lost: u64(buf, at + 16), events: u64(buf, at + 24) };
    default:
      return { type: 'unknown', tsNs, recType: type, size };
  }
}

function need(size: number, expected: number, what: string): void {
  if (size < expected) throw new RangeError(`${what} record of ${size} bytes, expected ${expected}`);
}

const MAX_RECORD = 65536;
const EMPTY = Buffer.alloc(0);

/**
 * Called with each complete record: `size` bytes at `off` in buf. The reader never
 * writes a buffer it has handed out (joined tails are fresh buffers), so the bytes stay
 * as they are while the caller's chunk does: lazy flows keep views of them.
 */
export type RecordSink = (buf: Buffer, off: number, size: number) => void;

/** Hands the complete records starting in [off, limit) to sink; returns where it stopped. */
function scan(buf: Buffer, off: number, limit: number, sink: RecordSink): number {
  while (off < limit && buf.length - off >= 16) {
    const size = u32(buf, off + 4);
    if (size < 16 || size % 8 !== 0 || size > MAX_RECORD) {
      throw new RangeError(`corrupt loader stream: record size ${size} at byte ${off}`);
    }
    if (buf.length - off < size) break;
    sink(buf, off, size);
    off += size;
  }
  return off;
}

/**
 * Splits a byte stream into records. Feed it chunks as they arrive; it keeps the
 * partial tail for the next chunk. A size field smaller than the header, larger
 * than MAX_RECORD or not a multiple of 8 means the stream is corrupt: that is
 * thrown, not skipped.
 */
export class RecordReader {
  private pending: Buffer = EMPTY;

  /** The chunk's complete records, decoded. */
  push(chunk: Buffer): LoaderRecord[] {
    const out: LoaderRecord[] = [];
    this.feed(chunk, (buf, off, size) => out.push(decodeRecordAt(buf, off, size)));
    return out;
  }

  /**
   * The chunk's complete records as byte ranges, in order, without decoding them or
   * making a Buffer per record (the collector's hot path: FlowMapper.mapAt).
   */
  feed(chunk: Buffer, sink: RecordSink): void {
    let off = 0;
    if (this.pending.length > 0) {
      // The tail holds the start of one record (at most MAX_RECORD bytes): join it
      // with just enough of the chunk to finish it, not with the whole chunk.
      const p = this.pending.length;
      const want = p >= 16 ? Math.max(0, this.pending.readUInt32LE(4) - p) : MAX_RECORD + 16;
      const joined = Buffer.concat([this.pending, chunk.subarray(0, want)]);
      const end = scan(joined, 0, p, sink);
      if (end < p) {
        this.pending = Buffer.concat([this.pending, chunk]);
        return;
      }
      off = end - p;
    }
    off = scan(chunk, off, chunk.length, sink);
    this.pending = off === chunk.length ? EMPTY : Buffer.from(chunk.subarray(off));
  }

  /** Bytes of an incomplete record still waiting for more input. */
  get pendingBytes(): number {
    return this.pending.length;
  }
}
