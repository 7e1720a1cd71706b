// A static set of Kubernetes objects (the demo cluster, a saved dump) loaded into a
// store, so a snapshot is a data source like the live cluster.
import type { Json } from './raw.ts';
import type { ResourceKind } from './resources.ts';
import { ClusterStore } from './store.ts';

/** The shape of demoClusterObjects() and of `kubectl get ... -o json` item lists. */
export interface ClusterSnapshot {
  namespaces?: readonly Json[];
  nodes?: readonly Json[];
  pods?: readonly Json[];
  services?: readonly Json[];
  endpointSlices?: readonly Json[];
  networkPolicies?: readonly Json[];
  ciliumNetworkPolicies?: readonly Json[];
  ciliumClusterwideNetworkPolicies?: readonly Json[];
  adminNetworkPolicies?: readonly Json[];
  baselineAdminNetworkPolicies?: readonly Json[];
}

const FIELDS: [keyof ClusterSnapshot, ResourceKind][] = [
  ['namespaces', 'Namespace'],
  ['nodes', 'Node'],
  ['pods', 'Pod'],
  ['services', 'Service'],
  ['endpointSlices', 'EndpointSlice'],
  ['networkPolicies', 'NetworkPolicy'],
  ['ciliumNetworkPolicies', 'CiliumNetworkPolicy'],
  ['ciliumClusterwideNetworkPolicies', 'CiliumClusterwideNetworkPolicy'],
  ['adminNetworkPolicies', 'AdminNetworkPolicy'],
  ['baselineAdminNetworkPolicies', 'BaselineAdminNetworkPolicy'],
];

/** Loads (replaces) every kind present in `snap` into `store` (a new one by default). */
export function loadSnapshot(snap: ClusterSnapshot, store: ClusterStore = new ClusterStore()): ClusterStore {
  for (const [field, kind] of FIELDS) {
    const items = snap[field];
    if (items) store.replace(kind, [...items]);
  }
  return store;
}

/** The raw object for the YAML view, when the snapshot holds it. */
export function findInSnapshot(snap: ClusterSnapshot, kind: ResourceKind, namespace: string, name: string): Json | undefined {
  const field = FIELDS.find((f) => f[1] === kind)?.[0];
  if (!field) return undefined;
  return snap[field]?.find((o) => {
    const m = (o as { metadata?: { name?: string; namespace?: string } }).metadata;
    return m?.name === name && (m.namespace ?? '') === namespace;
  });
}
