// The part of the cluster policies read, indexed: pods (by key and address),
// namespaces' labels, nodes, the API server's addresses. Built from the cluster
// model's store or from raw objects (offline files), then treated as a value.
import type { ModelObject, NamespaceView, NodeView, PodView, ServiceView, EndpointSliceView } from '../k8s/objects.ts';
import { nodeIPs } from '../k8s/objects.ts';
import { parseIPPrefix } from '../filter/ip-match.ts';
import type { Labels } from './label-selector.ts';
import type { Peer, PolicyNode, PolicyPod } from './types.ts';

export interface World {
  readonly namespaces: ReadonlyMap<string, Labels>;
  readonly pods: readonly PolicyPod[];
  readonly nodes: readonly PolicyNode[];
  readonly podByKey: ReadonlyMap<string, PolicyPod>;
  /** Pod addresses (not host-network pods: their address is their node's). */
  readonly podByIP: ReadonlyMap<string, PolicyPod>;
  readonly nodeByIP: ReadonlyMap<string, PolicyNode>;
  readonly nodeByName: ReadonlyMap<string, PolicyNode>;
  /** Host-network pods by node name. */
  readonly hostPods: ReadonlyMap<string, readonly PolicyPod[]>;
  /** Addresses of the API server: the `default/kubernetes` Service and its endpoints. */
  readonly apiServerIPs: ReadonlySet<string>;
}

export interface WorldInput {
  namespaces: readonly { name: string; labels: Labels }[];
  pods: readonly PolicyPod[];
  nodes: readonly PolicyNode[];
  apiServerIPs?: readonly string[];
}

function isLive(p: PodView): boolean {
  return !p.deleting && p.phase !== 'Succeeded' && p.phase !== 'Failed';
}

export function buildWorld(input: WorldInput): World {
  const namespaces = new Map<string, Labels>();
  for (const n of input.namespaces) {
    // The API server sets this label on every namespace (since 1.21); selectors rely on it.
    namespaces.set(n.name, { 'kubernetes.io/metadata.name': n.name, ...n.labels });
  }
  const podByKey = new Map<string, PolicyPod>();
  const podByIP = new Map<string, PolicyPod>();
  const hostPods = new Map<string, PolicyPod[]>();
  for (const p of input.pods) {
    podByKey.set(`${p.namespace}/${p.name}`, p);
    if (!namespaces.has(p.namespace)) namespaces.set(p.namespace, { 'kubernetes.io/metadata.name': p.namespace });
    if (p.hostNetwork) {
      const list = hostPods.get(p.nodeName) ?? [];
      list.push(p);
      hostPods.set(p.nodeName, list);
    } else for (const ip of p.ips) podByIP.set(ip, p);
  }
  const nodeByIP = new Map<string, PolicyNode>();
  const nodeByName = new Map<string, PolicyNode>();
  for (const n of input.nodes) {
    nodeByName.set(n.name, n);
    for (const ip of n.ips) nodeByIP.set(ip, n);
  }
  return {
    namespaces,
    pods: input.pods,
    nodes: input.nodes,
    podByKey,
    podByIP,
    nodeByIP,
    nodeByName,
    hostPods,
    apiServerIPs: new Set(input.apiServerIPs ?? []),
  };
}

/** The part of ClusterStore a world is built from. */
export interface WorldSource {
  list<T extends ModelObject = ModelObject>(kind: 'Pod' | 'Namespace' | 'Node' | 'Service' | 'EndpointSlice'): T[];
}

export function podFromView(p: PodView): PolicyPod {
  const pod: PolicyPod = {
    namespace: p.namespace,
    name: p.name,
    labels: p.labels,
    ips: p.podIPs,
    hostNetwork: p.hostNetwork,
    nodeName: p.nodeName,
    serviceAccount: p.serviceAccount,
    ports: p.containerPorts,
  };
  if (p.workload) pod.workload = `${p.workload.kind ?? ''}/${p.workload.name ?? ''}`;
  return pod;
}

/** A world from the cluster model (live or snapshot): live pods only. */
export function worldFromStore(store: WorldSource): World {
  const pods = store.list<PodView>('Pod').filter(isLive).map(podFromView);
  const nodes = store.list<NodeView>('Node').map((n) => ({ name: n.name, ips: [...nodeIPs(n), ...n.hostIPs], labels: n.labels }));
  const api: string[] = [];
  for (const s of store.list<ServiceView>('Service')) if (s.namespace === 'default' && s.name === 'kubernetes') api.push(...s.clusterIPs);
  for (const sl of store.list<EndpointSliceView>('EndpointSlice')) {
    if (sl.namespace === 'default' && sl.serviceName === 'kubernetes') for (const e of sl.endpoints) api.push(...e.ips);
  }
  return buildWorld({ namespaces: store.list<NamespaceView>('Namespace'), pods, nodes, apiServerIPs: api });
}

/** `ns/pod` or an IP address as a peer; undefined when the world does not know it. */
export function resolvePeer(world: World, text: string): Peer | undefined {
  const pod = world.podByKey.get(text);
  if (pod) return pod.hostNetwork ? hostPeer(world, pod) : { kind: 'pod', pod };
  if (text.includes('/') || typeof parseIPPrefix(text) === 'string' || text.includes('/')) return undefined;
  return peerForIP(world, text);
}

function hostPeer(world: World, pod: PolicyPod): Peer {
  const node = world.nodeByName.get(pod.nodeName);
  const ip = pod.ips[0] ?? node?.ips[0] ?? '';
  const peer: Peer = { kind: 'ip', ip, hostPod: pod };
  if (node) peer.node = node;
  return peer;
}

/** The peer an address stands for: a pod, a node, or an address outside the cluster. */
export function peerForIP(world: World, ip: string): Peer {
  const pod = world.podByIP.get(ip);
  if (pod) return { kind: 'pod', pod };
  const node = world.nodeByIP.get(ip);
  if (node) return { kind: 'ip', ip, node };
  return { kind: 'ip', ip };
}
