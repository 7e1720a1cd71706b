// The resource views: for each of :pods :svc :netpol :nodes :ns :ctx, which objects,
// which columns, what Enter shows, and which flows filter a row stands for.
import type { EndpointSliceView, NamespaceView, NodeView, PodView, PolicyView, ServiceView } from '../k8s/objects.ts';
import { nodeIPs } from '../k8s/objects.ts';
import { asArray, asObject, asString, asStringMap } from '../k8s/raw.ts';
import type { ResourceKind } from '../k8s/resources.ts';
import type { ClusterStore } from '../k8s/store.ts';
import { age, type Column } from './table.ts';
import { policyStats } from './policy-stats.ts';
import { hitKey } from '../policy/hits.ts';

export interface ContextRow {
  name: string;
  cluster: string;
  user: string;
  namespace: string;
  current: boolean;
}

/** What the views read: the model and, for :ctx, the kubeconfig's contexts. */
export interface ResourceData {
  store: ClusterStore;
  contexts: readonly ContextRow[];
  nowMs: number;
}

export interface ResourceViewDef<T> {
  name: string;
  aliases: string[];
  title: string;
  summary: string;
  /** The API kind of each item, for the YAML view (undefined: no YAML, e.g. contexts). */
  kindOf?(item: T): ResourceKind;
  items(data: ResourceData, namespace: string | undefined): T[];
  columns(data: ResourceData): Column<T>[];
  key(item: T): string;
  detail(item: T, data: ResourceData): [string, string][];
  /** The flows filter (observe flags) for this object, when it has flows. */
  flowFilter?(item: T): string;
  /** Enter picks the row (switch namespace / context) instead of opening details (`d` does). */
  enterSelects?: boolean;
  /** The `namespace/name` row in the latency pane, for services and their pods. */
  latencyRow?(item: T, data: ResourceData): string | undefined;
}

const qualified = (o: { namespace: string; name: string }): string => (o.namespace ? `${o.namespace}/${o.name}` : o.name);
const nsCol = <T extends { namespace: string }>(): Column<T> => ({ name: 'NAMESPACE', value: (o) => o.namespace });
const nameCol = <T extends { name: string }>(): Column<T> => ({ name: 'NAME', value: (o) => o.name });
const ageCol = <T extends { creationTimestamp: string }>(now: number): Column<T> => ({
  name: 'AGE',
  value: (o) => age(o.creationTimestamp, now),
  sortValue: (o) => -(Date.parse(o.creationTimestamp) || 0),
  right: true,
});
const labelText = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',') || '<none>';

function inNamespace<T extends { namespace: string }>(items: T[], ns: string | undefined): T[] {
  return ns === undefined ? items : items.filter((o) => o.namespace === ns);
}

export const podsView: ResourceViewDef<PodView> = {
  name: 'pods',
  aliases: ['po', 'pod'],
  title: 'Pods',
  summary: 'Pods of the cluster model (Enter details, y YAML, f flows, l latency)',
  kindOf: () => 'Pod',
  items: (d, ns) => d.store.list<PodView>('Pod', ns),
  columns: (d) => [
    nsCol(),
    nameCol(),
    { name: 'READY', value: (p) => p.ready },
    { name: 'STATUS', value: (p) => (p.deleting ? 'Terminating' : p.phase || 'Unknown') },
    { name: 'RESTARTS', value: (p) => String(p.restarts), sortValue: (p) => p.restarts, right: true },
    { name: 'IP', value: (p) => p.podIPs[0] ?? '', sortValue: (p) => ipSortKey(p.podIPs[0] ?? '') },
    { name: 'NODE', value: (p) => p.nodeName },
    { name: 'WORKLOAD', value: (p) => (p.workload ? `${p.workload.kind}/${p.workload.name}` : '') },
    ageCol(d.nowMs),
  ],
  key: qualified,
  detail: (p, d) => [
    ['Name', p.name],
    ['Namespace', p.namespace],
    ['Status', p.deleting ? 'Terminating' : p.phase],
    ['Ready', p.ready],
    ['Restarts', String(p.restarts)],
    ['Pod IPs', p.podIPs.join(', ') || '<none>'],
    ['Host network', p.hostNetwork ? 'yes' : 'no'],
    ['Node', `${p.nodeName}${p.hostIP ? ` (${p.hostIP})` : ''}`],
    ['Workload', p.workload ? `${p.workload.kind}/${p.workload.name}` : '<none>'],
    ['Service account', p.serviceAccount || '<none>'],
    ['Services', d.store.servicesOfPod(p.namespace, p.name).map(qualified).join(', ') || '<none>'],
    ['Labels', labelText(p.labels)],
    ['Created', p.creationTimestamp],
  ],
  flowFilter: (p) => `--pod ${qualified(p)}`,
  latencyRow: (p, d) => {
    const s = d.store.servicesOfPod(p.namespace, p.name)[0];
    return s ? qualified(s) : undefined;
  },
};

