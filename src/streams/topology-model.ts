// What the cluster model contributes to the service map: every service with the pods
// behind it, and pods that back no service, named exactly as flows name them (same
// node ids at every level), so model nodes and flow edges meet on one node. Derived
// once per model version; the map then takes these values and stays pure.
import type { Endpoint, Flow } from '../model/flow.ts';
import type { EndpointSliceView, PodView, ServiceView, NamespaceView, ModelObject } from '../k8s/objects.ts';
import { podCiliumLabels } from '../k8s/identity.ts';
import { endpointIds, idAt, isInfra, type EndpointIds, type Level } from './flow-keys.ts';

/** A pod as the map sees it: its ids at each level and whether it is infrastructure. */
export interface ModelPod {
  ids: EndpointIds;
  /** The pod as a flow endpoint (for asking a filter whether the pod's flows would pass). */
  endpoint: Endpoint;
}

export interface ModelService {
  namespace: string;
  name: string;
  pods: ModelPod[];
  infra: boolean;
}

export interface TopologyModel {
  /** Services with their pods, sorted by namespace and name. */
  services: ModelService[];
  /** Live pods behind no service. */
  unserved: ModelPod[];
}

/** The part of ClusterStore the derivation reads. */
export interface ModelReader {
  list<T extends ModelObject = ModelObject>(kind: 'Pod' | 'Service' | 'Namespace' | 'EndpointSlice'): T[];
}

// Finished pods and host-network pods never carry their own flows (a host-network pod's
// traffic is named after its node), so they would only ever be idle noise on the map.
function onMap(p: PodView): boolean {
  return !p.hostNetwork && p.phase !== 'Succeeded' && p.phase !== 'Failed';
}

function modelPod(p: PodView, nsLabels: Record<string, string> | undefined): ModelPod {
  // The same endpoint enrichment builds for this pod, so the ids match the flows'.
  const endpoint: Endpoint = { namespace: p.namespace, pod_name: p.name, labels: podCiliumLabels(p, nsLabels) };
  if (p.workload) endpoint.workloads = [p.workload];
  return { ids: endpointIds({ source: endpoint }, 'source'), endpoint };
}

/**
 * Pods already converted, by their view: the store replaces a pod's view object when the pod
 * changes, so an unchanged view (with unchanged namespace labels) converts the same way.
 */
export type PodMemo = WeakMap<PodView, { nsLabels: Record<string, string> | undefined; pod: ModelPod }>;

export function topologyModel(store: ModelReader, memo: PodMemo = new WeakMap()): TopologyModel {
  const nsLabels = new Map<string, Record<string, string>>();
  for (const n of store.list<NamespaceView>('Namespace')) nsLabels.set(n.name, n.labels);
  const podsByKey = new Map<string, ModelPod>();
  for (const p of store.list<PodView>('Pod')) {
    if (!onMap(p)) continue;
    const labels = nsLabels.get(p.namespace);
    let m = memo.get(p);
    if (m === undefined || m.nsLabels !== labels) {
      m = { nsLabels: labels, pod: modelPod(p, labels) };
      memo.set(p, m);
    }
    podsByKey.set(`${p.namespace}/${p.name}`, m.pod);
  }
  // Service -> its pods' keys, from the EndpointSlices in one pass (a lookup per service
  // would scan every slice once per service).
  const backing = new Map<string, Set<string>>();
  for (const sl of store.list<EndpointSliceView>('EndpointSlice')) {
    if (sl.serviceName === '') continue;
    const key = `${sl.namespace}/${sl.serviceName}`;
    let set = backing.get(key);
    if (!set) backing.set(key, (set = new Set()));
    for (const e of sl.endpoints) if (e.podName !== '') set.add(`${e.podNamespace}/${e.podName}`);
  }
  const served = new Set<string>();
  const services: ModelService[] = [];
  for (const s of store.list<ServiceView>('Service')) {
    const pods: ModelPod[] = [];
    for (const key of backing.get(`${s.namespace}/${s.name}`) ?? []) {
      const p = podsByKey.get(key);
      if (p) pods.push(p);
    }
    pods.sort((a, b) => (a.ids.podId < b.ids.podId ? -1 : 1));
    for (const p of pods) served.add(p.ids.podId);
    // A service is infrastructure when its pods are, or when talking to it is (the API server's service).
    const probe: Flow = { destination: { namespace: s.namespace }, destination_service: { name: s.name, namespace: s.namespace } };
    services.push({ namespace: s.namespace, name: s.name, pods, infra: pods.some((p) => p.ids.infra) || isInfra(probe) });
  }
  services.sort((a, b) => (a.namespace !== b.namespace ? (a.namespace < b.namespace ? -1 : 1) : a.name < b.name ? -1 : 1));
  const unserved = [...podsByKey.values()].filter((p) => !served.has(p.ids.podId)).sort((a, b) => (a.ids.podId < b.ids.podId ? -1 : 1));
  return { services, unserved };
}

