// policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy (cluster-scoped, priority
// 0-1000, lower first; rules in order, the first match decides: Allow, Deny or Pass to
// the NetworkPolicy layer) and BaselineAdminNetworkPolicy (the one named `default`,
// evaluated after NetworkPolicies for pods they leave unisolated; Allow or Deny).
import { compileCidr, type CidrMatcher } from './cidr.ts';
import { arrayAt, checkFields, objectAt, type IssuePath, Issues } from './issues.ts';
import { compileSelector, type Labels, type Selector } from './label-selector.ts';
import type { PeerInfo } from './peers.ts';
import { anyPort, compileAdminPort, portsText, type PortMatcher } from './ports.ts';
import type { Direction, PolicyPod, PolicyRef, Protocol } from './types.ts';

type PodsSel = { namespaces: Selector; pods?: Selector };

interface AdminPeer {
  /** namespaces / pods: pods selected by namespace (and pod) labels. */
  pods?: PodsSel;
  nodes?: Selector;
  networks?: CidrMatcher[];
  text: string;
}

export interface AdminRule {
  index: number;
  name: string;
  action: 'Allow' | 'Deny' | 'Pass';
  peers: AdminPeer[];
  ports: PortMatcher[];
  text: string;
}

export interface CompiledAdmin {
  ref: PolicyRef;
  /** Undefined for the baseline policy. */
  priority?: number;
  subject: PodsSel;
  ingress: AdminRule[];
  egress: AdminRule[];
}

function podsSel(raw: unknown, path: IssuePath, issues: Issues, field: 'namespaces' | 'pods'): PodsSel | undefined {
  if (field === 'namespaces') {
    const ns = compileSelector(raw, path, issues);
    return ns ? { namespaces: ns } : undefined;
  }
  const o = objectAt(raw, path, issues) ?? {};
  checkFields(o, ['namespaceSelector', 'podSelector'], path, issues);
  const namespaces = compileSelector(o.namespaceSelector, [...path, 'namespaceSelector'], issues);
  const pods = compileSelector(o.podSelector, [...path, 'podSelector'], issues);
  if (!namespaces) issues.error([...path, 'namespaceSelector'], 'namespaceSelector is required');
  if (!pods) issues.error([...path, 'podSelector'], 'podSelector is required');
  return namespaces && pods ? { namespaces, pods } : undefined;
}

function selText(s: PodsSel): string {
  return s.pods ? `pods ns(${s.namespaces.text}) pod(${s.pods.text})` : `namespaces ${s.namespaces.text}`;
}

function compilePeer(raw: unknown, dir: Direction, path: IssuePath, issues: Issues): AdminPeer | undefined {
  const o = objectAt(raw, path, issues) ?? {};
  const fields = dir === 'ingress' ? ['namespaces', 'pods'] : ['namespaces', 'pods', 'nodes', 'networks'];
  checkFields(o, fields, path, issues);
  const set = fields.filter((f) => o[f] !== undefined);
  if (set.length !== 1) {
    issues.error(path, `exactly one of ${fields.join(', ')} must be set (got ${set.length})`);
    return undefined;
  }
  const f = set[0]!;
  if (f === 'namespaces' || f === 'pods') {
    const s = podsSel(o[f], [...path, f], issues, f);
    return s ? { pods: s, text: selText(s) } : undefined;
  }
  if (f === 'nodes') {
    const s = compileSelector(o.nodes, [...path, 'nodes'], issues);
    return s ? { nodes: s, text: `nodes ${s.text}` } : undefined;
  }
  const nets = (arrayAt(o.networks, [...path, 'networks'], issues) ?? [])
    .map((c, i) => compileCidr(c, undefined, [...path, 'networks', i], [], issues))
    .filter((x): x is CidrMatcher => x !== undefined);
  return { networks: nets, text: `networks ${nets.map((n) => n.text).join(',')}` };
}

