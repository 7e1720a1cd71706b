// FilterSet back to flags, for "show the equivalent observe command line". Tries
// the readable form first (the flags a person would type) and checks it by parsing
// it again; when a set cannot be written that way (e.g. it came from a gRPC client)
// it falls back to --allowlist/--denylist with hubble's raw JSON, which is exact.
import type { FlowFilter, FilterSet } from './flow-filter.ts';
import type { Workload } from '../model/flow.ts';
import { TCP_FLAG_NAMES, EVENT_TYPE_NAMES, TRACE_SUBTYPE_NAMES } from './hubble-names.ts';
import { flowFilterToJSON } from './json.ts';
import { parseFilterArgs } from './builder.ts';

type Side = 'src' | 'dst';

interface Pair {
  src: keyof FlowFilter;
  dst: keyof FlowFilter;
  either: string;
  from: string;
  to: string;
}

const PAIRS: readonly Pair[] = [
  { src: 'source_pod', dst: 'destination_pod', either: 'pod', from: 'from-pod', to: 'to-pod' },
  { src: 'source_ip', dst: 'destination_ip', either: 'ip', from: 'from-ip', to: 'to-ip' },
  { src: 'source_label', dst: 'destination_label', either: 'label', from: 'from-label', to: 'to-label' },
  { src: 'source_service', dst: 'destination_service', either: 'service', from: 'from-service', to: 'to-service' },
  { src: 'source_workload', dst: 'destination_workload', either: 'workload', from: 'from-workload', to: 'to-workload' },
  { src: 'source_fqdn', dst: 'destination_fqdn', either: 'fqdn', from: 'from-fqdn', to: 'to-fqdn' },
  { src: 'source_identity', dst: 'destination_identity', either: 'identity', from: 'from-identity', to: 'to-identity' },
  { src: 'source_port', dst: 'destination_port', either: 'port', from: 'from-port', to: 'to-port' },
  { src: 'source_cluster_name', dst: 'destination_cluster_name', either: 'cluster', from: 'from-cluster', to: 'to-cluster' },
];
const PAIRED = new Set<keyof FlowFilter>(PAIRS.flatMap((p) => [p.src, p.dst]));

const TYPE_NAME = new Map<number, string>();
for (const [name, n] of Object.entries(EVENT_TYPE_NAMES)) if (!TYPE_NAME.has(n) && name !== 'sock') TYPE_NAME.set(n, name);
const TRACE_SUB_NAME = new Map<number, string>(Object.entries(TRACE_SUBTYPE_NAMES).map(([k, v]) => [v, k]));

function valueText(field: keyof FlowFilter, v: unknown): string {
  switch (field) {
    case 'source_workload':
    case 'destination_workload': {
      const w = v as Workload;
      return w.kind ? `${w.kind}/${w.name ?? ''}` : (w.name ?? '');
    }
    case 'ip_version':
      return v === 'IPv6' ? '6' : '4';
    default:
      return String(v);
  }
}

