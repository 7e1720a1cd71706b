// Kubernetes objects for tests, shaped like what a real API server returns.

export function namespace(name: string): { metadata: { name: string }; status: { phase: string } } {
  return { metadata: { name }, status: { phase: 'Active' } };
}

export function node(name: string, ip: string, podCIDR = '10.244.0.0/24') {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: { podCIDR, podCIDRs: [podCIDR] },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      conditions: [{ type: 'Ready', status: 'True' }],
      nodeInfo: { kubeletVersion: 'v1.31.0' },
    },
  };
}

export interface PodOpts {
  labels?: Record<string, string>;
  node?: string;
  hostIP?: string;
  /** `Deployment/name`, `StatefulSet/name`, `DaemonSet/name`, `Job/name`. */
  owner?: string;
  phase?: string;
  hostNetwork?: boolean;
  serviceAccount?: string;
}

export function pod(ns: string, name: string, ip: string, o: PodOpts = {}) {
  const labels: Record<string, string> = { ...(o.labels ?? {}) };
  const ownerReferences: unknown[] = [];
  if (o.owner) {
    const [kind, owner] = o.owner.split('/') as [string, string];
    if (kind === 'Deployment') {
      const hash = '5d9f8c7b6';
      labels['pod-template-hash'] = hash;
      ownerReferences.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${owner}-${hash}`, uid: 'rs', controller: true });
    } else {
      ownerReferences.push({ apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, name: owner, uid: 'o', controller: true });
    }
  }
  return {
    metadata: { name, namespace: ns, labels, ownerReferences },
    spec: {
      nodeName: o.node ?? 'node-1',
      hostNetwork: o.hostNetwork ?? false,
      serviceAccountName: o.serviceAccount ?? 'default',
      containers: [{ name: 'main', image: 'example/app:1' }],
    },
    status: {
      phase: o.phase ?? 'Running',
      hostIP: o.hostIP ?? '192.168.0.1',
      podIP: ip,
      podIPs: [{ ip }],
      containerStatuses: [{ name: 'main', ready: true, restartCount: 0 }],
    },
  };
}

export function service(ns: string, name: string, clusterIP: string, selector: Record<string, string> = { app: name }, port = 80) {
  return {
    metadata: { name, namespace: ns },
    spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], selector, ports: [{ name: 'http', port, protocol: 'TCP', targetPort: 8080 }] },
  };
}

export function endpointSlice(ns: string, service: string, endpoints: { ip: string; pod?: string; node?: string }[], sliceName = `${service}-abcde`) {
  return {
    metadata: { name: sliceName, namespace: ns, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: true },
      nodeName: e.node ?? 'node-1',
      ...(e.pod ? { targetRef: { kind: 'Pod', name: e.pod, namespace: ns } } : {}),
    })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

export function networkPolicy(ns: string, name: string, podSelector: Record<string, string> = {}) {
  return {
    metadata: { name, namespace: ns },
    spec: { podSelector: { matchLabels: podSelector }, policyTypes: ['Ingress'], ingress: [] },
  };
}