function compileRules(raw: unknown, dir: Direction, baseline: boolean, path: IssuePath, issues: Issues): AdminRule[] {
  const list = arrayAt(raw, path, issues) ?? [];
  if (list.length > 100) issues.error(path, `at most 100 rules are allowed (got ${list.length})`);
  const peerField = dir === 'ingress' ? 'from' : 'to';
  return list.map((r, index) => {
    const p = [...path, index];
    const o = objectAt(r, p, issues) ?? {};
    checkFields(o, ['name', 'action', peerField, 'ports'], p, issues);
    const actions = baseline ? ['Allow', 'Deny'] : ['Allow', 'Deny', 'Pass'];
    const action = typeof o.action === 'string' && actions.includes(o.action) ? (o.action as AdminRule['action']) : 'Deny';
    if (!(typeof o.action === 'string' && actions.includes(o.action))) issues.error([...p, 'action'], `action must be ${actions.join(', ')} (got ${JSON.stringify(o.action)})`);
    const rawPeers = arrayAt(o[peerField], [...p, peerField], issues) ?? [];
    if (rawPeers.length === 0) issues.error([...p, peerField], `${peerField} needs at least one peer`);
    const peers = rawPeers.map((x, i) => compilePeer(x, dir, [...p, peerField, i], issues)).filter((x): x is AdminPeer => x !== undefined);
    const ports = (arrayAt(o.ports, [...p, 'ports'], issues) ?? []).map((x, i) => compileAdminPort(x, [...p, 'ports', i], issues));
    const name = typeof o.name === 'string' ? o.name : '';
    return { index, name, action, peers, ports, text: `${action}${name ? ` "${name}"` : ''} ${peerField} ${peers.map((x) => x.text).join(' OR ')}; ports ${portsText(ports)}` };
  });
}

export function compileAdmin(raw: unknown, kind: 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy', issues: Issues): CompiledAdmin | undefined {
  const baseline = kind === 'BaselineAdminNetworkPolicy';
  const o = objectAt(raw, [], issues) ?? {};
  const meta = objectAt(o.metadata, ['metadata'], issues) ?? {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (name === '') issues.error(['metadata', 'name'], 'metadata.name is required');
  if (baseline && name !== '' && name !== 'default') issues.error(['metadata', 'name'], `a BaselineAdminNetworkPolicy must be named "default" (got "${name}")`);
  const spec = objectAt(o.spec, ['spec'], issues) ?? {};
  checkFields(spec, baseline ? ['subject', 'ingress', 'egress'] : ['priority', 'subject', 'ingress', 'egress'], ['spec'], issues);
  let priority: number | undefined;
  if (!baseline) {
    if (typeof spec.priority !== 'number' || !Number.isInteger(spec.priority) || spec.priority < 0 || spec.priority > 1000) {
      issues.error(['spec', 'priority'], `priority must be an integer 0-1000 (got ${JSON.stringify(spec.priority)})`);
    } else priority = spec.priority;
  }
  const subj = objectAt(spec.subject, ['spec', 'subject'], issues) ?? {};
  checkFields(subj, ['namespaces', 'pods'], ['spec', 'subject'], issues);
  const which = (['namespaces', 'pods'] as const).filter((f) => subj[f] !== undefined);
  let subject: PodsSel | undefined;
  if (which.length !== 1) issues.error(['spec', 'subject'], `exactly one of namespaces, pods must be set (got ${which.length})`);
  else subject = podsSel(subj[which[0]!], ['spec', 'subject', which[0]!], issues, which[0]!);
  const ingress = compileRules(spec.ingress, 'ingress', baseline, ['spec', 'ingress'], issues);
  const egress = compileRules(spec.egress, 'egress', baseline, ['spec', 'egress'], issues);
  if (issues.hasErrors || !subject) return undefined;
  const out: CompiledAdmin = { ref: { kind, namespace: '', name }, subject, ingress, egress };
  if (priority !== undefined) out.priority = priority;
  return out;
}

function podsMatch(s: PodsSel, pod: PolicyPod, nsLabels: Labels | undefined): boolean {
  return !pod.hostNetwork && s.namespaces.match(nsLabels ?? {}) && (s.pods ? s.pods.match(pod.labels) : true);
}

export function adminSelects(p: CompiledAdmin, pod: PolicyPod, nsLabels: Labels | undefined): boolean {
  return podsMatch(p.subject, pod, nsLabels);
}

/** The first rule of `dir` matching `other` on port/protocol: it decides. */
export function adminFirstMatch(p: CompiledAdmin, dir: Direction, other: PeerInfo, port: number, protocol: Protocol, dst: PolicyPod | undefined): AdminRule | undefined {
  for (const r of dir === 'ingress' ? p.ingress : p.egress) {
    if (!anyPort(r.ports, port, protocol, dst)) continue;
    for (const peer of r.peers) {
      if (peer.pods && other.pod && podsMatch(peer.pods, other.pod, other.nsLabels)) return r;
      if (peer.nodes && other.node && peer.nodes.match(other.node.labels)) return r;
      if (peer.networks && other.ips.some((ip) => peer.networks!.some((n) => n.match(ip)))) return r;
    }
  }
  return undefined;
}