/** A node the model knows at one level; `service` names the service it is listed under (pod level). */
export interface ModelNode {
  id: string;
  infra: boolean;
  service?: string;
}

/**
 * The model's nodes at `level` whose flows `pass` would keep (a pod's flows are probed as
 * "from it" and "to it"), so a filter or namespace focus narrows the idle nodes too.
 */
export function modelNodesAt(model: TopologyModel, level: Level, pass: ((f: Flow) => boolean) | null = null): ModelNode[] {
  const ok = (ep: Endpoint, svc?: ModelService): boolean => {
    if (pass === null) return true;
    const service = svc ? { name: svc.name, namespace: svc.namespace } : undefined;
    return pass({ source: ep }) || pass({ destination: ep, destination_service: service });
  };
  const out = new Map<string, ModelNode>();
  const add = (id: string, infra: boolean, service?: string): void => {
    const have = out.get(id);
    if (have) {
      // A node is infrastructure only when everything folded into it is.
      have.infra &&= infra;
      return;
    }
    out.set(id, service === undefined ? { id, infra } : { id, infra, service });
  };
  for (const s of model.services) {
    if (s.pods.length === 0) {
      // No endpoints: the service itself stands for its (absent) workload.
      if (!ok({ namespace: s.namespace }, s)) continue;
      add(level === 'namespace' ? s.namespace : `${s.namespace}/${s.name}`, s.infra, level === 'pod' ? s.name : undefined);
      continue;
    }
    for (const p of s.pods) if (ok(p.endpoint, s)) add(idAt(p.ids, level), p.ids.infra || s.infra, level === 'pod' ? s.name : undefined);
  }
  for (const p of model.unserved) if (ok(p.endpoint)) add(idAt(p.ids, level), p.ids.infra);
  return [...out.values()];
}

/** A store the map can follow: readable, with a counter bumped on every change. */
export interface VersionedModel extends ModelReader {
  readonly version: number;
}

/**
 * modelNodesAt() remembered: the model is derived again only when the store or its
 * version changes, the nodes only when that, the level or the filter changes, so a frame
 * costs one comparison.
 */
export function modelNodesCache(): (store: VersionedModel | undefined, level: Level, pass: ((f: Flow) => boolean) | null) => ModelNode[] {
  let model: { store: VersionedModel; version: number; value: TopologyModel } | undefined;
  const memo: PodMemo = new WeakMap();
  let nodes: { value: TopologyModel; level: Level; pass: ((f: Flow) => boolean) | null; out: ModelNode[] } | undefined;
  return (store, level, pass) => {
    if (store === undefined) return [];
    if (model?.store !== store || model.version !== store.version) model = { store, version: store.version, value: topologyModel(store, memo) };
    if (nodes?.value !== model.value || nodes.level !== level || nodes.pass !== pass) {
      nodes = { value: model.value, level, pass, out: modelNodesAt(model.value, level, pass) };
    }
    return nodes.out;
  };
}
