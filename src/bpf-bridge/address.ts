// Addresses as the kernel stores them (network order bytes) to text. IPv4 peers of
// dual-stack sockets appear as ::ffff:a.b.c.d; they are shown as plain IPv4, the way
// Hubble and Kubernetes name pod IPs.
import { formatIPv6Groups } from '../model/ipv6.ts';

// A node's flows name few IPv4 addresses again and again: a direct-mapped cache of
// their text keyed by the 32-bit value saves building the string per flow. Every
// slot starts as 0.0.0.0, which is a correct entry for key 0.
const V4_SLOTS = 1024;
const v4Keys = new Int32Array(V4_SLOTS);
const v4Text: string[] = new Array<string>(V4_SLOTS).fill('0.0.0.0');

/** The dotted quad of the 4 bytes at off. */
export function formatIPv4(buf: Buffer, off: number): string {
  const a = buf[off]!;
  const b = buf[off + 1]!;
  const c = buf[off + 2]!;
  const d = buf[off + 3]!;
  const key = (a << 24) | (b << 16) | (c << 8) | d;
  const slot = Math.imul(key, 0x9e3779b1) >>> 22; // top 10 bits of a multiplicative hash
  if (v4Keys[slot] === key) return v4Text[slot]!;
  const text = `${a}.${b}.${c}.${d}`;
  v4Keys[slot] = key;
  v4Text[slot] = text;
  return text;
}

export function formatAddress(buf: Buffer, off: number, family: 4 | 6): string {
  if (family === 4) return formatIPv4(buf, off);
  let mapped = buf[off + 10] === 0xff && buf[off + 11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (buf[off + i] !== 0) mapped = false;
  if (mapped) return formatIPv4(buf, off + 12);
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(off + i * 2));
  return formatIPv6Groups(groups);
}
