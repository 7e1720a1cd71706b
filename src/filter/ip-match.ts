// IP addresses and CIDRs for --ip/--from-ip/--to-ip. An address is a full-length
// prefix, so `10.0.0.1` and `10.0.0.1/32` mean the same. IPv4 is matched as a
// 32-bit integer parsed in place from the flow's string (no allocation per flow).

export interface IPv4Prefix {
  net: number;
  mask: number;
}

export interface IPv6Prefix {
  words: Uint16Array;
  bits: number;
}

export type IPPrefix = { v: 4; p: IPv4Prefix } | { v: 6; p: IPv6Prefix };

/** Parses dotted-quad IPv4 to an unsigned 32-bit number; -1 when not IPv4. */
export function parseIPv4(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let acc = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return -1;
      acc = acc * 256 + part;
      part = 0;
      digits = 0;
      dots++;
      if (dots > 3) return -1;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // no leading zeros: 010 is ambiguous
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return acc * 256 + part;
}

/** Parses an IPv6 address (with `::` and an optional dotted IPv4 tail) to 8 words; undefined when invalid. */
export function parseIPv6(s: string): Uint16Array | undefined {
  if (s.indexOf(':') < 0) return undefined;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return undefined;
  const parseSide = (side: string): number[] | undefined => {
    if (side === '') return [];
    const groups = side.split(':');
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (i === groups.length - 1 && g.indexOf('.') >= 0) {
        const v4 = parseIPv4(g);
        if (v4 < 0) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let words: number[];
  if (dbl >= 0) {
    const head = parseSide(s.slice(0, dbl));
    const tail = parseSide(s.slice(dbl + 2));
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseSide(s);
    if (!all || all.length !== 8) return undefined;
    words = all;
  }
  return Uint16Array.from(words);
}

/** Parses `addr` or `addr/bits`; returns a reason string when invalid. */
export function parseIPPrefix(value: string): IPPrefix | string {
  const slash = value.indexOf('/');
  const addr = slash < 0 ? value : value.slice(0, slash);
  const bitsText = slash < 0 ? undefined : value.slice(slash + 1);
  const v4 = parseIPv4(addr);
  if (v4 >= 0) {
    const bits = bitsText === undefined ? 32 : parseBits(bitsText, 32);
    if (bits < 0) return 'prefix length must be 0-32';
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return { v: 4, p: { net: (v4 & mask) >>> 0, mask } };
  }
  const v6 = parseIPv6(addr);
  if (v6) {
    const bits = bitsText === undefined ? 128 : parseBits(bitsText, 128);
    if (bits < 0) return 'prefix length must be 0-128';
    return { v: 6, p: { words: v6, bits } };
  }
  return 'want an IP address or a CIDR such as 10.0.0.0/24';
}

function parseBits(text: string, max: number): number {
  if (!/^[0-9]{1,3}$/.test(text)) return -1;
  const n = Number(text);
  return n <= max ? n : -1;
}

function v6Contains(p: IPv6Prefix, w: Uint16Array): boolean {
  let bits = p.bits;
  for (let i = 0; i < 8 && bits > 0; i++) {
    const take = bits >= 16 ? 16 : bits;
    const mask = (0xffff << (16 - take)) & 0xffff;
    if ((p.words[i]! & mask) !== (w[i]! & mask)) return false;
    bits -= take;
  }
  return true;
}

/** A predicate over an address string that is true when it falls in any prefix. */
export function compileIPMatcher(values: readonly string[]): (ip: string | undefined) => boolean {
  const v4: IPv4Prefix[] = [];
  const v6: IPv6Prefix[] = [];
  for (const value of values) {
    const parsed = parseIPPrefix(value);
    if (typeof parsed === 'string') throw new Error(`ip ${JSON.stringify(value)}: ${parsed}`);
    if (parsed.v === 4) v4.push(parsed.p);
    else v6.push(parsed.p);
  }
  return (ip) => {
    if (ip === undefined || ip === '') return false;
    if (v4.length > 0) {
      const a = parseIPv4(ip);
      if (a >= 0) {
        for (let i = 0; i < v4.length; i++) if (((a & v4[i]!.mask) >>> 0) === v4[i]!.net) return true;
        return false;
      }
    }
    if (v6.length > 0) {
      const w = parseIPv6(ip);
      if (w) for (let i = 0; i < v6.length; i++) if (v6Contains(v6[i]!, w)) return true;
    }
    return false;
  };
}
