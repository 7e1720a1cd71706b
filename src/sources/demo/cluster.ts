// Places the demo application on a three-node kind-style cluster: pod names,
// IPs, nodes, identities, Services and NetworkPolicies, all drawn from the seed.
// The same seed always yields the same cluster, so flows from the simulator
// and objects from demoClusterObjects() agree.

import type { Endpoint, Policy, Service } from '../../model/flow.ts';
import { DNS_CLUSTER_IP, DNS_SERVICE, POLICIES, WORKLOADS, type WorkloadSpec } from './boutique.ts';
import { K8S_SUFFIX_ALPHABET, Rng } from './prng.ts';

export const CLUSTER_NAME = 'default';
/** Cilium's reserved identity for the local host. */
export const RESERVED_HOST_IDENTITY = 1;
export const SYSTEM_NAMESPACE = 'kube-system';

export interface DemoNode {
  name: string;
  /** 1-based, also the third octet of its pod CIDR. */
  index: number;
  podCIDR: string;
  internalIP: string;
  /** The node's cilium_host address (first of its pod CIDR): source of kubelet probes. */
  ciliumHostIP: string;
  /** Hubble's endpoint for the node itself (`reserved:host`); frozen and shared. */
  hostEndpoint: Readonly<Endpoint>;
  uid: string;
}

export interface DemoPod {
  name: string;
  namespace: string;
  uid: string;
  workload: WorkloadSpec;
  replicaSetName: string;
  replicaSetUid: string;
  podTemplateHash: string;
  ip: string;
  node: DemoNode;
  identity: number;
  endpointId: number;
  /** Kubernetes labels on the pod object. */
  labels: Record<string, string>;
  /** The Hubble endpoint for flows; frozen and shared by every flow of this pod. */
  endpoint: Readonly<Endpoint>;
}

export interface DemoService {
  name: string;
  namespace: string;
  uid: string;
  clusterIP: string;
  port: number;
  targetPort: number;
  portName: string;
  protocol: 'TCP' | 'UDP';
  workload: WorkloadSpec;
  backends: DemoPod[];
  /** `{name, namespace}` for flows; frozen and shared. */
  ref: Readonly<Service>;
}

export interface DemoPolicy {
  name: string;
  namespace: string;
  uid: string;
  target: string;
  allowFrom: string;
  port: number;
  revision: number;
  /** Hubble's policy reference for `*_allowed_by` / `*_denied_by`; frozen and shared. */
  ref: Readonly<Policy>;
}

export interface DemoCluster {
  seed: number;
  namespace: string;
  nodes: DemoNode[];
  pods: DemoPod[];
  services: DemoService[];
  policies: DemoPolicy[];
  namespaceUids: Record<string, string>;
  deploymentUids: Record<string, string>;
  podsByWorkload: Map<string, DemoPod[]>;
  serviceByWorkload: Map<string, DemoService>;
  /** Every pod IP and ClusterIP to what owns it. */
  podByIP: Map<string, DemoPod>;
  serviceByIP: Map<string, DemoService>;
}

const NODE_NAMES = ['kind-worker', 'kind-worker2', 'kind-worker3'];

function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) {
    if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v as object);
  }
  return Object.freeze(o);
}

/** Cilium's security labels for a pod: what Hubble shows in `labels` and what its identity is keyed on. */
export function ciliumLabels(namespace: string, selectorKey: string, selectorValue: string, serviceAccount: string): string[] {
  return [
    `k8s:${selectorKey}=${selectorValue}`,
    `k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${namespace}`,
    `k8s:io.cilium.k8s.policy.cluster=${CLUSTER_NAME}`,
    `k8s:io.cilium.k8s.policy.serviceaccount=${serviceAccount}`,
    `k8s:io.kubernetes.pod.namespace=${namespace}`,
  ].sort();
}

