// Renders the demo cluster as Kubernetes API objects (v1 Namespace/Node/Pod/
// Service, discovery.k8s.io/v1 EndpointSlice, networking.k8s.io/v1
// NetworkPolicy, apps/v1 Deployment/ReplicaSet), shaped like a real API
// server's list items so the cluster model ingests them unchanged.

import { SYSTEM_NAMESPACE, type DemoCluster, type DemoPod } from './cluster.ts';
import { K8S_SUFFIX_ALPHABET, Rng } from './prng.ts';
import type {
  DemoClusterObjects,
  K8sDeployment,
  K8sEndpointSlice,
  K8sNamespace,
  K8sNetworkPolicy,
  K8sNode,
  K8sPod,
  K8sReplicaSet,
  K8sService,
  ObjectMeta,
} from './k8s-types.ts';

const DAY_MS = 86_400_000;

/** Container names as in the Online Boutique and CoreDNS manifests. */
const CONTAINER_NAMES: Record<string, string> = { coredns: 'coredns', 'redis-cart': 'redis', loadgenerator: 'main', toolbox: 'netshoot' };
function containerName(workload: string): string {
  return CONTAINER_NAMES[workload] ?? 'server';
}

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * `nowMs` only sets the creation timestamps (the cluster was created a few days
 * before it); everything else depends on the cluster alone.
 */
