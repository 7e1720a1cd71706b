// What the rules of every policy API ask about the other end of a connection, worked
// out once per peer: its pod and namespace labels, Cilium's label set, whether it is a
// node, outside the cluster, the API server.
import type { Labels } from './label-selector.ts';
import type { World } from './world.ts';
import type { Peer, PolicyNode, PolicyPod } from './types.ts';

export interface PeerInfo {
  peer: Peer;
  /** A pod with its own address (never a host-network pod). */
  pod?: PolicyPod;
  nsLabels?: Labels;
  /** Cilium's labels for the peer, keys without the `k8s:` source (reserved ones keep `reserved:`). */
  cilium: Labels;
  ips: readonly string[];
  /** A node's address (also a host-network pod's). */
  node?: PolicyNode;
  /** Outside the cluster: not a pod, not a node. */
  world: boolean;
  apiServer: boolean;
  key: string;
}

export function ciliumPodLabels(pod: PolicyPod, nsLabels: Labels | undefined): Record<string, string> {
  const out: Record<string, string> = { ...pod.labels };
  for (const [k, v] of Object.entries(nsLabels ?? {})) out[`io.cilium.k8s.namespace.labels.${k}`] = v;
  out['io.kubernetes.pod.namespace'] = pod.namespace;
  if (pod.serviceAccount !== '') out['io.cilium.k8s.policy.serviceaccount'] = pod.serviceAccount;
  return out;
}

export function peerKey(p: Peer): string {
  return p.kind === 'pod' ? `${p.pod.namespace}/${p.pod.name}` : p.ip;
}

const NO_LABELS: Labels = Object.freeze({});

/** `cilium`: work out Cilium's label set (only needed when Cilium policies exist). */
export function peerInfo(world: World, peer: Peer, cilium = true): PeerInfo {
  const key = peerKey(peer);
  if (peer.kind === 'pod') {
    const nsLabels = world.namespaces.get(peer.pod.namespace) ?? { 'kubernetes.io/metadata.name': peer.pod.namespace };
    return {
      peer,
      pod: peer.pod,
      nsLabels,
      cilium: cilium ? ciliumPodLabels(peer.pod, nsLabels) : NO_LABELS,
      ips: peer.pod.ips,
      world: false,
      apiServer: peer.pod.ips.some((ip) => world.apiServerIPs.has(ip)),
      key,
    };
  }
  const node = peer.node;
  const apiServer = world.apiServerIPs.has(peer.ip);
  const info: PeerInfo = {
    peer,
    cilium: node ? { 'reserved:remote-node': '' } : { 'reserved:world': '' },
    ips: [peer.ip],
    world: !node && !apiServer,
    apiServer,
    key,
  };
  if (node) info.node = node;
  return info;
}
