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

function setsEqual(a: FilterSet, b: FilterSet): boolean {
  const j = (l: FlowFilter[]): string => JSON.stringify(l.map(flowFilterToJSON));
  return j(a.allow) === j(b.allow) && j(a.deny) === j(b.deny);
}

/** Flags equivalent to the set: parseFilterArgs(filterSetToArgs(s)) gives s back. */
export function filterSetToArgs(set: FilterSet): string[] {
  const allow = readable(set.allow, []);
  const deny = readable(set.deny, ['--not']);
  if (allow && deny) {
    const args = [...allow, ...deny];
    try {
      if (setsEqual(parseFilterArgs(args), set)) return args;
    } catch {
      // not expressible as typed flags (a conflict or an odd value): use the raw form
    }
  }
  const raw: string[] = [];
  for (const ff of set.allow) raw.push('--allowlist', flowFilterToJSON(ff));
  for (const ff of set.deny) raw.push('--denylist', flowFilterToJSON(ff));
  return raw;
}
