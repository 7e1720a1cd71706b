// DNS messages from the first bytes of a UDP/53 datagram (the collector keeps 128):
// id, query/answer, rcode, the question, and the A/AAAA answers that fit.
import { formatAddress } from './address.ts';

export interface DnsMessage {
  id: number;
  isResponse: boolean;
  rcode: number;
  /** Query name with the trailing dot, as Hubble prints it (`example.com.`). */
  query: string;
  qtype: string;
  ips: string[];
  rrtypes: string[];
  ttl?: number;
  cnames: string[];
}

const QTYPES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 65: 'HTTPS', 255: 'ANY',
};

function typeName(t: number): string {
  return QTYPES[t] ?? `TYPE${t}`;
}

/** Reads a (possibly compressed) name at off; returns the name and the offset after it in place. */
function readName(buf: Buffer, off: number): { name: string; next: number } | undefined {
  const labels: string[] = [];
  let next = -1;
  let jumps = 0;
  let p = off;
  for (;;) {
    if (p >= buf.length) return undefined;
    const len = buf[p]!;
    if (len === 0) {
      if (next < 0) next = p + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (p + 1 >= buf.length || ++jumps > 16) return undefined;
      if (next < 0) next = p + 2;
      p = ((len & 0x3f) << 8) | buf[p + 1]!;
      continue;
    }
    if (len > 63 || p + 1 + len > buf.length) return undefined;
    labels.push(buf.toString('latin1', p + 1, p + 1 + len));
    p += 1 + len;
  }
  return { name: labels.length === 0 ? '.' : labels.join('.') + '.', next };
}

/** Parses a DNS message; undefined when not even the header and question fit. */
export function parseDns(buf: Buffer): DnsMessage | undefined {
  if (buf.length < 12) return undefined;
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  if (qd < 1) return undefined;
  const q = readName(buf, 12);
  if (!q || q.next + 4 > buf.length) return undefined;
  const msg: DnsMessage = {
    id,
    isResponse: (flags & 0x8000) !== 0,
    rcode: flags & 0xf,
    query: q.name,
    qtype: typeName(buf.readUInt16BE(q.next)),
    ips: [],
    rrtypes: [],
    cnames: [],
  };
  let p = q.next + 4;
  for (let i = 1; i < qd; i++) {
    const more = readName(buf, p);
    if (!more) return msg;
    p = more.next + 4;
  }
  // Answers are best effort: the snapshot may cut them.
  for (let i = 0; i < an; i++) {
    const n = readName(buf, p);
    if (!n || n.next + 10 > buf.length) break;
    const type = buf.readUInt16BE(n.next);
    const ttl = buf.readUInt32BE(n.next + 4);
    const rdlen = buf.readUInt16BE(n.next + 8);
    const rd = n.next + 10;
    if (rd + rdlen > buf.length) break;
    msg.rrtypes.push(typeName(type));
    msg.ttl = msg.ttl === undefined ? ttl : Math.min(msg.ttl, ttl);
    if (type === 1 && rdlen === 4) msg.ips.push(formatAddress(buf, rd, 4));
    else if (type === 28 && rdlen === 16) msg.ips.push(formatAddress(buf, rd, 6));
    else if (type === 5) {
      const c = readName(buf, rd);
      if (c) msg.cnames.push(c.name);
    }
    p = rd + rdlen;
  }
  return msg;
}
