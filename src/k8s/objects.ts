// Minimal typed views of the Kubernetes objects netscope uses. Only the fields the
// model, the enrichment and the resource views read are kept, so 5,000 pods stay
// small in memory; the full object is fetched on demand for the YAML view.
import type { Workload } from '../model/flow.ts';
import type { ResourceKind } from './resources.ts';
import { asArray, asNumber, asObject, asString, asStringMap, readMeta, type Json, type ObjectMeta } from './raw.ts';
import { resolveWorkload } from './owners.ts';

export interface PodView extends ObjectMeta {
  kind: 'Pod';
  nodeName: string;
  hostIP: string;
  podIPs: string[];
  hostNetwork: boolean;
  phase: string;
  /** Ready containers / all containers, e.g. `1/2`. */
  ready: string;
  restarts: number;
  serviceAccount: string;
  workload?: Workload;
  deleting: boolean;
  /** Declared container ports: NetworkPolicies resolve named ports through them. */
  containerPorts: { name: string; port: number; protocol: string }[];
}

export interface ServicePort {
  name: string;
  port: number;
  protocol: string;
  targetPort: string;
  nodePort: number;
}

export interface ServiceView extends ObjectMeta {
  kind: 'Service';
  type: string;
  clusterIPs: string[];
  externalIPs: string[];
  loadBalancerIPs: string[];
  ports: ServicePort[];
  selector: Record<string, string>;
}

export interface EndpointAddress {
  ips: string[];
  ready: boolean;
  nodeName: string;
  /** targetRef when it names a Pod. */
  podName: string;
  podNamespace: string;
}

export interface EndpointSliceView extends ObjectMeta {
  kind: 'EndpointSlice';
  /** From the `kubernetes.io/service-name` label. */
  serviceName: string;
  addressType: string;
  endpoints: EndpointAddress[];
  ports: { name: string; port: number; protocol: string }[];
}

export interface NodeAddress {
  type: string;
  address: string;
}

export interface NodeView extends ObjectMeta {
  kind: 'Node';
  addresses: NodeAddress[];
  podCIDRs: string[];
  ready: boolean;
  roles: string[];
  kubeletVersion: string;
  unschedulable: boolean;
  /** The node's own addresses on the pod network (Cilium's cilium_host, from its annotations): kubelet probes come from them. */
  hostIPs: string[];
}

export interface NamespaceView extends ObjectMeta {
  kind: 'Namespace';
  phase: string;
}

export type PolicyKind =
  | 'NetworkPolicy'
  | 'CiliumNetworkPolicy'
  | 'CiliumClusterwideNetworkPolicy'
  | 'AdminNetworkPolicy'
  | 'BaselineAdminNetworkPolicy';

export interface PolicyView extends ObjectMeta {
  kind: PolicyKind;
  /** The spec as received (policy evaluation reads it; 500 policies are small). */
  spec: Json;
  /** Cilium policies may carry a list of rules in `specs` instead of `spec`. */
  specs: Json[];
  policyTypes: string[];
}

export type ModelObject = PodView | ServiceView | EndpointSliceView | NodeView | NamespaceView | PolicyView;

function readPod(raw: Json): PodView {
  const o = asObject(raw);
  const meta = readMeta(raw);
  const spec = asObject(o.spec);
  const status = asObject(o.status);
  const podIPs: string[] = [];
  for (const p of asArray(status.podIPs)) {
    const ip = asString(asObject(p).ip);
    if (ip !== '' && !podIPs.includes(ip)) podIPs.push(ip);
  }
  const single = asString(status.podIP);
  if (single !== '' && !podIPs.includes(single)) podIPs.unshift(single);
  const statuses = asArray(status.containerStatuses).map(asObject);
  const containers = asArray(spec.containers).length;
  let readyCount = 0;
  let restarts = 0;
  for (const cs of statuses) {
    if (cs.ready === true) readyCount++;
    restarts += asNumber(cs.restartCount);
  }
  const metaRaw = asObject(o.metadata);
  const pod: PodView = {
    ...meta,
    kind: 'Pod',
    nodeName: asString(spec.nodeName),
    hostIP: asString(status.hostIP),
    podIPs,
    hostNetwork: spec.hostNetwork === true,
    phase: asString(status.phase),
    ready: `${readyCount}/${Math.max(containers, statuses.length)}`,
    restarts,
    serviceAccount: asString(spec.serviceAccountName),
    deleting: asString(metaRaw.deletionTimestamp) !== '',
    containerPorts: readContainerPorts(spec),
  };
  const workload = resolveWorkload(meta.labels, asArray(metaRaw.ownerReferences));
  if (workload) pod.workload = workload;
  return pod;
}

function readContainerPorts(spec: Record<string, unknown>): PodView['containerPorts'] {
  const out: PodView['containerPorts'] = [];
  for (const c of [...asArray(spec.containers), ...asArray(spec.initContainers)]) {
    for (const p of asArray(asObject(c).ports)) {
      const po = asObject(p);
      const port = asNumber(po.containerPort);
      if (port > 0) out.push({ name: asString(po.name), port, protocol: asString(po.protocol) || 'TCP' });
    }
  }
  return out;
}

