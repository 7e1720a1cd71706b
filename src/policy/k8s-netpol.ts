// networking.k8s.io/v1 NetworkPolicy, as the API reference defines it:
// - spec.podSelector selects pods in the policy's own namespace ({} or missing: all);
// - policyTypes default to [Ingress], plus Egress when spec.egress has rules;
// - a rule with no `from`/`to` admits every peer, with no `ports` every port;
// - peers OR together; podSelector + namespaceSelector in ONE peer AND together;
//   podSelector alone means the policy's namespace; namespaceSelector {} all namespaces;
// - ipBlock (cidr minus except) matches addresses; host-network pods are not pods to
//   selectors (their traffic is their node's, as most plugins implement the undefined case);
// - named ports resolve on the destination pod; endPort makes a range.
import { compileCidr, type CidrMatcher } from './cidr.ts';
import { arrayAt, checkFields, objectAt, type IssuePath, Issues } from './issues.ts';
import { compileSelector, type Selector } from './label-selector.ts';
import type { PeerInfo } from './peers.ts';
import { anyPort, compileK8sPort, portsText, type PortMatcher } from './ports.ts';
import type { Direction, PolicyPod, PolicyRef, Protocol } from './types.ts';

interface K8sPeer {
  pods?: Selector;
  namespaces?: Selector;
  ipBlock?: CidrMatcher;
  text: string;
}

export interface K8sRule {
  index: number;
  /** undefined: every peer. */
  peers: K8sPeer[] | undefined;
  ports: PortMatcher[];
  text: string;
}

export interface CompiledNetpol {
  ref: PolicyRef;
  podSelector: Selector;
  types: ReadonlySet<Direction>;
  ingress: K8sRule[];
  egress: K8sRule[];
}

function compilePeer(raw: unknown, path: IssuePath, issues: Issues): K8sPeer | undefined {
  const o = objectAt(raw, path, issues) ?? {};
  checkFields(o, ['podSelector', 'namespaceSelector', 'ipBlock'], path, issues);
  const before = issues.list.length;
  const pods = compileSelector(o.podSelector, [...path, 'podSelector'], issues);
  const namespaces = compileSelector(o.namespaceSelector, [...path, 'namespaceSelector'], issues);
  let ipBlock: CidrMatcher | undefined;
  if (o.ipBlock !== undefined && o.ipBlock !== null) {
    const b = objectAt(o.ipBlock, [...path, 'ipBlock'], issues) ?? {};
    checkFields(b, ['cidr', 'except'], [...path, 'ipBlock'], issues);
    ipBlock = compileCidr(b.cidr, arrayAt(b.except, [...path, 'ipBlock', 'except'], issues), [...path, 'ipBlock', 'cidr'], [...path, 'ipBlock', 'except'], issues);
    if (pods || namespaces) issues.error([...path, 'ipBlock'], 'ipBlock cannot be combined with podSelector or namespaceSelector in one peer');
  }
  if (!pods && !namespaces && o.ipBlock === undefined) {
    issues.error(path, 'a peer must set podSelector, namespaceSelector or ipBlock');
    return undefined;
  }
  if (issues.list.slice(before).some((i) => i.severity === 'error')) return undefined;
  const parts: string[] = [];
  if (namespaces) parts.push(`namespaceSelector ${namespaces.text}`);
  if (pods) parts.push(`podSelector ${pods.text}`);
  if (ipBlock) parts.push(`ipBlock ${ipBlock.text}`);
  const peer: K8sPeer = { text: parts.join(' AND ') };
  if (pods) peer.pods = pods;
  if (namespaces) peer.namespaces = namespaces;
  if (ipBlock) peer.ipBlock = ipBlock;
  return peer;
}

