// A cheap test on a raw JSON line that lets `observe --input-file` skip JSON.parse
// for lines whose flow cannot pass the filter. JSON.parse dominates the cost of
// reading a Hubble export (about 1 KB per line), so skipping it for lines that
// cannot match is the biggest saving there is for selective filters.
//
// It is conservative: it returns false only when a value every matching flow must
// carry is missing from the text, and true otherwise. It relies on what Hubble
// exports look like (protojson: enum names and strings verbatim, no \u escapes of
// plain ASCII) and only uses values that JSON would never escape. Lines without a
// `"flow"` key (lost events, node status) always pass.
import type { FilterSet, FlowFilter } from './flow-filter.ts';
import { parseSelector } from './label-selector.ts';

/** For one filter: groups of tokens; the line must contain one token of every group. */
type Groups = string[][];

const SAFE = /^[A-Za-z0-9._/-]+$/;

function quoted(values: readonly string[] | undefined, zero?: string): string[] | undefined {
  if (!values?.length) return undefined;
  const out: string[] = [];
  for (const v of values) {
    if (v === zero || !SAFE.test(v)) return undefined; // the zero value is omitted from JSON
    out.push(`"${v}"`);
  }
  return out;
}

/** Pod/service filters: one group of namespaces and, when every value names one, one group of name prefixes. */
function names(values: readonly string[] | undefined): Groups {
  if (!values?.length) return [];
  const nss: string[] = [];
  const prefixes: string[] = [];
  for (const v of values) {
    const slash = v.indexOf('/');
    const ns = slash < 0 ? 'default' : v.slice(0, slash);
    const rest = slash < 0 ? v : v.slice(slash + 1);
    if (!SAFE.test(ns)) return [];
    nss.push(`"${ns}"`);
    if (rest === '' || !SAFE.test(rest)) prefixes.length = 0;
    else if (prefixes.length === nss.length - 1) prefixes.push(`"${rest}`);
  }
  return prefixes.length === nss.length ? [nss, prefixes] : [nss];
}

/** Label selectors: the values of the first `key=value` / `key in (...)` requirement. */
function labels(selectors: readonly string[] | undefined): string[] | undefined {
  if (!selectors?.length) return undefined;
  const out: string[] = [];
  for (const sel of selectors) {
    let reqs;
    try {
      reqs = parseSelector(sel);
    } catch {
      return undefined;
    }
    const req = reqs.find((r) => r.op === 'eq' || r.op === 'in');
    if (!req) return undefined;
    for (const v of req.values) {
      // an empty value also matches a label written without `=`, so it gives no token
      if (!SAFE.test(req.key) || v === '' || !SAFE.test(v)) return undefined;
      const tok = `${req.key}=${v}"`;
      out.push(req.source === null ? tok : `${req.source}:${tok}`);
    }
  }
  return out;
}

function digits(values: readonly string[] | readonly number[] | undefined): string[] | undefined {
  if (!values?.length) return undefined;
  const out: string[] = [];
  for (const v of values) {
    const s = String(v);
    if (!/^[0-9]+$/.test(s) || s === '0') return undefined;
    out.push(s);
  }
  return out;
}

const PROTOCOL_TOKENS: Record<string, string> = {
  tcp: '"TCP"',
  udp: '"UDP"',
  sctp: '"SCTP"',
  icmp: '"ICMPv',
  icmpv4: '"ICMPv4"',
  icmpv6: '"ICMPv6"',
  http: '"http"',
  dns: '"dns"',
  kafka: '"kafka"',
};

function groupsOf(ff: FlowFilter): Groups {
  const groups: Groups = [];
  const add = (g: string[] | undefined): void => {
    if (g && g.length > 0) groups.push(g);
  };
  add(quoted(ff.verdict, 'VERDICT_UNKNOWN'));
  add(quoted(ff.drop_reason_desc, 'DROP_REASON_UNKNOWN'));
  add(quoted(ff.traffic_direction, 'TRAFFIC_DIRECTION_UNKNOWN'));
  add(quoted(ff.uuid));
  for (const g of names(ff.source_pod)) add(g);
  for (const g of names(ff.destination_pod)) add(g);
  for (const g of names(ff.source_service)) add(g);
  for (const g of names(ff.destination_service)) add(g);
  add(labels(ff.source_label));
  add(labels(ff.destination_label));
  add(digits(ff.source_port));
  add(digits(ff.destination_port));
  add(digits(ff.source_identity));
  add(digits(ff.destination_identity));
  if (ff.protocol?.length) {
    const toks = ff.protocol.map((p) => PROTOCOL_TOKENS[p.toLowerCase()]);
    if (toks.every((t): t is string => t !== undefined)) add(toks);
  }
  const exactV4 = (ips: readonly string[] | undefined): string[] | undefined =>
    ips?.length && ips.every((ip) => /^[0-9.]+$/.test(ip)) ? ips.map((ip) => `"${ip}"`) : undefined;
  add(exactV4(ff.source_ip));
  add(exactV4(ff.destination_ip));
  return groups;
}

/** Returns a line test; `() => true` when the filter gives nothing to look for. */
export function compileLinePrefilter(set: FilterSet): (line: string) => boolean {
  if (set.allow.length === 0) return () => true;
  const perFilter = set.allow.map(groupsOf);
  // One allow filter without constraints accepts any line.
  if (perFilter.some((g) => g.length === 0)) return () => true;
  return (line) => {
    if (line.indexOf('"flow"') < 0) return true;
    outer: for (let f = 0; f < perFilter.length; f++) {
      const groups = perFilter[f]!;
      for (let g = 0; g < groups.length; g++) {
        const toks = groups[g]!;
        let found = false;
        for (let t = 0; t < toks.length; t++) {
          if (line.indexOf(toks[t]!) >= 0) {
            found = true;
            break;
          }
        }
        if (!found) continue outer;
      }
      return true;
    }
    return false;
  };
}