/** Builds the cluster for a seed. Pure: same arguments, same cluster. */
export function buildCluster(seed = 1, namespace = 'shop'): DemoCluster {
  const rng = new Rng(seed, 0x6b38); // its own stream: traffic never shifts the cluster layout
  const nodes: DemoNode[] = NODE_NAMES.map((name, i) => ({
    name,
    index: i + 1,
    podCIDR: `10.244.${i + 1}.0/24`,
    internalIP: `172.18.0.${i + 3}`,
    ciliumHostIP: `10.244.${i + 1}.1`,
    // Cilium's host endpoint: identity 1 (reserved:host) and an endpoint ID of its own.
    hostEndpoint: deepFreeze({ ID: rng.range(1, 4095), identity: RESERVED_HOST_IDENTITY, labels: ['reserved:host'] }),
    uid: rng.uuid(),
  }));
  const namespaceUids: Record<string, string> = {};
  for (const ns of ['default', SYSTEM_NAMESPACE, namespace]) namespaceUids[ns] = rng.uuid();

  // Pod IPs: each node hands out addresses from its /24 in order, starting past the
  // few the node itself took (cilium_host, health endpoint) and earlier pods.
  const nextHost = nodes.map(() => rng.range(5, 60));
  const usedIdentities = new Set<number>();
  const usedEndpointIds = new Set<string>(nodes.map((n) => `${n.name}/${n.hostEndpoint.ID}`));
  const pods: DemoPod[] = [];
  const podsByWorkload = new Map<string, DemoPod[]>();
  const deploymentUids: Record<string, string> = {};
  let nodeCursor = rng.int(nodes.length);

  for (const wl of WORKLOADS) {
    const ns = wl.scope === 'system' ? SYSTEM_NAMESPACE : namespace;
    const labelsForIdentity = ciliumLabels(ns, wl.selectorKey, wl.selectorValue, wl.serviceAccount);
    let identity = rng.range(1000, 65000);
    while (usedIdentities.has(identity)) identity = rng.range(1000, 65000);
    usedIdentities.add(identity);
    const hash = rng.chars(K8S_SUFFIX_ALPHABET, rng.chance(0.5) ? 9 : 10);
    const rsName = `${wl.name}-${hash}`;
    const rsUid = rng.uuid();
    deploymentUids[`${ns}/${wl.name}`] = rng.uuid();
    const list: DemoPod[] = [];
    for (let r = 0; r < wl.replicas; r++) {
      // Spread replicas like the scheduler's default spreading: next node each time.
      const node = nodes[nodeCursor % nodes.length];
      nodeCursor += 1 + (rng.chance(0.3) ? 1 : 0);
      const host = nextHost[node.index - 1];
      nextHost[node.index - 1] += rng.range(1, 6);
      let endpointId = rng.range(1, 4095);
      while (usedEndpointIds.has(`${node.name}/${endpointId}`)) endpointId = rng.range(1, 4095);
      usedEndpointIds.add(`${node.name}/${endpointId}`);
      const name = `${rsName}-${rng.chars(K8S_SUFFIX_ALPHABET, 5)}`;
      const pod: DemoPod = {
        name,
        namespace: ns,
        uid: rng.uuid(),
        workload: wl,
        replicaSetName: rsName,
        replicaSetUid: rsUid,
        podTemplateHash: hash,
        ip: `10.244.${node.index}.${host}`,
        node,
        identity,
        endpointId,
        labels: { [wl.selectorKey]: wl.selectorValue, 'pod-template-hash': hash },
        endpoint: deepFreeze({
          ID: endpointId,
          identity,
          cluster_name: CLUSTER_NAME,
          namespace: ns,
          labels: labelsForIdentity,
          pod_name: name,
          workloads: [{ name: wl.name, kind: 'Deployment' }],
        }),
      };
      list.push(pod);
      pods.push(pod);
    }
    podsByWorkload.set(wl.name, list);
  }

  const usedIPs = new Set<string>(['10.96.0.1', DNS_CLUSTER_IP]);
  const services: DemoService[] = [];
  const serviceByWorkload = new Map<string, DemoService>();
  for (const wl of WORKLOADS) {
    if (wl.servicePort === undefined || wl.containerPort === undefined) continue;
    const ns = wl.scope === 'system' ? SYSTEM_NAMESPACE : namespace;
    const name = wl.protocol === 'dns' ? DNS_SERVICE : wl.name;
    let clusterIP = DNS_CLUSTER_IP;
    if (wl.protocol !== 'dns') {
      do {
        clusterIP = `10.${96 + rng.int(16)}.${rng.int(256)}.${rng.range(1, 254)}`;
      } while (usedIPs.has(clusterIP));
      usedIPs.add(clusterIP);
    }
    const svc: DemoService = {
      name,
      namespace: ns,
      uid: rng.uuid(),
      clusterIP,
      port: wl.servicePort,
      targetPort: wl.containerPort,
      portName: wl.servicePortName ?? 'tcp',
      protocol: wl.protocol === 'dns' ? 'UDP' : 'TCP',
      workload: wl,
      backends: podsByWorkload.get(wl.name) ?? [],
      ref: deepFreeze({ name, namespace: ns }),
    };
    services.push(svc);
    serviceByWorkload.set(wl.name, svc);
  }

  const policies: DemoPolicy[] = POLICIES.map((p) => {
    const uid = rng.uuid();
    const target = serviceByWorkload.get(p.target);
    const port = target?.targetPort ?? 0;
    const revision = rng.range(2, 40);
    return {
      name: p.name,
      namespace,
      uid,
      target: p.target,
      allowFrom: p.allowFrom,
      port,
      revision,
      ref: deepFreeze({
        name: p.name,
        namespace,
        kind: 'NetworkPolicy',
        revision,
        labels: [
          'k8s:io.cilium.k8s.policy.derived-from=NetworkPolicy',
          `k8s:io.cilium.k8s.policy.name=${p.name}`,
          `k8s:io.cilium.k8s.policy.namespace=${namespace}`,
          `k8s:io.cilium.k8s.policy.uid=${uid}`,
        ],
      }),
    };
  });

  const podByIP = new Map(pods.map((p) => [p.ip, p] as const));
  const serviceByIP = new Map(services.map((s) => [s.clusterIP, s] as const));
  return {
    seed,
    namespace,
    nodes,
    pods,
    services,
    policies,
    namespaceUids,
    deploymentUids,
    podsByWorkload,
    serviceByWorkload,
    podByIP,
    serviceByIP,
  };
}

/** The policy that protects `target`, if any (ingress: only `allowFrom` may connect). */
export function policyFor(cluster: DemoCluster, target: string): DemoPolicy | undefined {
  return cluster.policies.find((p) => p.target === target);
}

/** Whether the NetworkPolicies let `from` open a connection to `to`'s port. */
export function isAllowed(cluster: DemoCluster, from: string, to: string): boolean {
  const p = policyFor(cluster, to);
  return p === undefined || p.allowFrom === from;
}
