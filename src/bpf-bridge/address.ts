// Addresses as the kernel stores them (network order bytes) to text. IPv4 peers of
// dual-stack sockets appear as ::ffff:a.b.c.d; they are shown as plain IPv4, the way
// Hubble and Kubernetes name pod IPs.
import { formatIPv6Groups } from '../model/ipv6.ts';

export function formatAddress(buf: Buffer, off: number, family: 4 | 6): string {
  if (family === 4) return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
  let mapped = buf[off + 10] === 0xff && buf[off + 11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (buf[off + i] !== 0) mapped = false;
  if (mapped) return `${buf[off + 12]}.${buf[off + 13]}.${buf[off + 14]}.${buf[off + 15]}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(off + i * 2));
  return formatIPv6Groups(groups);
}
