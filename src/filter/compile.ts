// Compiles a FilterSet into one predicate. Everything that can be prepared is
// prepared here once (regexes, CIDRs, label selectors, lookup sets), so the
// per-flow work is field reads and comparisons. Semantics follow Hubble's
// pkg/hubble/filters: a flow passes when it matches any allow filter (or there are
// none) and no deny filter; within a filter every set field must match; within a
// field any value may match.
import type { Flow, Endpoint, Layer4 } from '../model/flow.ts';
import type { FlowFilter, FilterSet } from './flow-filter.ts';
import { FilterError } from './errors.ts';
import { compileIPMatcher, parseIPPrefix } from './ip-match.ts';
import { compileSelectors } from './label-selector.ts';
import { compileFqdnPatterns, compileNodeNamePattern, nodeNameMatches, fqdnPatternSource, nodeNamePatternError } from './patterns.ts';
import { parseSelector } from './label-selector.ts';
import { FLOW_FILTER_FIELDS } from './json.ts';
import { goRegExp } from './go-regexp.ts';

export type FlowPredicate = (flow: Flow) => boolean;

const ACCEPT_ALL: FlowPredicate = () => true;

/** Field names for error messages: the flag that sets them. */
const FIELD_FLAG: Partial<Record<keyof FlowFilter, string>> = {
  source_pod: 'from-pod',
  destination_pod: 'to-pod',
  source_service: 'from-service',
  destination_service: 'to-service',
  source_ip: 'from-ip',
  destination_ip: 'to-ip',
  source_ip_xlated: 'snat-ip',
  source_label: 'from-label',
  destination_label: 'to-label',
  node_labels: 'node-label',
  source_fqdn: 'from-fqdn',
  destination_fqdn: 'to-fqdn',
  node_name: 'node-name',
  http_status_code: 'http-status',
  http_path: 'http-path',
  http_url: 'http-url',
  dns_query: 'dns-query',
  source_port: 'from-port',
  destination_port: 'to-port',
  protocol: 'protocol',
};

function bad(field: keyof FlowFilter, value: string, reason: string): FilterError {
  const flag = FIELD_FLAG[field];
  return new FilterError(`invalid ${flag ? `--${flag}` : field} ${JSON.stringify(value)} in filter: ${reason}`);
}

// ---- endpoint names: [namespace/]prefix, bare name = namespace "default" (Hubble's ParseNamespaceName)

function compileNames(field: keyof FlowFilter, names: readonly string[], get: (f: Flow) => { ns?: string; name?: string } | undefined): FlowPredicate {
  const nss: string[] = [];
  const prefixes: string[] = [];
  for (const n of names) {
    const slash = n.indexOf('/');
    let ns: string;
    let prefix: string;
    if (slash >= 0) {
      ns = n.slice(0, slash);
      const rest = n.slice(slash + 1);
      const slash2 = rest.indexOf('/');
      prefix = slash2 < 0 ? rest : rest.slice(0, slash2);
    } else if (n === '') {
      throw bad(field, n, 'want [namespace/][name]');
    } else {
      ns = 'default';
      prefix = n;
    }
    if (ns === '' && prefix === '') throw bad(field, n, 'want [namespace/][name]');
    nss.push(ns);
    prefixes.push(prefix);
  }
  const count = nss.length;
  return (flow) => {
    const ep = get(flow);
    const ns = ep?.ns ?? '';
    const name = ep?.name ?? '';
    if (ns === '' && name === '') return false;
    for (let i = 0; i < count; i++) {
      if (nss[i] === ns && (prefixes[i] === '' || name.startsWith(prefixes[i]!))) return true;
    }
    return false;
  };
}

// Reused holder so endpoint/service lookups do not allocate per flow.
const HOLD: { ns?: string; name?: string } = {};
function podOf(ep: Endpoint | undefined): typeof HOLD {
  HOLD.ns = ep?.namespace;
  HOLD.name = ep?.pod_name;
  return HOLD;
}
function svcOf(s: { name?: string; namespace?: string } | undefined): typeof HOLD {
  HOLD.ns = s?.namespace;
  HOLD.name = s?.name;
  return HOLD;
}

// ---- L4

