// A conservative test on the raw JSON text of a Hubble export line, run before the
// line is parsed: when a filter needs a value that cannot appear in the line (no
// `"shop"` for --namespace shop, no `8080` for --to-port 8080, no `"DROPPED"` for
// --verdict DROPPED), parsing it is wasted work. It may let through lines that the
// real filter then rejects, never the reverse, given how Hubble (protojson) writes
// JSON: lines with escapes (`\`) and enums written as numbers always go to the parser,
// and so does anything that does not look like one JSON object, so the decoder can
// report it.
import type { FilterSet, FlowFilter } from './flow-filter.ts';

/** One required fact: at least one alternative must be present (all of its substrings). */
interface Group {
  alts: string[][];
  /** The same needles as UTF-8 bytes, for lines read as Buffers. */
  altBytes: Buffer[][];
  /** An enum key (`"verdict"`): if its value is written as a number, the needles cannot tell. */
  enumKey?: string;
  enumKeyBytes?: Buffer;
  /** Lines this group rejected; groups that reject most are tried first. */
  rejects: number;
}

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const DIGITS = /^\d{1,10}$/;

function quoted(s: string): string {
  return '"' + s + '"';
}

// Values containing characters JSON would escape are left to the parser.
function plain(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/["\\\u0000-\u001f<>&\u2028\u2029]/.test(s);
}

function enumGroup(field: string, values: readonly string[] | undefined): TextGroup | undefined {
  if (!values || values.length === 0) return undefined;
  return { alts: values.map((v) => [quoted(v)]), enumKey: quoted(field) };
}

/** `ns/prefix` values (pods, services): the namespace string and the name prefix must appear. */
function namespacedGroup(values: readonly string[] | undefined): TextGroup | undefined {
  if (!values || values.length === 0) return undefined;
  const alts: string[][] = [];
  for (const v of values) {
    const slash = v.indexOf('/');
    if (slash < 0) return undefined;
    const ns = v.slice(0, slash);
    const prefix = v.slice(slash + 1);
    if (!plain(ns) || !plain(prefix)) return undefined;
    const alt: string[] = [];
    if (ns !== '') alt.push(quoted(ns));
    if (prefix !== '') alt.push('"' + prefix);
    if (alt.length === 0) return undefined;
    alts.push(alt);
  }
  return { alts };
}

function exactGroup(values: readonly string[] | undefined, ok: RegExp, wrap: (v: string) => string): TextGroup | undefined {
  if (!values || values.length === 0) return undefined;
  if (!values.every((v) => ok.test(v))) return undefined;
  return { alts: values.map((v) => [wrap(v)]) };
}

const PROTOCOL_NEEDLES: Record<string, string[]> = {
  tcp: ['"TCP"'],
  udp: ['"UDP"'],
  sctp: ['"SCTP"'],
  icmp: ['"ICMPv4"', '"ICMPv6"'],
  icmpv4: ['"ICMPv4"'],
  icmpv6: ['"ICMPv6"'],
  http: ['"http"'],
  dns: ['"dns"'],
  kafka: ['"kafka"'],
};

function protocolGroup(values: readonly string[] | undefined): TextGroup | undefined {
  if (!values || values.length === 0) return undefined;
  const alts: string[][] = [];
  for (const v of values) {
    const needles = PROTOCOL_NEEDLES[v.toLowerCase()];
    if (!needles) return undefined;
    for (const n of needles) alts.push([n]);
  }
  return { alts };
}

function identityGroup(values: readonly number[] | undefined): TextGroup | undefined {
  if (!values || values.length === 0) return undefined;
  return { alts: values.map((v) => [String(v)]) };
}

/** Tests one raw line (text, or its UTF-8 bytes; no newline); false means it cannot pass the filters. */
export type LinePrefilter = (line: string | Buffer) => boolean;

interface TextGroup {
  alts: string[][];
  enumKey?: string;
}

function toBytes(g: TextGroup): Group {
  return {
    alts: g.alts,
    altBytes: g.alts.map((alt) => alt.map((n) => Buffer.from(n, 'utf8'))),
    enumKey: g.enumKey,
    enumKeyBytes: g.enumKey === undefined ? undefined : Buffer.from(g.enumKey, 'utf8'),
    rejects: 0,
  };
}

function groupsOf(ff: FlowFilter): Group[] {
  const groups = [
    exactGroup(ff.uuid, /^[0-9A-Za-z._:-]+$/, quoted),
    exactGroup(ff.source_ip, IPV4, quoted),
    exactGroup(ff.destination_ip, IPV4, quoted),
    namespacedGroup(ff.source_pod),
    namespacedGroup(ff.destination_pod),
    namespacedGroup(ff.source_service),
    namespacedGroup(ff.destination_service),
    exactGroup(ff.source_port, DIGITS, (v) => String(Number(v))),
    exactGroup(ff.destination_port, DIGITS, (v) => String(Number(v))),
    enumGroup('verdict', ff.verdict),
    enumGroup('traffic_direction', ff.traffic_direction),
    enumGroup('drop_reason_desc', ff.drop_reason_desc),
    protocolGroup(ff.protocol),
    identityGroup(ff.source_identity),
    identityGroup(ff.destination_identity),
  ];
  return groups.filter((g): g is TextGroup => g !== undefined).map(toBytes);
}

function satisfied(g: Group, line: string): boolean {
  for (const alt of g.alts) {
    let all = true;
    for (const needle of alt) {
      if (line.indexOf(needle) === -1) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return g.enumKey !== undefined && numericValue(line, g.enumKey);
}

function satisfiedBytes(g: Group, line: Buffer): boolean {
  for (const alt of g.altBytes) {
    let all = true;
    for (const needle of alt) {
      if (line.indexOf(needle) === -1) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return g.enumKeyBytes !== undefined && numericValue(line, g.enumKeyBytes);
}

/** True when some occurrence of `key` is followed by `:` and a digit (spaces allowed). */
function numericValue(line: string | Buffer, key: string | Buffer): boolean {
  const at = typeof line === 'string' ? (j: number) => line.charCodeAt(j) : (j: number) => line[j] ?? -1;
  for (let i = line.indexOf(key as string & Buffer); i !== -1; i = line.indexOf(key as string & Buffer, i + 1)) {
    let j = i + key.length;
    while (at(j) === 0x20) j++;
    if (at(j) !== 0x3a /* : */) continue;
    j++;
    while (at(j) === 0x20) j++;
    const c = at(j);
    if (c >= 0x30 && c <= 0x39) return true;
  }
  return false;
}

const REORDER_EVERY = 4096;

/**
 * A prefilter for the filter set, or undefined when the filters give nothing to test
 * for (no allow filters, or one that needs no particular value).
 */
export function linePrefilter(set: FilterSet): LinePrefilter | undefined {
  if (set.allow.length === 0) return undefined;
  const perFilter = set.allow.map(groupsOf);
  if (perFilter.some((groups) => groups.length === 0)) return undefined;
  let seen = 0;
  return (line) => {
    if (++seen % REORDER_EVERY === 0) for (const groups of perFilter) groups.sort((a, b) => b.rejects - a.rejects);
    const text = typeof line === 'string';
    for (const groups of perFilter) {
      let ok = true;
      for (const g of groups) {
        if (!(text ? satisfied(g, line) : satisfiedBytes(g, line))) {
          g.rejects++;
          ok = false;
          break;
        }
      }
      if (ok) return true;
    }
    // About to skip the line: unless it is plainly one JSON object without escapes,
    // leave it to the decoder (which reports malformed lines).
    if (text) {
      if (line.indexOf('\\') !== -1) return true;
      return line.charCodeAt(0) !== 0x7b /* { */ || line.charCodeAt(line.length - 1) !== 0x7d /* } */;
    }
    if (line.indexOf(0x5c /* \\ */) !== -1) return true;
    return line[0] !== 0x7b /* { */ || line[line.length - 1] !== 0x7d /* } */;
  };
}