function endpointCounts(store: ClusterStore): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of store.list<EndpointSliceView>('EndpointSlice')) {
    if (s.serviceName === '') continue;
    const k = `${s.namespace}/${s.serviceName}`;
    out.set(k, (out.get(k) ?? 0) + s.endpoints.filter((e) => e.ready).length);
  }
  return out;
}

const portsText = (s: ServiceView): string =>
  s.ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',') || '<none>';

export const servicesView: ResourceViewDef<ServiceView> = {
  name: 'svc',
  aliases: ['services', 'service'],
  title: 'Services',
  summary: 'Services of the cluster model (Enter details, y YAML, f flows, l latency)',
  kindOf: () => 'Service',
  items: (d, ns) => d.store.list<ServiceView>('Service', ns),
  columns: (d) => {
    const counts = endpointCounts(d.store);
    return [
      nsCol(),
      nameCol(),
      { name: 'TYPE', value: (s) => s.type },
      { name: 'CLUSTER-IP', value: (s) => s.clusterIPs[0] ?? 'None', sortValue: (s) => ipSortKey(s.clusterIPs[0] ?? '') },
      { name: 'PORTS', value: portsText },
      { name: 'ENDPOINTS', value: (s) => String(counts.get(qualified(s)) ?? 0), sortValue: (s) => counts.get(qualified(s)) ?? 0, right: true },
      ageCol(d.nowMs),
    ];
  },
  key: qualified,
  detail: (s, d) => [
    ['Name', s.name],
    ['Namespace', s.namespace],
    ['Type', s.type],
    ['Cluster IPs', s.clusterIPs.join(', ') || 'None'],
    ['External IPs', [...s.externalIPs, ...s.loadBalancerIPs].join(', ') || '<none>'],
    ['Ports', s.ports.map((p) => `${p.name ? p.name + ' ' : ''}${p.port}/${p.protocol} -> ${p.targetPort || p.port}`).join(', ') || '<none>'],
    ['Selector', labelText(s.selector)],
    ['Pods', d.store.podsOfService(s.namespace, s.name).map((p) => p.name).join(', ') || '<none>'],
    ['Labels', labelText(s.labels)],
    ['Created', s.creationTimestamp],
  ],
  flowFilter: (s) => `--service ${qualified(s)}`,
  latencyRow: (s) => qualified(s),
};

function selectorText(sel: unknown): string {
  const o = asObject(sel);
  const parts = Object.entries(asStringMap(o.matchLabels)).map(([k, v]) => `${k}=${v}`);
  for (const e of asArray(o.matchExpressions)) {
    const eo = asObject(e);
    parts.push(`${asString(eo.key)} ${asString(eo.operator)} (${asArray(eo.values).map(asString).join(',')})`);
  }
  return parts.join(',') || '<all>';
}

function policySelector(p: PolicyView): string {
  const spec = asObject(p.spec);
  if (p.kind === 'NetworkPolicy') return selectorText(spec.podSelector);
  const first = asObject(p.specs.length > 0 ? p.specs[0] : p.spec);
  if (first.nodeSelector !== undefined) return `node: ${selectorText(first.nodeSelector)}`;
  if (p.kind === 'AdminNetworkPolicy' || p.kind === 'BaselineAdminNetworkPolicy') {
    const subj = asObject(first.subject);
    return subj.pods !== undefined ? `pods: ${selectorText(asObject(subj.pods).podSelector)}` : `namespaces: ${selectorText(subj.namespaces)}`;
  }
  return selectorText(first.endpointSelector);
}