export function toK8sObjects(cluster: DemoCluster, nowMs: number): DemoClusterObjects {
  const rng = new Rng(cluster.seed, 0x4b38);
  const clusterBorn = nowMs - (3 + rng.int(5)) * DAY_MS - rng.int(DAY_MS);
  const appDeployed = clusterBorn + 20 * 60_000 + rng.int(6 * 3_600_000);
  let rv = 1000 + rng.int(5000);
  const meta = (m: Omit<ObjectMeta, 'resourceVersion'>): ObjectMeta => ({ ...m, resourceVersion: String((rv += 1 + rng.int(40))) });

  const namespaces: K8sNamespace[] = Object.entries(cluster.namespaceUids).map(([name, uid]) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta({
      name,
      uid,
      creationTimestamp: iso(name === cluster.namespace ? appDeployed - 60_000 : clusterBorn),
      labels: { 'kubernetes.io/metadata.name': name },
    }),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }));

  const nodes: K8sNode[] = cluster.nodes.map((n) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta({
      name: n.name,
      uid: n.uid,
      creationTimestamp: iso(clusterBorn + 30_000),
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
      },
      annotations: {
        'network.cilium.io/ipv4-cilium-host': n.ciliumHostIP,
        'network.cilium.io/ipv4-pod-cidr': n.podCIDR,
      },
    }),
    spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR], providerID: `kind://docker/kind/${n.name}` },
    status: {
      addresses: [
        { type: 'InternalIP', address: n.internalIP },
        { type: 'Hostname', address: n.name },
      ],
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastTransitionTime: iso(clusterBorn + 30_000) },
        { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', lastTransitionTime: iso(clusterBorn + 30_000) },
        { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', lastTransitionTime: iso(clusterBorn + 30_000) },
        { type: 'Ready', status: 'True', reason: 'KubeletReady', lastTransitionTime: iso(clusterBorn + 75_000) },
      ],
      nodeInfo: {
        architecture: 'amd64',
        containerRuntimeVersion: 'containerd://1.7.24',
        kernelVersion: '6.8.0-49-generic',
        kubeletVersion: 'v1.31.4',
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
      },
    },
  }));

  const deployedAt = (p: DemoPod): number => (p.namespace === SYSTEM_NAMESPACE ? clusterBorn + 60_000 : appDeployed);

  const pods: K8sPod[] = cluster.pods.map((p) => {
    const created = deployedAt(p) + rng.int(20_000);
    const started = iso(created + 2_000 + rng.int(30_000));
    const wl = p.workload;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta({
        name: p.name,
        generateName: `${p.replicaSetName}-`,
        namespace: p.namespace,
        uid: p.uid,
        creationTimestamp: iso(created),
        labels: { ...p.labels },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: p.replicaSetName, uid: p.replicaSetUid, controller: true, blockOwnerDeletion: true },
        ],
      }),
      spec: {
        nodeName: p.node.name,
        serviceAccountName: wl.serviceAccount,
        containers: [
          {
            name: containerName(wl.name),
            image: wl.image,
            ...(wl.containerPort === undefined
              ? {}
              : { ports: [{ ...(wl.protocol === 'dns' ? { name: 'dns' } : {}), containerPort: wl.containerPort, protocol: wl.protocol === 'dns' ? 'UDP' as const : 'TCP' as const }] }),
          },
        ],
      },
      status: {
        phase: 'Running',
        podIP: p.ip,
        podIPs: [{ ip: p.ip }],
        hostIP: p.node.internalIP,
        hostIPs: [{ ip: p.node.internalIP }],
        startTime: iso(created + 1_000),
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: iso(created) },
          { type: 'Initialized', status: 'True', lastTransitionTime: iso(created + 1_000) },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: started },
          { type: 'Ready', status: 'True', lastTransitionTime: started },
        ],
        containerStatuses: [
          {
            name: containerName(wl.name),
            ready: true,
            restartCount: 0,
            image: wl.image,
            containerID: `containerd://${rng.chars('0123456789abcdef', 64)}`,
            started: true,
            state: { running: { startedAt: started } },
          },
        ],
      },
    };
  });

  const services: K8sService[] = cluster.services.map((s) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta({
      name: s.name,
      namespace: s.namespace,
      uid: s.uid,
      creationTimestamp: iso(s.namespace === SYSTEM_NAMESPACE ? clusterBorn + 40_000 : appDeployed),
      labels: s.namespace === SYSTEM_NAMESPACE ? { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' } : { app: s.name },
    }),
    spec: {
      type: 'ClusterIP',
      clusterIP: s.clusterIP,
      clusterIPs: [s.clusterIP],
      selector: { [s.workload.selectorKey]: s.workload.selectorValue },
      ports:
        s.workload.protocol === 'dns'
          ? [
              { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
              { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
              { name: 'metrics', port: 9153, targetPort: 9153, protocol: 'TCP' },
            ]
          : [{ name: s.portName, port: s.port, targetPort: s.targetPort, protocol: s.protocol }],
      ipFamilies: ['IPv4'],
      sessionAffinity: 'None',
    },
    status: { loadBalancer: {} },
  }));

  const endpointSlices: K8sEndpointSlice[] = cluster.services.map((s) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: meta({
      name: `${s.name}-${rng.chars(K8S_SUFFIX_ALPHABET, 5)}`,
      generateName: `${s.name}-`,
      namespace: s.namespace,
      uid: rng.uuid(),
      creationTimestamp: iso(s.namespace === SYSTEM_NAMESPACE ? clusterBorn + 40_000 : appDeployed),
      labels: {
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        'kubernetes.io/service-name': s.name,
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: s.name, uid: s.uid, controller: true, blockOwnerDeletion: true }],
    }),
    addressType: 'IPv4',
    endpoints: s.backends.map((p) => ({
      addresses: [p.ip],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: p.node.name,
      targetRef: { kind: 'Pod', namespace: p.namespace, name: p.name, uid: p.uid },
    })),
    ports:
      s.workload.protocol === 'dns'
        ? [
            { name: 'dns', port: 53, protocol: 'UDP' },
            { name: 'dns-tcp', port: 53, protocol: 'TCP' },
            { name: 'metrics', port: 9153, protocol: 'TCP' },
          ]
        : [{ name: s.portName, port: s.targetPort, protocol: s.protocol }],
  }));

  const networkPolicies: K8sNetworkPolicy[] = cluster.policies.map((p) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta({ name: p.name, namespace: p.namespace, uid: p.uid, creationTimestamp: iso(appDeployed + 3_600_000), labels: { app: p.target } }),
    spec: {
      podSelector: { matchLabels: { app: p.target } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: p.allowFrom } } }], ports: [{ protocol: 'TCP', port: p.port }] }],
    },
  }));

  const deployments: K8sDeployment[] = [];
  const replicaSets: K8sReplicaSet[] = [];
  for (const [name, list] of cluster.podsByWorkload) {
    const first = list[0];
    if (first === undefined) continue;
    const depUid = cluster.deploymentUids[`${first.namespace}/${name}`];
    const selector = { matchLabels: { [first.workload.selectorKey]: first.workload.selectorValue } };
    const created = iso(deployedAt(first));
    deployments.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta({ name, namespace: first.namespace, uid: depUid, creationTimestamp: created, labels: { [first.workload.selectorKey]: first.workload.selectorValue } }),
      spec: { replicas: list.length, selector, template: { metadata: { labels: { [first.workload.selectorKey]: first.workload.selectorValue } } } },
      status: { replicas: list.length, readyReplicas: list.length, availableReplicas: list.length, updatedReplicas: list.length },
    });
    replicaSets.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta({
        name: first.replicaSetName,
        namespace: first.namespace,
        uid: first.replicaSetUid,
        creationTimestamp: created,
        labels: { ...first.labels },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: depUid, controller: true, blockOwnerDeletion: true }],
      }),
      spec: { replicas: list.length, selector: { matchLabels: { ...first.labels } } },
      status: { replicas: list.length, readyReplicas: list.length, availableReplicas: list.length },
    });
  }

  return { namespaces, nodes, pods, services, endpointSlices, networkPolicies, deployments, replicaSets };
}
