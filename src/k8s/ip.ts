// One spelling per address, so the index finds an IP however a source wrote it:
// IPv6 in RFC 5952 form (lowercase, longest zero run as `::`), and IPv4-mapped IPv6
// (`::ffff:10.0.0.1`, what dual-stack sockets report) as the IPv4 address.
import { isIPv4, isIPv6 } from 'node:net';
import { formatIPv6Groups } from '../model/ipv6.ts';

export function canonicalIP(ip: string): string {
  if (!ip.includes(':') || !isIPv6(ip)) return ip;
  const lower = ip.toLowerCase();
  const mapped = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  const groups = expand(lower);
  return groups ? formatIPv6Groups(groups) : lower;
}

/** Eight 16-bit groups, or undefined for forms not handled (embedded IPv4 other than mapped). */
function expand(ip: string): number[] | undefined {
  if (ip.includes('.')) return undefined;
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const parts = [...h, ...Array<string>(fill).fill('0'), ...t];
  if (parts.length !== 8) return undefined;
  return parts.map((p) => parseInt(p, 16));
}
