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

export const RECORD_SIZES = { conn: 136, drop: 80, l7: 240, dns: 208, reason: 80, clock: 24, stats: 32 } as const;

export const ConnFlag = { Active: 0x1, Passive: 0x2, RstRx: 0x4, RstTx: 0x8, Established: 0x10 } as const;

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

function comm(buf: Buffer, off: number): string {
  const a = buf.readUInt32LE(off);
  const b = buf.readUInt32LE(off + 4);
  const c = buf.readUInt32LE(off + 8);
  const d = buf.readUInt32LE(off + 12);
  const i = (a ^ (b >>> 7) ^ (c >>> 13) ^ (d >>> 19) ^ (a >>> 24)) & 63;
  const e = COMM_CACHE[i];
  if (e !== undefined && e.a === a && e.b === b && e.c === c && e.d === d) return e.s;
  const str = cstr(buf, off, off + 16);
  COMM_CACHE[i] = { a, b, c, d, s: str };
  return str;
}

function u64(buf: Buffer, off: number): number {
  // Counters and cookies stay far below 2^53; read as two halves to avoid BigInt.
  return buf.readUInt32LE(off) + buf.readUInt32LE(off + 4) * 0x1_0000_0000;
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
  const type = rec.readUInt32LE(0);
  const tsNs = rec.readBigUInt64LE(8);
  switch (type) {
    case RecType.ConnOpen:
    case RecType.ConnClose:
      need(rec, RECORD_SIZES.conn, 'conn');
      return {
        type: type === RecType.ConnOpen ? 'conn-open' : 'conn-close',
        tsNs,
        tuple: tuple(rec, 16),
        cookie: u64(rec, 56),
        startNs: rec.readBigUInt64LE(64),
        estabNs: rec.readBigUInt64LE(72),
        bytesSent: u64(rec, 80),
        bytesReceived: u64(rec, 88),
        segsOut: rec.readUInt32LE(96),
        segsIn: rec.readUInt32LE(100),
        srttUs: rec.readUInt32LE(104),
        retrans: rec.readUInt32LE(108),
        pid: rec.readUInt32LE(112),
        flags: rec.readUInt32LE(116),
        comm: comm(rec, 120),
      };
    case RecType.Drop:
      need(rec, RECORD_SIZES.drop, 'drop');
      return {
        type: 'drop',
        tsNs,
        tuple: tuple(rec, 16),
        reason: rec.readUInt32LE(56),
        ifindex: rec.readUInt32LE(60),
        len: rec.readUInt32LE(64),
        tcpFlags: rec[68]!,
        netns: rec.readUInt32LE(72),
      };
    case RecType.L7: {
      need(rec, RECORD_SIZES.l7, 'l7');
      const reqLen = Math.min(rec.readUInt16LE(84), 96);
      const respLen = Math.min(rec.readUInt16LE(86), 32);
      return {
        type: 'l7',
        tsNs,
        tuple: tuple(rec, 16),
        cookie: u64(rec, 56),
        reqNs: rec.readBigUInt64LE(64),
        latencyNs: u64(rec, 72),
        reqEgress: rec.readUInt32LE(80) === 1,
        pid: rec.readUInt32LE(88),
        comm: comm(rec, 96),
        // Views, not copies: records are mapped to flows at once and not kept.
        req: rec.subarray(112, 112 + reqLen),
        resp: rec.subarray(208, 208 + respLen),
      };
    }
    case RecType.Dns: {
      need(rec, RECORD_SIZES.dns, 'dns');
      const len = Math.min(rec.readUInt32LE(68), 128);
      return {
        type: 'dns',
        tsNs,
        tuple: tuple(rec, 16),
        cookie: u64(rec, 56),
        egress: rec.readUInt32LE(64) === 1,
        data: rec.subarray(80, 80 + len), // a view, like the L7 snapshots
      };
    }
    case RecType.Ready:
      return { type: 'ready', tsNs, programs: cstr(rec, 16, rec.length).split(',').filter((s) => s !== '') };
    case RecType.Warn:
      return { type: 'warn', tsNs, message: cstr(rec, 16, rec.length) };
    case RecType.Reason:
      need(rec, RECORD_SIZES.reason, 'reason');
      return { type: 'reason', tsNs, code: rec.readUInt32LE(16), name: cstr(rec, 24, 80) };
    case RecType.Clock:
      need(rec, RECORD_SIZES.clock, 'clock');
      return { type: 'clock', tsNs, offsetNs: rec.readBigInt64LE(16) };
    case RecType.Stats:
      need(rec, RECORD_SIZES.stats, 'stats');
      return { type: 'stats', tsNs, lost: u64(rec, 16), events: u64(rec, 24) };
    default:
      return { type: 'unknown', tsNs, recType: type, size: rec.length };
  }
}

function need(rec: Buffer, size: number, what: string): void {
  if (rec.length < size) throw new RangeError(`${what} record of ${rec.length} bytes, expected ${size}`);
}

const MAX_RECORD = 65536;
const EMPTY = Buffer.alloc(0);

/** Decodes the complete records starting in [off, limit) into out; returns where it stopped. */
function scan(buf: Buffer, off: number, limit: number, out: LoaderRecord[]): number {
  while (off < limit && buf.length - off >= 16) {
    const size = buf.readUInt32LE(off + 4);
    if (size < 16 || size % 8 !== 0 || size > MAX_RECORD) {
      throw new RangeError(`corrupt loader stream: record size ${size} at byte ${off}`);
    }
    if (buf.length - off < size) break;
    out.push(decodeRecord(buf.subarray(off, off + size)));
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

  push(chunk: Buffer): LoaderRecord[] {
    const out: LoaderRecord[] = [];
    let off = 0;
    if (this.pending.length > 0) {
      // The tail holds the start of one record (at most MAX_RECORD bytes): join it
      // with just enough of the chunk to finish it, not with the whole chunk.
      const p = this.pending.length;
      const want = p >= 16 ? Math.max(0, this.pending.readUInt32LE(4) - p) : MAX_RECORD + 16;
      const joined = Buffer.concat([this.pending, chunk.subarray(0, want)]);
      const end = scan(joined, 0, p, out);
      if (end < p) {
        this.pending = Buffer.concat([this.pending, chunk]);
        return out;
      }
      off = end - p;
    }
    off = scan(chunk, off, chunk.length, out);
    this.pending = off === chunk.length ? EMPTY : Buffer.from(chunk.subarray(off));
    return out;
  }

  /** Bytes of an incomplete record still waiting for more input. */
  get pendingBytes(): number {
    return this.pending.length;
  }
}