function readService(raw: Json): ServiceView {
  const o = asObject(raw);
  const spec = asObject(o.spec);
  const clusterIPs: string[] = [];
  for (const ip of [asString(spec.clusterIP), ...asArray(spec.clusterIPs).map(asString)]) {
    if (ip !== '' && ip !== 'None' && !clusterIPs.includes(ip)) clusterIPs.push(ip);
  }
  const lb: string[] = [];
  for (const ing of asArray(asObject(asObject(o.status).loadBalancer).ingress)) {
    const ip = asString(asObject(ing).ip);
    if (ip !== '') lb.push(ip);
  }
  return {
    ...readMeta(raw),
    kind: 'Service',
    type: asString(spec.type) || 'ClusterIP',
    clusterIPs,
    externalIPs: asArray(spec.externalIPs).map(asString).filter((s) => s !== ''),
    loadBalancerIPs: lb,
    ports: asArray(spec.ports).map((p) => {
      const po = asObject(p);
      const tp = po.targetPort;
      return {
        name: asString(po.name),
        port: asNumber(po.port),
        protocol: asString(po.protocol) || 'TCP',
        targetPort: typeof tp === 'number' ? String(tp) : asString(tp),
        nodePort: asNumber(po.nodePort),
      };
    }),
    selector: asStringMap(spec.selector),
  };
}

function readEndpointSlice(raw: Json): EndpointSliceView {
  const o = asObject(raw);
  const meta = readMeta(raw);
  return {
    ...meta,
    kind: 'EndpointSlice',
    serviceName: meta.labels['kubernetes.io/service-name'] ?? '',
    addressType: asString(o.addressType),
    endpoints: asArray(o.endpoints).map((e) => {
      const eo = asObject(e);
      const ref = asObject(eo.targetRef);
      const isPod = asString(ref.kind) === 'Pod';
      const cond = asObject(eo.conditions);
      return {
        ips: asArray(eo.addresses).map(asString).filter((s) => s !== ''),
        // Kubernetes: a nil ready condition means ready.
        ready: cond.ready !== false,
        nodeName: asString(eo.nodeName),
        podName: isPod ? asString(ref.name) : '',
        podNamespace: isPod ? asString(ref.namespace) || meta.namespace : '',
      };
    }),
    ports: asArray(o.ports).map((p) => {
      const po = asObject(p);
      return { name: asString(po.name), port: asNumber(po.port), protocol: asString(po.protocol) || 'TCP' };
    }),
  };
}

function readNode(raw: Json): NodeView {
  const o = asObject(raw);
  const meta = readMeta(raw);
  const spec = asObject(o.spec);
  const status = asObject(o.status);
  const podCIDRs = asArray(spec.podCIDRs).map(asString).filter((s) => s !== '');
  const single = asString(spec.podCIDR);
  if (single !== '' && !podCIDRs.includes(single)) podCIDRs.unshift(single);
  const ready = asArray(status.conditions).some((c) => {
    const co = asObject(c);
    return co.type === 'Ready' && co.status === 'True';
  });
  const roles = Object.keys(meta.labels)
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter((r) => r !== '');
  return {
    ...meta,
    kind: 'Node',
    addresses: asArray(status.addresses).map((a) => {
      const ao = asObject(a);
      return { type: asString(ao.type), address: asString(ao.address) };
    }),
    podCIDRs,
    ready,
    roles,
    kubeletVersion: asString(asObject(status.nodeInfo).kubeletVersion),
    unschedulable: spec.unschedulable === true,
    hostIPs: ['network.cilium.io/ipv4-cilium-host', 'network.cilium.io/ipv6-cilium-host']
      .map((k) => asString(asObject(asObject(o.metadata).annotations)[k]))
      .filter((s) => s !== ''),
  };
}

function readNamespace(raw: Json): NamespaceView {
  return { ...readMeta(raw), kind: 'Namespace', phase: asString(asObject(asObject(raw).status).phase) };
}

function readPolicy(raw: Json, kind: PolicyKind): PolicyView {
  const o = asObject(raw);
  const spec = o.spec ?? {};
  const types = asArray(asObject(spec).policyTypes).map(asString);
  return { ...readMeta(raw), kind, spec, specs: asArray(o.specs), policyTypes: types };
}

/** Converts a raw API object of `kind` into its minimal view. */
export function toView(kind: ResourceKind, raw: Json): ModelObject {
  switch (kind) {
    case 'Pod':
      return readPod(raw);
    case 'Service':
      return readService(raw);
    case 'EndpointSlice':
      return readEndpointSlice(raw);
    case 'Node':
      return readNode(raw);
    case 'Namespace':
      return readNamespace(raw);
    case 'NetworkPolicy':
    case 'CiliumNetworkPolicy':
    case 'CiliumClusterwideNetworkPolicy':
    case 'AdminNetworkPolicy':
    case 'BaselineAdminNetworkPolicy':
      return readPolicy(raw, kind);
  }
}

/** Node IPs the index maps to the node: InternalIP and ExternalIP. */
export function nodeIPs(node: NodeView): string[] {
  const out: string[] = [];
  for (const a of node.addresses) {
    if ((a.type === 'InternalIP' || a.type === 'ExternalIP') && a.address !== '' && !out.includes(a.address)) {
      out.push(a.address);
    }
  }
  return out;
}