function policyDirections(p: PolicyView): string {
  if (p.policyTypes.length > 0) return p.policyTypes.join(',');
  const rules = p.specs.length > 0 ? p.specs.map(asObject) : [asObject(p.spec)];
  const dirs = new Set<string>();
  for (const r of rules) {
    if (r.ingress !== undefined || r.ingressDeny !== undefined) dirs.add('Ingress');
    if (r.egress !== undefined || r.egressDeny !== undefined) dirs.add('Egress');
  }
  // A NetworkPolicy without policyTypes always applies to ingress.
  if (p.kind === 'NetworkPolicy') dirs.add('Ingress');
  return [...dirs].sort().reverse().join(',');
}

function policyRef(p: PolicyView) {
  return { kind: p.kind, namespace: p.namespace, name: p.name };
}

/** Pods the policy selects, per the engine (undefined without one). */
function selectedPods(p: PolicyView): string[] | undefined {
  const engine = policyStats()?.engine();
  if (!engine) return undefined;
  return engine.selectedPods(policyRef(p)).map((x) => `${x.namespace}/${x.name}`);
}

export const policiesView: ResourceViewDef<PolicyView> = {
  name: 'netpol',
  aliases: ['networkpolicies', 'np', 'cnp', 'policies'],
  title: 'Network policies',
  summary: 'NetworkPolicies and Cilium(Clusterwide)NetworkPolicies (Enter details, y YAML)',
  kindOf: (p) => p.kind,
  items: (d, ns) => [
    ...d.store.list<PolicyView>('NetworkPolicy', ns),
    ...d.store.list<PolicyView>('CiliumNetworkPolicy', ns),
    ...d.store.list<PolicyView>('CiliumClusterwideNetworkPolicy'),
    ...d.store.list<PolicyView>('AdminNetworkPolicy'),
    ...d.store.list<PolicyView>('BaselineAdminNetworkPolicy'),
  ],
  columns: (d) => {
    const stats = policyStats();
    const hits = (p: PolicyView) => stats?.hits.get(hitKey(policyRef(p)));
    const cols: Column<PolicyView>[] = [
      nsCol(),
      nameCol(),
      { name: 'KIND', value: (p) => p.kind },
      { name: 'SELECTOR', value: policySelector },
      { name: 'DIRECTION', value: policyDirections },
    ];
    if (stats) {
      const counts = new Map<PolicyView, number>();
      const pods = (p: PolicyView): number => {
        let n = counts.get(p);
        if (n === undefined) counts.set(p, (n = selectedPods(p)?.length ?? 0));
        return n;
      };
      cols.push(
        { name: 'PODS', value: (p) => String(pods(p)), sortValue: pods, right: true },
        { name: 'ALLOWED', value: (p) => String(hits(p)?.allowed ?? 0), sortValue: (p) => hits(p)?.allowed ?? 0, right: true },
        { name: 'DENIED', value: (p) => String(hits(p)?.denied ?? 0), sortValue: (p) => hits(p)?.denied ?? 0, right: true },
      );
    }
    cols.push(ageCol(d.nowMs));
    return cols;
  },
  key: (p) => `${p.kind}:${qualified(p)}`,
  detail: (p) => [
    ['Name', p.name],
    ['Namespace', p.namespace || '<cluster-wide>'],
    ['Kind', p.kind],
    ['Selects', policySelector(p)],
    ['Directions', policyDirections(p)],
    ['Selected pods', selectedPods(p)?.join(', ') || (policyStats() ? '<none>' : '<no policy engine>')],
    ['Live hits', (() => {
      const h = policyStats()?.hits.get(hitKey(policyRef(p)));
      return h ? `${h.allowed} allowed, ${h.denied} denied` : policyStats() ? '0 allowed, 0 denied' : '<no policy engine>';
    })()],
    ['Labels', labelText(p.labels)],
    ['Created', p.creationTimestamp],
  ],
};