function l4SourcePort(l4: Layer4 | undefined): number {
  if (!l4) return -1;
  const p = l4.TCP ?? l4.UDP ?? l4.SCTP;
  return p ? (p.source_port ?? 0) : -1;
}
function l4DestinationPort(l4: Layer4 | undefined): number {
  if (!l4) return -1;
  const p = l4.TCP ?? l4.UDP ?? l4.SCTP;
  return p ? (p.destination_port ?? 0) : -1;
}

function compilePorts(field: keyof FlowFilter, values: readonly string[], get: (l4: Layer4 | undefined) => number): FlowPredicate {
  const ports = values.map((v) => {
    if (!/^[0-9]{1,5}$/.test(v) || Number(v) > 65535) throw bad(field, v, 'want a port number 0-65535');
    return Number(v);
  });
  if (ports.length === 1) {
    const only = ports[0]!;
    return (flow) => get(flow.l4) === only;
  }
  return (flow) => {
    const p = get(flow.l4);
    return p >= 0 && ports.includes(p);
  };
}

function compileProtocols(values: readonly string[]): FlowPredicate {
  const want = new Set<string>();
  for (const v of values) {
    const p = v.toLowerCase();
    if (!['tcp', 'udp', 'sctp', 'icmp', 'icmpv4', 'icmpv6', 'http', 'dns', 'kafka'].includes(p)) throw bad('protocol', v, 'unknown protocol');
    want.add(p);
  }
  const tcp = want.has('tcp');
  const udp = want.has('udp');
  const sctp = want.has('sctp');
  const icmp4 = want.has('icmp') || want.has('icmpv4');
  const icmp6 = want.has('icmp') || want.has('icmpv6');
  const http = want.has('http');
  const dns = want.has('dns');
  const kafka = want.has('kafka');
  return (flow) => {
    const l4 = flow.l4;
    if (l4) {
      if ((tcp && l4.TCP) || (udp && l4.UDP) || (sctp && l4.SCTP) || (icmp4 && l4.ICMPv4) || (icmp6 && l4.ICMPv6)) return true;
    }
    const l7 = flow.l7;
    if (l7) {
      if ((http && l7.http) || (dns && l7.dns) || (kafka && l7.kafka)) return true;
    }
    return false;
  };
}

// ---- HTTP

function compileHttpStatus(values: readonly string[]): FlowPredicate {
  const exact: number[] = [];
  const ranges: [number, number][] = [];
  for (const v of values) {
    if (/^[1-5][0-9]{2}$/.test(v)) exact.push(Number(v));
    else if (/^[1-5][0-9]?\+$/.test(v)) {
      const p = v.slice(0, -1);
      const scale = p.length === 1 ? 100 : 10;
      ranges.push([Number(p) * scale, Number(p) * scale + scale - 1]);
    } else throw bad('http_status_code', v, 'want a code like 404 or a class like 5+');
  }
  return (flow) => {
    const code = flow.l7?.http?.code;
    if (!code) return false;
    for (let i = 0; i < exact.length; i++) if (exact[i] === code) return true;
    for (let i = 0; i < ranges.length; i++) if (code >= ranges[i]![0] && code <= ranges[i]![1]) return true;
    return false;
  };
}

function compileRegexes(field: keyof FlowFilter, values: readonly string[]): RegExp[] {
  return values.map((v) => {
    try {
      return goRegExp(v);
    } catch (err) {
      throw bad(field, v, (err as Error).message);
    }
  });
}

/** The decoded path of a request URL (absolute URL or origin-form), undefined when unparsable. */
export function urlPath(url: string): string | undefined {
  let start = 0;
  const scheme = url.indexOf('://');
  if (scheme >= 0) {
    const slash = url.indexOf('/', scheme + 3);
    if (slash < 0) return '';
    start = slash;
  } else if (url[0] !== '/') {
    return undefined;
  }
  let end = url.length;
  const q = url.indexOf('?', start);
  if (q >= 0) end = q;
  const raw = url.slice(start, end);
  if (raw.indexOf('%') < 0) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

// ---- one FlowFilter

const KNOWN_FIELDS = new Set<string>(FLOW_FILTER_FIELDS);

function isEmptyValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as object).every(isEmptyValue);
  return false;
}