/** Flags for the plain (non-paired) fields of a filter. */
function plainArgs(ff: FlowFilter, not: string[]): string[] {
  const out: string[] = [];
  const add = (flag: string, value?: string): void => {
    out.push(...not, `--${flag}`);
    if (value !== undefined) out.push(value);
  };
  for (const v of ff.uuid ?? []) add('uuid', v);
  for (const v of ff.source_ip_xlated ?? []) add('snat-ip', v);
  for (const v of ff.traffic_direction ?? []) add('traffic-direction', v.toLowerCase());
  for (const v of ff.verdict ?? []) add('verdict', v);
  for (const v of ff.drop_reason_desc ?? []) add('drop-reason-desc', v);
  for (const e of ff.event_type ?? []) {
    const type = e.type ?? 0;
    let text = TYPE_NAME.get(type) ?? String(type);
    if (e.match_sub_type) {
      const sub = e.sub_type ?? 0;
      text += `:${(type === EVENT_TYPE_NAMES['trace'] ? TRACE_SUB_NAME.get(sub) : undefined) ?? String(sub)}`;
    }
    add('type', text);
  }
  for (const v of ff.http_status_code ?? []) add('http-status', v);
  for (const v of ff.protocol ?? []) add('protocol', v);
  for (const v of ff.reply ?? []) out.push(...not, `--reply=${v}`);
  for (const v of ff.dns_query ?? []) add('dns-query', v);
  for (const v of ff.http_method ?? []) add('http-method', v);
  for (const v of ff.http_path ?? []) add('http-path', v);
  for (const v of ff.http_url ?? []) add('http-url', v);
  for (const h of ff.http_header ?? []) add('http-header', `${h.key ?? ''}:${h.value ?? ''}`);
  for (const f of ff.tcp_flags ?? []) add('tcp-flags', TCP_FLAG_NAMES.filter((n) => f[n]).join(','));
  for (const v of ff.node_name ?? []) add('node-name', v);
  for (const v of ff.node_labels ?? []) add('node-label', v);
  for (const v of ff.ip_version ?? []) add('ip-version', valueText('ip_version', v));
  for (const i of ff.interface ?? []) add('interface', i.name ?? '');
  for (const v of ff.encrypted ?? []) add(v ? 'encrypted' : 'unencrypted');
  return out;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
const nsOnly = (vals: unknown[] | undefined): string[] | undefined => {
  if (!vals || vals.length === 0) return undefined;
  const out: string[] = [];
  for (const v of vals) {
    if (typeof v !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/$/.test(v)) return undefined;
    out.push(v.slice(0, -1));
  }
  return out;
};

function sideArgs(pair: Pair, side: Side, values: unknown[] | undefined, ff: FlowFilter, not: string[]): string[] {
  const out: string[] = [];
  if (!values) return out;
  // `--from-namespace x` is how a person writes source_pod ["x/"] (when no service is named on that side).
  if (pair.src === 'source_pod') {
    const svc = side === 'src' ? ff.source_service : ff.destination_service;
    const nss = nsOnly(values);
    if (nss && !svc?.length) {
      for (const ns of nss) out.push(...not, side === 'src' ? '--from-namespace' : '--to-namespace', ns);
      return out;
    }
  }
  const field = side === 'src' ? pair.src : pair.dst;
  for (const v of values) out.push(...not, `--${side === 'src' ? pair.from : pair.to}`, valueText(field, v));
  return out;
}

/** Readable flags for a filter list (one tracker), or undefined when it has no such form. */
function readable(list: FlowFilter[], not: string[]): string[] | undefined {
  if (list.length === 0) return [];
  if (list.length > 2) return undefined;
  const L = list[0]!;
  const R = list[1] ?? L;
  const plainL = { ...L };
  const plainR = { ...R };
  for (const k of PAIRED) {
    delete plainL[k];
    delete plainR[k];
  }
  if (flowFilterToJSON(plainL) !== flowFilterToJSON(plainR)) return undefined;
  const out: string[] = [];
  for (const pair of PAIRS) {
    const Ls = L[pair.src] as unknown[] | undefined;
    const Ld = L[pair.dst] as unknown[] | undefined;
    const Rs = R[pair.src] as unknown[] | undefined;
    const Rd = R[pair.dst] as unknown[] | undefined;
    if (same(Ls, Rs) && same(Ld, Rd)) {
      out.push(...sideArgs(pair, 'src', Ls, L, not), ...sideArgs(pair, 'dst', Ld, L, not));
    } else if (!Ld?.length && !Rs?.length && same(Ls, Rd)) {
      const nss = pair.src === 'source_pod' ? nsOnly(Ls) : undefined;
      if (nss && !L.source_service?.length && !R.destination_service?.length) {
        for (const ns of nss) out.push(...not, '--namespace', ns);
      } else {
        for (const v of Ls ?? []) out.push(...not, `--${pair.either}`, valueText(pair.src, v));
      }
    } else {
      return undefined;
    }
  }
  out.push(...plainArgs(L, not));
  return out;
}

// ---- namespace flags: FilterBuilder applies --namespace/--from-namespace/--to-namespace
// to pod and service names at build time; to print them back, guess which namespace
// flags were used, undo their effect and check the guess by parsing again.

interface NsGuess {
  ns?: string;
  srcNs?: string;
  dstNs?: string;
}

/** Undo applySrc/applyDst of one namespace on one side of a filter. */
function unapply(ff: FlowFilter, side: Side, ns: string): void {
  const podField = side === 'src' ? 'source_pod' : 'destination_pod';
  const svcField = side === 'src' ? 'source_service' : 'destination_service';
  const pods = ff[podField];
  const svcs = ff[svcField];
  if (pods?.length === 1 && pods[0] === `${ns}/` && !svcs?.length) {
    delete ff[podField];
  } else if (pods) {
    ff[podField] = pods.map((p) => (p.startsWith(`${ns}/`) && p.length > ns.length + 1 ? p.slice(ns.length + 1) : p));
  }
  if (svcs) ff[svcField] = svcs.map((v) => (v.startsWith(`${ns}/`) && v.length > ns.length + 1 ? v.slice(ns.length + 1) : v));
}

function unmaterialize(list: FlowFilter[], g: NsGuess): FlowFilter[] {
  const left = structuredClone(list[0]!) as FlowFilter;
  const right = structuredClone(list[1] ?? list[0]!) as FlowFilter;
  if (g.ns !== undefined) {
    unapply(left, 'src', g.ns);
    unapply(right, 'dst', g.ns);
  }
  if (g.srcNs !== undefined) for (const ff of [left, right]) unapply(ff, 'src', g.srcNs);
  if (g.dstNs !== undefined) for (const ff of [left, right]) unapply(ff, 'dst', g.dstNs);
  return flowFilterToJSON(left) === flowFilterToJSON(right) ? [left] : [left, right];
}

function guesses(list: FlowFilter[]): NsGuess[] {
  const nss = new Set<string>();
  for (const ff of list) {
    for (const v of [...(ff.source_pod ?? []), ...(ff.destination_pod ?? []), ...(ff.source_service ?? []), ...(ff.destination_service ?? [])]) {
      const slash = v.indexOf('/');
      if (slash > 0) nss.add(v.slice(0, slash));
    }
  }
  const out: NsGuess[] = [];
  for (const a of nss) {
    out.push({ ns: a }, { srcNs: a }, { dstNs: a });
    for (const b of nss) out.push({ srcNs: a, dstNs: b });
  }
  return out.slice(0, 64);
}

function nsArgs(g: NsGuess, not: string[]): string[] {
  const out: string[] = [];
  if (g.ns !== undefined) out.push(...not, '--namespace', g.ns);
  if (g.srcNs !== undefined) out.push(...not, '--from-namespace', g.srcNs);
  if (g.dstNs !== undefined) out.push(...not, '--to-namespace', g.dstNs);
  return out;
}

const listJSON = (l: FlowFilter[]): string => JSON.stringify(l.map(flowFilterToJSON));

/** Readable flags that parse back to exactly this list (allow, or deny with `--not`). */
function listArgs(list: FlowFilter[], not: string[]): string[] | undefined {
  if (list.length === 0) return [];
  if (list.length > 2) return undefined;
  const want = listJSON(list);
  const check = (args: string[] | undefined): boolean => {
    if (!args) return false;
    try {
      const set = parseFilterArgs(args);
      return listJSON(not.length > 0 ? set.deny : set.allow) === want;
    } catch {
      return false;
    }
  };
  const plain = readable(list, not);
  if (check(plain)) return plain;
  for (const g of guesses(list)) {
    const rest = readable(unmaterialize(list, g), not);
    if (!rest) continue;
    const args = [...nsArgs(g, not), ...rest];
    if (check(args)) return args;
  }
  return undefined;
}

function setsEqual(a: FilterSet, b: FilterSet): boolean {
  return listJSON(a.allow) === listJSON(b.allow) && listJSON(a.deny) === listJSON(b.deny);
}

/** Flags equivalent to the set: parseFilterArgs(filterSetToArgs(s)) gives s back. */
export function filterSetToArgs(set: FilterSet): string[] {
  const allow = listArgs(set.allow, []);
  const deny = listArgs(set.deny, ['--not']);
  if (allow && deny) {
    const args = [...allow, ...deny];
    try {
      if (setsEqual(parseFilterArgs(args), set)) return args;
    } catch {
      // not expressible as typed flags: use the raw form
    }
  }
  const raw: string[] = [];
  for (const ff of set.allow) raw.push('--allowlist', flowFilterToJSON(ff));
  for (const ff of set.deny) raw.push('--denylist', flowFilterToJSON(ff));
  return raw;
}