export const nodesView: ResourceViewDef<NodeView> = {
  name: 'nodes',
  aliases: ['no', 'node'],
  title: 'Nodes',
  summary: 'Nodes of the cluster model (Enter details, y YAML, f flows)',
  kindOf: () => 'Node',
  items: (d) => d.store.list<NodeView>('Node'),
  columns: (d) => {
    const pods = new Map<string, number>();
    for (const p of d.store.list<PodView>('Pod')) pods.set(p.nodeName, (pods.get(p.nodeName) ?? 0) + 1);
    return [
      nameCol(),
      { name: 'STATUS', value: (n) => (n.ready ? 'Ready' : 'NotReady') + (n.unschedulable ? ',SchedulingDisabled' : '') },
      { name: 'ROLES', value: (n) => n.roles.join(',') || '<none>' },
      { name: 'INTERNAL-IP', value: (n) => nodeIPs(n)[0] ?? '', sortValue: (n) => ipSortKey(nodeIPs(n)[0] ?? '') },
      { name: 'POD-CIDR', value: (n) => n.podCIDRs.join(',') },
      { name: 'VERSION', value: (n) => n.kubeletVersion },
      { name: 'PODS', value: (n) => String(pods.get(n.name) ?? 0), sortValue: (n) => pods.get(n.name) ?? 0, right: true },
      ageCol(d.nowMs),
    ];
  },
  key: (n) => n.name,
  detail: (n) => [
    ['Name', n.name],
    ['Status', n.ready ? 'Ready' : 'NotReady'],
    ['Roles', n.roles.join(', ') || '<none>'],
    ['Addresses', n.addresses.map((a) => `${a.type}=${a.address}`).join(', ')],
    ['Pod CIDRs', n.podCIDRs.join(', ') || '<none>'],
    ['Kubelet', n.kubeletVersion],
    ['Labels', labelText(n.labels)],
    ['Created', n.creationTimestamp],
  ],
  flowFilter: (n) => `--node-name ${n.name}`,
};

export const namespacesView: ResourceViewDef<NamespaceView> = {
  name: 'ns',
  aliases: ['namespaces', 'namespace'],
  title: 'Namespaces',
  summary: 'Namespaces of the cluster model (Enter: resource views show this namespace; f flows)',
  enterSelects: true,
  kindOf: () => 'Namespace',
  items: (d) => d.store.list<NamespaceView>('Namespace'),
  columns: (d) => {
    const pods = new Map<string, number>();
    for (const p of d.store.list<PodView>('Pod')) pods.set(p.namespace, (pods.get(p.namespace) ?? 0) + 1);
    return [
      nameCol(),
      { name: 'STATUS', value: (n) => n.phase || 'Active' },
      { name: 'PODS', value: (n) => String(pods.get(n.name) ?? 0), sortValue: (n) => pods.get(n.name) ?? 0, right: true },
      ageCol(d.nowMs),
    ];
  },
  key: (n) => n.name,
  detail: (n) => [
    ['Name', n.name],
    ['Status', n.phase || 'Active'],
    ['Labels', labelText(n.labels)],
    ['Created', n.creationTimestamp],
  ],
  flowFilter: (n) => `--namespace ${n.name}`,
};

export const contextsView: ResourceViewDef<ContextRow> = {
  name: 'ctx',
  aliases: ['context', 'contexts'],
  title: 'Contexts',
  summary: 'kubeconfig contexts (Enter switches context)',
  enterSelects: true,
  items: (d) => [...d.contexts],
  columns: () => [
    { name: 'CURRENT', value: (c) => (c.current ? '*' : '') },
    { name: 'NAME', value: (c) => c.name },
    { name: 'CLUSTER', value: (c) => c.cluster },
    { name: 'USER', value: (c) => c.user },
    { name: 'NAMESPACE', value: (c) => c.namespace },
  ],
  key: (c) => c.name,
  detail: (c) => [
    ['Name', c.name],
    ['Cluster', c.cluster],
    ['User', c.user],
    ['Namespace', c.namespace || 'default'],
    ['Current', c.current ? 'yes' : 'no'],
  ],
};

/** Sorts dotted IPv4 numerically; anything else after. */
function ipSortKey(ip: string): number | string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return ip === '' ? Number.MAX_SAFE_INTEGER : `~${ip}`;
  return ((Number(m[1]) * 256 + Number(m[2])) * 256 + Number(m[3])) * 256 + Number(m[4]);
}

export const RESOURCE_VIEWS = [podsView, servicesView, policiesView, nodesView, namespacesView, contextsView] as const;
