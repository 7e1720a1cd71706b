// cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy: each rule (spec,
// or every entry of specs) selects endpoints with endpointSelector; a CNP only selects
// endpoints of its namespace and its fromEndpoints/toEndpoints selectors are confined to
// that namespace unless they name `k8s:io.kubernetes.pod.namespace`. Within a rule the
// L3 parts (endpoints, CIDR, CIDRSet, entities) OR together and toPorts narrows them;
// ingressDeny / egressDeny win over every allow. What this model cannot see (toFQDNs to
// an outside address, L7 rules, toServices, fromRequires) makes a rule undecidable.
import { compileCidr, type CidrMatcher } from './cidr.ts';
import { arrayAt, checkFields, objectAt, type IssuePath, Issues } from './issues.ts';
import { compileSelector, type Selector } from './label-selector.ts';
import { ciliumPodLabels, type PeerInfo } from './peers.ts';
import { anyPort, compileCiliumPort, portsText, type PortMatcher } from './ports.ts';
import type { Direction, PolicyPod, PolicyRef, Protocol } from './types.ts';
import type { Labels } from './label-selector.ts';

export const ENTITIES = ['world', 'cluster', 'host', 'remote-node', 'kube-apiserver', 'all', 'health', 'init', 'unmanaged', 'ingress', 'none', 'world-ipv4', 'world-ipv6'] as const;
type Entity = (typeof ENTITIES)[number];

interface L3 {
  endpoints: { sel: Selector; namespaced: boolean }[];
  cidrs: CidrMatcher[];
  entities: Entity[];
  nodes: Selector[];
  /** Some L3 part was given (an empty L3 with toPorts admits every peer). */
  any: boolean;
}

export interface CiliumRule {
  section: 'ingress' | 'egress' | 'ingressDeny' | 'egressDeny';
  index: number;
  l3: L3;
  ports: PortMatcher[];
  icmp: boolean;
  /** Why the model cannot decide this rule when its L3/L4 matches, or undefined. */
  undecidable?: string;
  /** toFQDNs: decides only for addresses outside the cluster, which the model cannot name. */
  fqdn: boolean;
  /** The rule admits nothing (`{}`): it only switches on default deny. */
  empty: boolean;
  text: string;
}

export interface CiliumSpec {
  ref: PolicyRef;
  specIndex: number;
  endpointSelector?: Selector;
  /** Host policy (nodeSelector): applies to nodes, which this model does not evaluate. */
  hostPolicy: boolean;
  enforces: Record<Direction, boolean>;
  ingress: CiliumRule[];
  egress: CiliumRule[];
  ingressDeny: CiliumRule[];
  egressDeny: CiliumRule[];
}

const NS_KEYS = ['io.kubernetes.pod.namespace', 'k8s:io.kubernetes.pod.namespace', 'any:io.kubernetes.pod.namespace'];

function namesNamespace(raw: unknown): boolean {
  const o = raw as { matchLabels?: Record<string, unknown>; matchExpressions?: { key?: unknown }[] } | undefined;
  if (!o || typeof o !== 'object') return false;
  if (o.matchLabels && Object.keys(o.matchLabels).some((k) => NS_KEYS.includes(k))) return true;
  return Array.isArray(o.matchExpressions) && o.matchExpressions.some((e) => NS_KEYS.includes(String(e?.key)));
}

