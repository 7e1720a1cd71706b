// Addresses as the kernel stores them (network order bytes) to text. IPv4 peers of
// dual-stack sockets appear as ::ffff:a.b.c.d; they are shown as plain IPv4, the way
// Hubble and Kubernetes name pod IPs.

export function formatAddress(buf: Buffer, off: number, family: 4 | 6): string {
  if (family === 4) return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
  let mapped = buf[off + 10] === 0xff && buf[off + 11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (buf[off + i] !== 0) mapped = false;
  if (mapped) return `${buf[off + 12]}.${buf[off + 13]}.${buf[off + 14]}.${buf[off + 15]}`;
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(off + i * 2).toString(16));
  return compressV6(groups);
}

/** RFC 5952: the longest run (2+) of zero groups becomes `::`. */
function compressV6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
