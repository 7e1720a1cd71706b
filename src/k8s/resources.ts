// The Kubernetes resources netscope lists and watches, and how to address them on
// the API server. Paths follow the API conventions exactly, so the same reflector
// talks to a real kube-apiserver and to the fake one in test/.

export const RESOURCE_KINDS = [
  'Namespace',
  'Node',
  'Pod',
  'Service',
  'EndpointSlice',
  'NetworkPolicy',
  'CiliumNetworkPolicy',
  'CiliumClusterwideNetworkPolicy',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export interface ResourceType {
  kind: ResourceKind;
  /** '' for the core group (served under /api). */
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  /** Only served when a CRD installs it; discovered before watching. */
  optional: boolean;
}

export const RESOURCE_TYPES: Record<ResourceKind, ResourceType> = {
  Namespace: { kind: 'Namespace', group: '', version: 'v1', plural: 'namespaces', namespaced: false, optional: false },
  Node: { kind: 'Node', group: '', version: 'v1', plural: 'nodes', namespaced: false, optional: false },
  Pod: { kind: 'Pod', group: '', version: 'v1', plural: 'pods', namespaced: true, optional: false },
  Service: { kind: 'Service', group: '', version: 'v1', plural: 'services', namespaced: true, optional: false },
  EndpointSlice: {
    kind: 'EndpointSlice',
    group: 'discovery.k8s.io',
    version: 'v1',
    plural: 'endpointslices',
    namespaced: true,
    optional: false,
  },
  NetworkPolicy: {
    kind: 'NetworkPolicy',
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'networkpolicies',
    namespaced: true,
    optional: false,
  },
  CiliumNetworkPolicy: {
    kind: 'CiliumNetworkPolicy',
    group: 'cilium.io',
    version: 'v2',
    plural: 'ciliumnetworkpolicies',
    namespaced: true,
    optional: true,
  },
  CiliumClusterwideNetworkPolicy: {
    kind: 'CiliumClusterwideNetworkPolicy',
    group: 'cilium.io',
    version: 'v2',
    plural: 'ciliumclusterwidenetworkpolicies',
    namespaced: false,
    optional: true,
  },
  // sig-network's network-policy-api CRDs; listed only when discovery says they are served.
  AdminNetworkPolicy: {
    kind: 'AdminNetworkPolicy',
    group: 'policy.networking.k8s.io',
    version: 'v1alpha1',
    plural: 'adminnetworkpolicies',
    namespaced: false,
    optional: true,
  },
  BaselineAdminNetworkPolicy: {
    kind: 'BaselineAdminNetworkPolicy',
    group: 'policy.networking.k8s.io',
    version: 'v1alpha1',
    plural: 'baselineadminnetworkpolicies',
    namespaced: false,
    optional: true,
  },
};

/** `/api/v1` or `/apis/<group>/<version>`: the group-version root used for discovery. */
export function groupVersionPath(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group === '' ? `/api/${t.version}` : `/apis/${t.group}/${t.version}`;
}

/** Collection path, cluster-wide when `namespace` is undefined. */
export function collectionPath(t: ResourceType, namespace?: string): string {
  const root = groupVersionPath(t);
  if (t.namespaced && namespace !== undefined) {
    return `${root}/namespaces/${encodeURIComponent(namespace)}/${t.plural}`;
  }
  return `${root}/${t.plural}`;
}

/** Path of one object, for `y` (YAML) views that fetch the full object on demand. */
export function objectPath(t: ResourceType, name: string, namespace?: string): string {
  return `${collectionPath(t, t.namespaced ? namespace ?? '' : undefined)}/${encodeURIComponent(name)}`;
}