function compileFilter(ff: FlowFilter): FlowPredicate {
  // A field this compiler does not know (a newer Hubble client, a CEL expression)
  // must not be ignored: that would widen the filter silently.
  for (const [key, value] of Object.entries(ff)) {
    if (!KNOWN_FIELDS.has(key) && !isEmptyValue(value)) throw new FilterError(`unsupported filter field "${key}"`);
  }
  const checks: FlowPredicate[] = [];
  const has = <K extends keyof FlowFilter>(k: K): NonNullable<FlowFilter[K]> | undefined => {
    const v = ff[k];
    return Array.isArray(v) && v.length > 0 ? (v as NonNullable<FlowFilter[K]>) : undefined;
  };
  let v;

  if ((v = has('uuid'))) {
    const set = new Set(v);
    checks.push((f) => f.uuid !== undefined && set.has(f.uuid));
  }
  const ipCheck = (field: keyof FlowFilter, values: string[], get: (f: Flow) => string | undefined): void => {
    for (const x of values) {
      const p = parseIPPrefix(x);
      if (typeof p === 'string') throw bad(field, x, p);
    }
    const m = compileIPMatcher(values);
    checks.push((f) => m(get(f)));
  };
  if ((v = has('source_ip'))) ipCheck('source_ip', v, (f) => f.IP?.source);
  if ((v = has('source_ip_xlated'))) ipCheck('source_ip_xlated', v, (f) => f.IP?.source_xlated);
  if ((v = has('destination_ip'))) ipCheck('destination_ip', v, (f) => f.IP?.destination);

  if ((v = has('source_pod'))) checks.push(compileNames('source_pod', v, (f) => podOf(f.source)));
  if ((v = has('destination_pod'))) checks.push(compileNames('destination_pod', v, (f) => podOf(f.destination)));
  if ((v = has('source_service'))) checks.push(compileNames('source_service', v, (f) => svcOf(f.source_service)));
  if ((v = has('destination_service'))) checks.push(compileNames('destination_service', v, (f) => svcOf(f.destination_service)));

  const fqdnCheck = (field: keyof FlowFilter, values: string[], get: (f: Flow) => string[] | undefined): void => {
    for (const x of values) {
      const src = fqdnPatternSource(x);
      if (typeof src !== 'string') throw bad(field, x, src.error);
    }
    const re = compileFqdnPatterns(values);
    checks.push((f) => {
      const names = get(f);
      if (!names) return false;
      for (let i = 0; i < names.length; i++) if (re.test(names[i]!)) return true;
      return false;
    });
  };
  if ((v = has('source_fqdn'))) fqdnCheck('source_fqdn', v, (f) => f.source_names);
  if ((v = has('destination_fqdn'))) fqdnCheck('destination_fqdn', v, (f) => f.destination_names);

  const labelCheck = (field: keyof FlowFilter, values: string[], get: (f: Flow) => string[] | undefined): void => {
    for (const x of values) {
      try {
        parseSelector(x);
      } catch (err) {
        throw bad(field, x, (err as Error).message);
      }
    }
    const m = compileSelectors(values);
    checks.push((f) => m(get(f)));
  };
  if ((v = has('source_label'))) labelCheck('source_label', v, (f) => f.source?.labels);
  if ((v = has('destination_label'))) labelCheck('destination_label', v, (f) => f.destination?.labels);
  if ((v = has('node_labels'))) labelCheck('node_labels', v, (f) => f.node_labels);

  const workloadCheck = (values: { name?: string; kind?: string }[], get: (f: Flow) => Endpoint | undefined): void => {
    const ws = values.map((w) => ({ name: w.name ?? '', kind: w.kind ?? '' }));
    checks.push((f) => {
      const list = get(f)?.workloads;
      if (!list) return false;
      for (let i = 0; i < list.length; i++) {
        const w = list[i]!;
        for (let j = 0; j < ws.length; j++) {
          const q = ws[j]!;
          if ((q.name === '' || q.name === w.name) && (q.kind === '' || q.kind === w.kind)) return true;
        }
      }
      return false;
    });
  };
  if ((v = has('source_workload'))) workloadCheck(v, (f) => f.source);
  if ((v = has('destination_workload'))) workloadCheck(v, (f) => f.destination);

  if ((v = has('traffic_direction'))) {
    const list = v;
    checks.push((f) => list.includes(f.traffic_direction ?? 'TRAFFIC_DIRECTION_UNKNOWN'));
  }
  if ((v = has('verdict'))) {
    const list = v;
    if (list.length === 1) {
      const only = list[0];
      checks.push((f) => (f.verdict ?? 'VERDICT_UNKNOWN') === only);
    } else checks.push((f) => list.includes(f.verdict ?? 'VERDICT_UNKNOWN'));
  }
  if ((v = has('drop_reason_desc'))) {
    const list = v;
    checks.push((f) => list.includes(f.drop_reason_desc ?? 'DROP_REASON_UNKNOWN'));
  }
  if ((v = has('event_type'))) {
    const types = v.map((t) => ({ type: t.type ?? 0, match: t.match_sub_type === true, sub: t.sub_type ?? 0 }));
    checks.push((f) => {
      const et = f.event_type;
      if (!et) return false;
      const type = et.type ?? 0;
      const sub = et.sub_type ?? 0;
      for (let i = 0; i < types.length; i++) {
        const t = types[i]!;
        if (t.type !== 0 && t.type !== type) continue;
        if (t.match && t.sub !== sub) continue;
        return true;
      }
      return false;
    });
  }
  if ((v = has('http_status_code'))) checks.push(compileHttpStatus(v));
  if ((v = has('protocol'))) checks.push(compileProtocols(v));
  if ((v = has('source_port'))) checks.push(compilePorts('source_port', v, l4SourcePort));
  if ((v = has('destination_port'))) checks.push(compilePorts('destination_port', v, l4DestinationPort));
  if ((v = has('reply'))) {
    const list = v;
    // Hubble: an unknown is_reply never matches, except on dropped flows where it counts as false.
    checks.push((f) => {
      if (f.is_reply === undefined && f.verdict !== 'DROPPED') return false;
      return list.includes(f.is_reply === true);
    });
  }
  if ((v = has('dns_query'))) {
    const res = compileRegexes('dns_query', v);
    checks.push((f) => {
      const dns = f.l7?.dns;
      if (!dns) return false;
      const q = dns.query ?? '';
      for (let i = 0; i < res.length; i++) if (res[i]!.test(q)) return true;
      return false;
    });
  }
  if ((v = has('source_identity'))) {
    const list = v;
    checks.push((f) => list.includes(f.source?.identity ?? 0));
  }
  if ((v = has('destination_identity'))) {
    const list = v;
    checks.push((f) => list.includes(f.destination?.identity ?? 0));
  }
  if ((v = has('http_method'))) {
    const list = v.map((m) => m.toUpperCase());
    checks.push((f) => {
      const m = f.l7?.http?.method;
      if (!m) return false;
      return list.includes(m) || list.includes(m.toUpperCase());
    });
  }
  if ((v = has('http_path'))) {
    const res = compileRegexes('http_path', v);
    checks.push((f) => {
      const url = f.l7?.http?.url;
      if (!url) return false;
      const path = urlPath(url);
      if (path === undefined) return false;
      for (let i = 0; i < res.length; i++) if (res[i]!.test(path)) return true;
      return false;
    });
  }
  if ((v = has('http_url'))) {
    const res = compileRegexes('http_url', v);
    checks.push((f) => {
      const url = f.l7?.http?.url;
      if (!url) return false;
      for (let i = 0; i < res.length; i++) if (res[i]!.test(url)) return true;
      return false;
    });
  }
  if ((v = has('http_header'))) {
    const want = v.map((h) => ({ key: h.key ?? '', value: h.value ?? '' }));
    checks.push((f) => {
      const headers = f.l7?.http?.headers;
      if (!headers) return false;
      for (const h of headers) for (const w of want) if (h.key === w.key && h.value === w.value) return true;
      return false;
    });
  }
  if ((v = has('tcp_flags'))) {
    const sets = v.map((fl) => ({ ...fl }));
    checks.push((f) => {
      const got = f.l4?.TCP?.flags;
      if (!got) return false;
      for (let i = 0; i < sets.length; i++) {
        const w = sets[i]!;
        if (
          (w.FIN && !got.FIN) ||
          (w.SYN && !got.SYN) ||
          (w.RST && !got.RST) ||
          (w.PSH && !got.PSH) ||
          (w.ACK && !got.ACK) ||
          (w.URG && !got.URG) ||
          (w.ECE && !got.ECE) ||
          (w.CWR && !got.CWR) ||
          (w.NS && !got.NS)
        )
          continue;
        return true;
      }
      return false;
    });
  }
  if ((v = has('node_name'))) {
    const patterns = v.map((p) => {
      const err = nodeNamePatternError(p);
      if (err !== undefined) throw bad('node_name', p, err);
      return compileNodeNamePattern(p);
    });
    checks.push((f) => {
      const n = f.node_name;
      if (!n) return false;
      for (let i = 0; i < patterns.length; i++) if (nodeNameMatches(patterns[i]!, n)) return true;
      return false;
    });
  }
  if ((v = has('ip_version'))) {
    const list = v;
    checks.push((f) => list.includes(f.IP?.ipVersion ?? 'IP_NOT_USED'));
  }
  if ((v = has('source_cluster_name'))) {
    const list = v;
    if (list.includes('')) throw bad('source_cluster_name', '', 'name must not be empty');
    checks.push((f) => list.includes(f.source?.cluster_name ?? ''));
  }
  if ((v = has('destination_cluster_name'))) {
    const list = v;
    if (list.includes('')) throw bad('destination_cluster_name', '', 'name must not be empty');
    checks.push((f) => list.includes(f.destination?.cluster_name ?? ''));
  }
  if ((v = has('interface'))) {
    const want = v.map((i) => ({ index: i.index ?? 0, name: i.name ?? '' }));
    checks.push((f) => {
      const iface = f.interface;
      if (!iface) return false;
      for (const w of want) {
        if (w.index > 0 && w.index !== (iface.index ?? 0)) continue;
        if (w.name !== '' && w.name !== (iface.name ?? '')) continue;
        return true;
      }
      return false;
    });
  }
  if ((v = has('encrypted'))) {
    const list = v;
    checks.push((f) => list.includes(f.IP?.encrypted === true));
  }
  if (has('trace_id')) {
    // Flows carry no trace context here; accepting the field would silently match nothing or everything.
    throw new FilterError('trace_id filters are not supported');
  }

  switch (checks.length) {
    case 0:
      return ACCEPT_ALL;
    case 1:
      return checks[0]!;
    case 2: {
      const [a, b] = checks as [FlowPredicate, FlowPredicate];
      return (f) => a(f) && b(f);
    }
    case 3: {
      const [a, b, c] = checks as [FlowPredicate, FlowPredicate, FlowPredicate];
      return (f) => a(f) && b(f) && c(f);
    }
    default: {
      const n = checks.length;
      return (f) => {
        for (let i = 0; i < n; i++) if (!checks[i]!(f)) return false;
        return true;
      };
    }
  }
}

function anyOf(preds: FlowPredicate[]): FlowPredicate {
  if (preds.length === 1) return preds[0]!;
  if (preds.length === 2) {
    const [a, b] = preds as [FlowPredicate, FlowPredicate];
    return (f) => a(f) || b(f);
  }
  return (f) => {
    for (let i = 0; i < preds.length; i++) if (preds[i]!(f)) return true;
    return false;
  };
}

/** Compiles a FilterSet once into a predicate. Throws FilterError for invalid filter values. */
export function compileFilterSet(set: FilterSet): FlowPredicate {
  const allow = set.allow.map(compileFilter);
  const deny = set.deny.map(compileFilter);
  if (allow.length === 0 && deny.length === 0) return ACCEPT_ALL;
  if (deny.length === 0) return anyOf(allow);
  const denied = anyOf(deny);
  if (allow.length === 0) return (f) => !denied(f);
  const allowed = anyOf(allow);
  return (f) => allowed(f) && !denied(f);
}

/** Compiles a single FlowFilter (all set fields must match). */
export function compileFlowFilter(ff: FlowFilter): FlowPredicate {
  return compileFilter(ff);
}
