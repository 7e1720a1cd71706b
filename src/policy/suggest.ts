// Least-privilege NetworkPolicies from observed traffic: for every workload of a
// namespace (pods grouped by their labels without per-pod ones such as
// pod-template-hash), one policy admitting exactly the peers and ports its connections
// used, in and out. Only connections that happened and that the current policies allow
// are taken; replies need no rule (they follow their connection). ICMP cannot be said
// in a NetworkPolicy: such flows are reported, not admitted.
import type { Flow } from '../model/flow.ts';
import type { PolicyEngine } from './engine.ts';
import { flowQuery } from './flow-query.ts';
import { peerText, type Peer, type PolicyPod } from './types.ts';

const PER_POD_LABELS = ['pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index', 'pod-template-generation', 'batch.kubernetes.io/controller-uid', 'controller-uid', 'batch.kubernetes.io/job-name', 'job-name'];

export function workloadLabels(pod: PolicyPod): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(pod.labels).sort()) if (!PER_POD_LABELS.includes(k)) out[k] = pod.labels[k]!;
  return out;
}

function groupName(pod: PolicyPod): string {
  const w = pod.workload?.split('/')[1];
  if (w) return w;
  const l = workloadLabels(pod);
  return l.app ?? l['app.kubernetes.io/name'] ?? l['k8s-app'] ?? pod.name;
}

interface PeerRule {
  peer: Record<string, unknown>;
  ports: Map<string, { protocol: string; port: number }>;
  text: string;
}

interface Group {
  name: string;
  namespace: string;
  selector: Record<string, string>;
  ingress: Map<string, PeerRule>;
  egress: Map<string, PeerRule>;
}

export interface Suggestion {
  /** NetworkPolicy objects, ready for `kubectl apply`. */
  policies: Record<string, unknown>[];
  /** Connections the suggestion cannot express (ICMP), one line each. */
  notes: string[];
  /** Connections used to build it. */
  connections: number;
}

function peerSpec(peer: Peer, namespace: string): { key: string; spec: Record<string, unknown> } | undefined {
  if (peer.kind === 'pod') {
    const sel = workloadLabels(peer.pod);
    const spec: Record<string, unknown> = { podSelector: { matchLabels: sel } };
    if (peer.pod.namespace !== namespace) spec.namespaceSelector = { matchLabels: { 'kubernetes.io/metadata.name': peer.pod.namespace } };
    return { key: `pod:${peer.pod.namespace}:${JSON.stringify(sel)}`, spec };
  }
  const ip = peer.ip;
  if (ip === '') return undefined;
  const cidr = ip.includes(':') ? `${ip}/128` : `${ip}/32`;
  return { key: `ip:${cidr}`, spec: { ipBlock: { cidr } } };
}

export function suggestPolicies(flows: Iterable<Flow>, engine: PolicyEngine, namespace: string): Suggestion {
  const groups = new Map<string, Group>();
  const notes = new Set<string>();
  let connections = 0;
  const groupOf = (pod: PolicyPod): Group | undefined => {
    const selector = workloadLabels(pod);
    if (Object.keys(selector).length === 0) {
      // An empty selector would select every pod of the namespace.
      notes.add(`${pod.namespace}/${pod.name} has no labels to select it by: no policy suggested for it`);
      return undefined;
    }
    const key = JSON.stringify(selector);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { name: groupName(pod), namespace, selector, ingress: new Map(), egress: new Map() }));
    return g;
  };
  const add = (map: Map<string, PeerRule> | undefined, other: Peer, protocol: string, port: number): void => {
    const ps = peerSpec(other, namespace);
    if (!ps || !map) return;
    let r = map.get(ps.key);
    if (!r) map.set(ps.key, (r = { peer: ps.spec, ports: new Map(), text: peerText(other) }));
    r.ports.set(`${protocol}/${port}`, { protocol, port });
  };
  for (const f of flows) {
    if (f.verdict === 'DROPPED' || f.verdict === 'ERROR') continue;
    const q = flowQuery(engine.world, f);
    if (!q || q.reply) continue;
    if (engine.evaluate(q).verdict !== 'allowed') continue;
    const inNs = (p: Peer): PolicyPod | undefined => (p.kind === 'pod' && p.pod.namespace === namespace ? p.pod : undefined);
    const dst = inNs(q.to);
    const src = inNs(q.from);
    if (!dst && !src) continue;
    connections++;
    if (q.protocol === 'ICMP' || q.protocol === 'ANY' || q.port === 0) {
      notes.add(`${peerText(q.from)} -> ${peerText(q.to)} ${q.protocol}: a NetworkPolicy cannot admit it by port; it will be denied once the pods are isolated`);
      continue;
    }
    // Traffic from a pod's own node is always allowed: no rule needed (kubelet probes).
    const ownNode = dst && q.from.kind === 'ip' && q.from.node?.name === dst.nodeName;
    if (dst && !ownNode) add(groupOf(dst)?.ingress, q.from, q.protocol, q.port);
    if (src) add(groupOf(src)?.egress, q.to, q.protocol, q.port);
  }
  const policies: Record<string, unknown>[] = [];
  const sorted = [...groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const used = new Set<string>();
  for (const g of sorted) {
    let name = `netscope-${g.name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 240);
    for (let i = 2; used.has(name); i++) name = `netscope-${g.name}-${i}`;
    used.add(name);
    const rules = (m: Map<string, PeerRule>, field: 'from' | 'to') =>
      [...m.values()]
        .sort((a, b) => (a.text < b.text ? -1 : 1))
        .map((r) => ({ [field]: [r.peer], ports: [...r.ports.values()].sort((a, b) => a.port - b.port || (a.protocol < b.protocol ? -1 : 1)) }));
    policies.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'netscope-suggest' } },
      spec: {
        podSelector: { matchLabels: g.selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: rules(g.ingress, 'from'),
        egress: rules(g.egress, 'to'),
      },
    });
  }
  return { policies, notes: [...notes].sort(), connections };
}