function compileRules(raw: unknown, dir: Direction, path: IssuePath, issues: Issues): K8sRule[] {
  const list = arrayAt(raw, path, issues) ?? [];
  const peerField = dir === 'ingress' ? 'from' : 'to';
  return list.map((r, index) => {
    const p = [...path, index];
    const o = objectAt(r, p, issues) ?? {};
    checkFields(o, [peerField, 'ports'], p, issues);
    const rawPeers = arrayAt(o[peerField], [...p, peerField], issues);
    // An empty list and a missing field mean the same: every peer.
    const peers = rawPeers && rawPeers.length > 0 ? rawPeers.map((x, i) => compilePeer(x, [...p, peerField, i], issues)).filter((x): x is K8sPeer => x !== undefined) : undefined;
    const ports = (arrayAt(o.ports, [...p, 'ports'], issues) ?? []).map((x, i) => compileK8sPort(x, [...p, 'ports', i], issues));
    const who = peers === undefined ? `${peerField} anywhere` : `${peerField} ${peers.map((x) => x.text).join(' OR ')}`;
    return { index, peers, ports, text: `${who}; ports ${portsText(ports)}` };
  });
}

export function compileNetpol(raw: unknown, issues: Issues): CompiledNetpol | undefined {
  const o = objectAt(raw, [], issues) ?? {};
  const meta = objectAt(o.metadata, ['metadata'], issues) ?? {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
  if (name === '') issues.error(['metadata', 'name'], 'metadata.name is required');
  const spec = objectAt(o.spec, ['spec'], issues) ?? {};
  checkFields(spec, ['podSelector', 'policyTypes', 'ingress', 'egress'], ['spec'], issues);
  const podSelector = compileSelector(spec.podSelector ?? {}, ['spec', 'podSelector'], issues)!;
  const ingress = compileRules(spec.ingress, 'ingress', ['spec', 'ingress'], issues);
  const egress = compileRules(spec.egress, 'egress', ['spec', 'egress'], issues);
  const types = new Set<Direction>();
  const rawTypes = arrayAt(spec.policyTypes, ['spec', 'policyTypes'], issues);
  if (rawTypes && rawTypes.length > 0) {
    rawTypes.forEach((t, i) => {
      if (t === 'Ingress') types.add('ingress');
      else if (t === 'Egress') types.add('egress');
      else issues.error(['spec', 'policyTypes', i], `unknown policy type ${JSON.stringify(t)} (want Ingress or Egress)`);
    });
  } else {
    types.add('ingress');
    if (egress.length > 0) types.add('egress');
  }
  if (issues.hasErrors) return undefined;
  return { ref: { kind: 'NetworkPolicy', namespace, name }, podSelector, types, ingress, egress };
}

/** Whether the policy selects `pod` (in its own namespace; host-network pods never). */
export function netpolSelects(p: CompiledNetpol, pod: PolicyPod): boolean {
  return !pod.hostNetwork && pod.namespace === p.ref.namespace && p.podSelector.match(pod.labels);
}

function peerMatches(p: CompiledNetpol, peer: K8sPeer, other: PeerInfo): boolean {
  if (peer.ipBlock) return other.ips.some((ip) => peer.ipBlock!.match(ip));
  const pod = other.pod;
  if (!pod) return false; // selectors match pods only; nodes and the world need an ipBlock
  if (peer.namespaces) {
    if (!peer.namespaces.match(other.nsLabels ?? {})) return false;
  } else if (pod.namespace !== p.ref.namespace) return false;
  return peer.pods ? peer.pods.match(pod.labels) : true;
}

/** Rules of `dir` admitting `other` on port/protocol (`dst` resolves named ports). */
export function netpolAdmits(p: CompiledNetpol, dir: Direction, other: PeerInfo, port: number, protocol: Protocol, dst: PolicyPod | undefined): K8sRule[] {
  const out: K8sRule[] = [];
  for (const r of dir === 'ingress' ? p.ingress : p.egress) {
    if (!anyPort(r.ports, port, protocol, dst)) continue;
    if (r.peers === undefined || r.peers.some((x) => peerMatches(p, x, other))) out.push(r);
  }
  return out;
}
