// Builds loader records byte for byte as the C structs lay them out, so the
// decoder is tested against the wire format rather than against itself.
import { isIPv4 } from 'node:net';

export interface TupleSpec {
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  proto?: number;
}

function putAddr(buf: Buffer, off: number, addr: string): void {
  if (isIPv4(addr)) {
    addr.split('.').forEach((p, i) => (buf[off + i] = Number(p)));
    return;
  }
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => buf.writeUInt16BE(parseInt(g, 16), off + i * 2));
}

function header(buf: Buffer, type: number, tsNs: bigint): void {
  buf.writeUInt32LE(type, 0);
  buf.writeUInt32LE(buf.length, 4);
  buf.writeBigUInt64LE(tsNs, 8);
}

function tuple(buf: Buffer, t: TupleSpec): void {
  const v6 = !isIPv4(t.saddr);
  putAddr(buf, 16, t.saddr);
  putAddr(buf, 32, t.daddr);
  buf.writeUInt16BE(t.sport, 48);
  buf.writeUInt16BE(t.dport, 50);
  buf[52] = v6 ? 6 : 4;
  buf[53] = t.proto ?? 6;
}

export function connRecord(o: {
  open: boolean;
  tsNs: bigint;
  t: TupleSpec;
  cookie: number;
  startNs?: bigint;
  estabNs?: bigint;
  bytesSent?: number;
  bytesReceived?: number;
  segsOut?: number;
  segsIn?: number;
  srttUs?: number;
  retrans?: number;
  pid?: number;
  flags: number;
  comm?: string;
  l7ReqNs?: bigint;
  l7RespNs?: bigint;
}): Buffer {
  const b = Buffer.alloc(152);
  header(b, o.open ? 1 : 2, o.tsNs);
  tuple(b, o.t);
  b.writeBigUInt64LE(BigInt(o.cookie), 56);
  b.writeBigUInt64LE(o.startNs ?? 0n, 64);
  b.writeBigUInt64LE(o.estabNs ?? 0n, 72);
  b.writeBigUInt64LE(BigInt(o.bytesSent ?? 0), 80);
  b.writeBigUInt64LE(BigInt(o.bytesReceived ?? 0), 88);
  b.writeUInt32LE(o.segsOut ?? 0, 96);
  b.writeUInt32LE(o.segsIn ?? 0, 100);
  b.writeUInt32LE(o.srttUs ?? 0, 104);
  b.writeUInt32LE(o.retrans ?? 0, 108);
  b.writeUInt32LE(o.pid ?? 0, 112);
  b.writeUInt32LE(o.flags, 116);
  b.write(o.comm ?? '', 120, 15, 'latin1');
  b.writeBigUInt64LE(o.l7ReqNs ?? 0n, 136);
  b.writeBigUInt64LE(o.l7RespNs ?? 0n, 144);
  return b;
}

export function dropRecord(o: { tsNs: bigint; t: TupleSpec; reason: number; tcpFlags?: number; ifindex?: number }): Buffer {
  const b = Buffer.alloc(80);
  header(b, 3, o.tsNs);
  tuple(b, o.t);
  b.writeUInt32LE(o.reason, 56);
  b.writeUInt32LE(o.ifindex ?? 0, 60);
  b.writeUInt32LE(60, 64);
  b[68] = o.tcpFlags ?? 0;
  return b;
}

export function l7Record(o: { tsNs: bigint; t: TupleSpec; cookie: number; latencyNs: number; reqEgress: boolean; req: string; resp: string; pid?: number; comm?: string }): Buffer {
  const b = Buffer.alloc(240);
  header(b, 4, o.tsNs);
  tuple(b, o.t);
  b.writeBigUInt64LE(BigInt(o.cookie), 56);
  b.writeBigUInt64LE(o.tsNs - BigInt(o.latencyNs), 64);
  b.writeBigUInt64LE(BigInt(o.latencyNs), 72);
  b.writeUInt32LE(o.reqEgress ? 1 : 0, 80);
  const req = Buffer.from(o.req, 'latin1').subarray(0, 96);
  const resp = Buffer.from(o.resp, 'latin1').subarray(0, 32);
  b.writeUInt16LE(req.length, 84);
  b.writeUInt16LE(resp.length, 86);
  b.writeUInt32LE(o.pid ?? 0, 88);
  b.write(o.comm ?? '', 96, 15, 'latin1');
  req.copy(b, 112);
  resp.copy(b, 208);
  return b;
}

export function dnsRecord(o: { tsNs: bigint; t: TupleSpec; cookie: number; egress: boolean; msg: Buffer }): Buffer {
  const b = Buffer.alloc(208);
  header(b, 5, o.tsNs);
  tuple(b, { ...o.t, proto: 17 });
  b.writeBigUInt64LE(BigInt(o.cookie), 56);
  b.writeUInt32LE(o.egress ? 1 : 0, 64);
  const m = o.msg.subarray(0, 128);
  b.writeUInt32LE(m.length, 68);
  m.copy(b, 80);
  return b;
}

export function textRecord(type: number, text: string): Buffer {
  const size = (16 + text.length + 1 + 7) & ~7;
  const b = Buffer.alloc(size);
  header(b, type, 1n);
  b.write(text, 16, 'latin1');
  return b;
}

export function reasonRecord(code: number, name: string): Buffer {
  const b = Buffer.alloc(80);
  header(b, 101, 0n);
  b.writeUInt32LE(code, 16);
  b.write(name, 24, 'latin1');
  return b;
}

export function clockRecord(offsetNs: bigint): Buffer {
  const b = Buffer.alloc(24);
  header(b, 102, 0n);
  b.writeBigInt64LE(offsetNs, 16);
  return b;
}

export function statsRecord(lost: number, events: number, tsNs = 0n): Buffer {
  const b = Buffer.alloc(32);
  header(b, 103, tsNs);
  b.writeBigUInt64LE(BigInt(lost), 16);
  b.writeBigUInt64LE(BigInt(events), 24);
  return b;
}

/** A DNS message: one question, optional A answers (names compressed to the question). */
export function dnsMessage(o: { id: number; response: boolean; rcode?: number; name: string; qtype?: number; answers?: string[]; ttl?: number }): Buffer {
  const parts: Buffer[] = [];
  const h = Buffer.alloc(12);
  h.writeUInt16BE(o.id, 0);
  h.writeUInt16BE((o.response ? 0x8180 : 0x0100) | (o.rcode ?? 0), 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(o.answers?.length ?? 0, 6);
  parts.push(h);
  for (const label of o.name.split('.').filter((l) => l !== '')) {
    parts.push(Buffer.from([label.length]), Buffer.from(label, 'latin1'));
  }
  parts.push(Buffer.from([0, 0, o.qtype ?? 1, 0, 1]));
  for (const ip of o.answers ?? []) {
    const a = Buffer.alloc(16);
    a.writeUInt16BE(0xc00c, 0);
    a.writeUInt16BE(1, 2);
    a.writeUInt16BE(1, 4);
    a.writeUInt32BE(o.ttl ?? 30, 6);
    a.writeUInt16BE(4, 10);
    ip.split('.').forEach((p, i) => (a[12 + i] = Number(p)));
    parts.push(a);
  }
  return Buffer.concat(parts);
}