const INGRESS_FIELDS = ['fromEndpoints', 'fromRequires', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromGroups', 'fromNodes', 'toPorts', 'icmps', 'authentication'];
const EGRESS_FIELDS = ['toEndpoints', 'toRequires', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toFQDNs', 'toGroups', 'toNodes', 'toPorts', 'icmps', 'authentication'];
const L7_KEYS = ['http', 'kafka', 'dns', 'l7proto', 'l7'];

function compileRule(raw: unknown, section: CiliumRule['section'], index: number, path: IssuePath, issues: Issues, namespaced: boolean): CiliumRule {
  const o = objectAt(raw, path, issues) ?? {};
  const ingress = section.startsWith('ingress');
  checkFields(o, ingress ? INGRESS_FIELDS : EGRESS_FIELDS, path, issues);
  const pre = ingress ? 'from' : 'to';
  const l3: L3 = { endpoints: [], cidrs: [], entities: [], nodes: [], any: false };
  const parts: string[] = [];
  const eps = arrayAt(o[`${pre}Endpoints`], [...path, `${pre}Endpoints`], issues);
  eps?.forEach((e, i) => {
    const sel = compileSelector(e, [...path, `${pre}Endpoints`, i], issues, { cilium: true });
    if (sel) l3.endpoints.push({ sel, namespaced: namespaced && !namesNamespace(e) });
  });
  if (eps) {
    l3.any = true;
    parts.push(`${pre}Endpoints ${l3.endpoints.map((e) => e.sel.text + (e.namespaced ? ' (this namespace)' : '')).join(' OR ') || '(none)'}`);
  }
  const cidrs = arrayAt(o[`${pre}CIDR`], [...path, `${pre}CIDR`], issues);
  cidrs?.forEach((c, i) => {
    const m = compileCidr(c, undefined, [...path, `${pre}CIDR`, i], [], issues, false);
    if (m) l3.cidrs.push(m);
  });
  const sets = arrayAt(o[`${pre}CIDRSet`], [...path, `${pre}CIDRSet`], issues);
  sets?.forEach((s, i) => {
    const p = [...path, `${pre}CIDRSet`, i];
    const so = objectAt(s, p, issues) ?? {};
    checkFields(so, ['cidr', 'except', 'cidrGroupRef', 'cidrGroupSelector'], p, issues);
    if (so.cidr === undefined && (so.cidrGroupRef !== undefined || so.cidrGroupSelector !== undefined)) return;
    const m = compileCidr(so.cidr, arrayAt(so.except, [...p, 'except'], issues), [...p, 'cidr'], [...p, 'except'], issues, false);
    if (m) l3.cidrs.push(m);
  });
  if (cidrs || sets) {
    l3.any = true;
    parts.push(`${pre}CIDR ${l3.cidrs.map((c) => c.text).join(',')}`);
  }
  const ents = arrayAt(o[`${pre}Entities`], [...path, `${pre}Entities`], issues);
  ents?.forEach((e, i) => {
    if (typeof e !== 'string' || !(ENTITIES as readonly string[]).includes(e)) issues.error([...path, `${pre}Entities`, i], `unknown entity ${JSON.stringify(e)} (want ${ENTITIES.join(', ')})`);
    else l3.entities.push(e as Entity);
  });
  if (ents) {
    l3.any = true;
    parts.push(`${pre}Entities ${l3.entities.join(',')}`);
  }
  const nodes = arrayAt(o[`${pre}Nodes`], [...path, `${pre}Nodes`], issues);
  nodes?.forEach((n, i) => {
    const sel = compileSelector(n, [...path, `${pre}Nodes`, i], issues, { cilium: true });
    if (sel) l3.nodes.push(sel);
  });
  if (nodes) {
    l3.any = true;
    parts.push(`${pre}Nodes ${l3.nodes.map((s) => s.text).join(' OR ')}`);
  }
  let undecidable: string | undefined;
  const fqdn = o.toFQDNs !== undefined;
  if (fqdn) {
    l3.any = true;
    const names = (arrayAt(o.toFQDNs, [...path, 'toFQDNs'], issues) ?? []).map((f) => {
      const fo = f as { matchName?: string; matchPattern?: string };
      return fo?.matchName ?? fo?.matchPattern ?? '?';
    });
    parts.push(`toFQDNs ${names.join(',')}`);
  }
  for (const f of ['toServices', 'toGroups', 'fromGroups', 'fromRequires', 'toRequires'] as const) {
    if (o[f] !== undefined) {
      l3.any = true;
      undecidable ??= `${f} is not modelled (it needs data netscope does not have)`;
      parts.push(f);
    }
  }
  const ports: PortMatcher[] = [];
  const l7: string[] = [];
  const tps = arrayAt(o.toPorts, [...path, 'toPorts'], issues);
  tps?.forEach((tp, i) => {
    const p = [...path, 'toPorts', i];
    const to = objectAt(tp, p, issues) ?? {};
    checkFields(to, ['ports', 'rules', 'terminatingTLS', 'originatingTLS', 'serverNames', 'listener'], p, issues);
    (arrayAt(to.ports, [...p, 'ports'], issues) ?? []).forEach((pp, j) => ports.push(compileCiliumPort(pp, [...p, 'ports', j], issues)));
    const rules = objectAt(to.rules, [...p, 'rules'], issues);
    if (rules) {
      if (section.endsWith('Deny')) issues.error([...p, 'rules'], 'deny rules cannot carry L7 rules');
      for (const k of Object.keys(rules)) if (L7_KEYS.includes(k)) l7.push(k);
    }
  });
  if (l7.length > 0) undecidable ??= `L7 rules (${[...new Set(l7)].join(', ')}) are decided by Cilium's proxy per request`;
  const icmp = o.icmps !== undefined;
  const empty = !l3.any && !tps && !icmp;
  const text = empty ? '{} (admits nothing)' : `${parts.join(' OR ') || `${pre} anywhere`}; ports ${portsText(ports)}${l7.length ? `; L7 ${[...new Set(l7)].join(',')}` : ''}`;
  const rule: CiliumRule = { section, index, l3, ports, icmp, fqdn, empty, text };
  if (undecidable) rule.undecidable = undecidable;
  return rule;
}

export function compileCilium(raw: unknown, kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy', issues: Issues): CiliumSpec[] | undefined {
  const o = objectAt(raw, [], issues) ?? {};
  const meta = objectAt(o.metadata, ['metadata'], issues) ?? {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const namespaced = kind === 'CiliumNetworkPolicy';
  const namespace = namespaced ? (typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default') : '';
  if (name === '') issues.error(['metadata', 'name'], 'metadata.name is required');
  const ref: PolicyRef = { kind, namespace, name };
  const entries: [unknown, IssuePath][] = [];
  if (o.spec !== undefined && o.spec !== null) entries.push([o.spec, ['spec']]);
  (arrayAt(o.specs, ['specs'], issues) ?? []).forEach((s, i) => entries.push([s, ['specs', i]]));
  if (entries.length === 0) issues.error(['spec'], 'spec or specs is required');
  const out: CiliumSpec[] = entries.map(([s, path], specIndex) => {
    const so = objectAt(s, path, issues) ?? {};
    checkFields(so, ['endpointSelector', 'nodeSelector', 'ingress', 'ingressDeny', 'egress', 'egressDeny', 'labels', 'description', 'enableDefaultDeny', 'log'], path, issues);
    const hostPolicy = so.nodeSelector !== undefined;
    const endpointSelector = compileSelector(so.endpointSelector, [...path, 'endpointSelector'], issues, { cilium: true });
    if (!hostPolicy && !endpointSelector) issues.error([...path, 'endpointSelector'], 'endpointSelector (or nodeSelector) is required');
    if (hostPolicy && endpointSelector) issues.error([...path, 'nodeSelector'], 'endpointSelector and nodeSelector cannot both be set');
    const sec = (section: CiliumRule['section']): CiliumRule[] =>
      (arrayAt(so[section], [...path, section], issues) ?? []).map((r, i) => compileRule(r, section, i, [...path, section, i], issues, namespaced));
    const ingress = sec('ingress');
    const egress = sec('egress');
    const ingressDeny = sec('ingressDeny');
    const egressDeny = sec('egressDeny');
    const dd = objectAt(so.enableDefaultDeny, [...path, 'enableDefaultDeny'], issues) ?? {};
    const spec: CiliumSpec = {
      ref,
      specIndex,
      hostPolicy,
      enforces: {
        ingress: (ingress.length > 0 || ingressDeny.length > 0) && dd.ingress !== false,
        egress: (egress.length > 0 || egressDeny.length > 0) && dd.egress !== false,
      },
      ingress,
      egress,
      ingressDeny,
      egressDeny,
    };
    if (endpointSelector) spec.endpointSelector = endpointSelector;
    return spec;
  });
  return issues.hasErrors ? undefined : out;
}

/** Whether the rule selects `pod` (Cilium endpoints are pods with their own address). */
export function ciliumSelects(s: CiliumSpec, pod: PolicyPod, nsLabels: Labels | undefined): boolean {
  if (s.hostPolicy || !s.endpointSelector || pod.hostNetwork) return false;
  if (s.ref.kind === 'CiliumNetworkPolicy' && pod.namespace !== s.ref.namespace) return false;
  return s.endpointSelector.match(ciliumPodLabels(pod, nsLabels));
}

function entityMatches(e: Entity, other: PeerInfo, subject: PolicyPod): boolean {
  switch (e) {
    case 'all':
      return true;
    case 'world':
      return other.world;
    case 'world-ipv4':
      return other.world && !other.ips[0]!.includes(':');
    case 'world-ipv6':
      return other.world && other.ips[0]!.includes(':');
    case 'cluster':
      return !other.world;
    case 'host':
      return other.node !== undefined && other.node.name === subject.nodeName;
    case 'remote-node':
      return other.node !== undefined && other.node.name !== subject.nodeName;
    case 'kube-apiserver':
      return other.apiServer;
    default:
      return false;
  }
}

export type CiliumMatch = 'match' | 'undecidable' | 'no';

/** Whether a rule of `s` matches `other` on port/protocol, seen from the selected pod `subject`. */
export function ciliumRuleMatches(s: CiliumSpec, r: CiliumRule, subject: PolicyPod, other: PeerInfo, port: number, protocol: Protocol, dst: PolicyPod | undefined): CiliumMatch {
  if (r.empty) return 'no';
  if (protocol === 'ICMP') {
    if (!r.icmp && r.ports.length > 0) return 'no';
  } else if (!anyPort(r.ports, port, protocol, dst)) return 'no';
  let l3 = !r.l3.any;
  if (!l3) {
    for (const e of r.l3.endpoints) {
      if (!other.pod) continue;
      if (e.namespaced && other.pod.namespace !== s.ref.namespace) continue;
      if (e.sel.match(other.cilium)) {
        l3 = true;
        break;
      }
    }
  }
  if (!l3 && !other.pod && !other.node) l3 = r.l3.cidrs.some((c) => other.ips.some((ip) => c.match(ip)));
  if (!l3) l3 = r.l3.entities.some((e) => entityMatches(e, other, subject));
  if (!l3 && other.node) l3 = r.l3.nodes.some((n) => n.match(other.node!.labels));
  if (!l3 && r.fqdn && other.world) return 'undecidable';
  if (!l3 && r.undecidable && r.l3.endpoints.length === 0 && r.l3.cidrs.length === 0 && r.l3.entities.length === 0) return 'undecidable';
  if (!l3) return 'no';
  return r.undecidable ? 'undecidable' : 'match';
}

export function ciliumRuleName(s: CiliumSpec): string {
  return s.specIndex > 0 ? `specs[${s.specIndex}]` : '';
}
