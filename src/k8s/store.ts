// The cluster model: minimal views of every watched object plus an index from IP
// address to identity, kept up to date incrementally. Pure (no I/O): reflectors and
// static snapshots feed it raw objects; enrichment and views read it.
import { nodeIPs, toView, type EndpointSliceView, type ModelObject, type NodeView, type PodView, type ServiceView } from './objects.ts';
import { keyOf, objectKey, type Json } from './raw.ts';
import { podCiliumLabels, type IpIdentity, type ServiceRef } from './identity.ts';
import { canonicalIP } from './ip.ts';
import { RESOURCE_KINDS, RESOURCE_TYPES, type ResourceKind } from './resources.ts';

const NO_WORKLOADS: readonly never[] = Object.freeze([]);
const INDEXED: ReadonlySet<ResourceKind> = new Set(['Pod', 'Service', 'EndpointSlice', 'Node']);

export type StoreListener = (kind: ResourceKind) => void;

export class ClusterStore {
  private readonly objects = new Map<ResourceKind, Map<string, ModelObject>>();
  /** ip -> references `Kind|key` of every object claiming it. */
  private readonly refs = new Map<string, string[]>();
  private readonly index = new Map<string, IpIdentity>();
  private readonly listeners = new Set<StoreListener>();
  /** Bumped on every change, so views can tell cheaply whether to re-render. */
  version = 0;

  constructor() {
    for (const k of RESOURCE_KINDS) this.objects.set(k, new Map());
  }

  /** The identity owning `ip`, or undefined. This is the hot path of enrichment. */
  lookup(ip: string): IpIdentity | undefined {
    const hit = this.index.get(ip);
    // Only IPv6 text can be spelled several ways; IPv4 misses stay one Map lookup.
    if (hit !== undefined || !ip.includes(':')) return hit;
    return this.index.get(canonicalIP(ip));
  }

  get<T extends ModelObject = ModelObject>(kind: ResourceKind, namespace: string, name: string): T | undefined {
    return this.objects.get(kind)!.get(objectKey(RESOURCE_TYPES[kind].namespaced ? namespace : '', name)) as T | undefined;
  }

  list<T extends ModelObject = ModelObject>(kind: ResourceKind, namespace?: string): T[] {
    const all = [...this.objects.get(kind)!.values()] as T[];
    return namespace === undefined ? all : all.filter((o) => o.namespace === namespace);
  }

  count(kind: ResourceKind): number {
    return this.objects.get(kind)!.size;
  }

  /** Number of indexed IP addresses. */
  get indexedIPs(): number {
    return this.index.size;
  }

  onChange(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** ADDED / MODIFIED. */
  upsert(kind: ResourceKind, raw: Json): void {
    this.put(kind, toView(kind, raw));
    this.changed(kind);
  }

  /** DELETED. Unknown objects are ignored (a delete may race a relist). */
  remove(kind: ResourceKind, raw: Json): void {
    if (this.drop(kind, keyOf(raw))) this.changed(kind);
  }

  /**
   * A full list: the store for `kind` (within `namespace` when given) becomes exactly
   * `items`; objects that vanished are deleted, so a relist never leaves stale ones.
   */
  replace(kind: ResourceKind, items: Json[], namespace?: string): void {
    this.replaceViews(kind, items.map((raw) => toView(kind, raw)), namespace);
  }

  /** replace() for items already converted with toView (lists convert page by page). */
  replaceViews(kind: ResourceKind, views: ModelObject[], namespace?: string): void {
    const store = this.objects.get(kind)!;
    const keep = new Set<string>();
    for (const view of views) {
      keep.add(objectKey(view.namespace, view.name));
      this.put(kind, view);
    }
    for (const [key, obj] of [...store]) {
      if (keep.has(key)) continue;
      if (namespace !== undefined && obj.namespace !== namespace) continue;
      this.drop(kind, key);
    }
    this.changed(kind);
  }

  /** Pods behind a service, from its EndpointSlices. */
  podsOfService(namespace: string, name: string): PodView[] {
    const out: PodView[] = [];
    const seen = new Set<string>();
    for (const s of this.objects.get('EndpointSlice')!.values() as Iterable<EndpointSliceView>) {
      if (s.namespace !== namespace || s.serviceName !== name) continue;
      for (const e of s.endpoints) {
        if (e.podName === '') continue;
        const key = objectKey(e.podNamespace, e.podName);
        if (seen.has(key)) continue;
        seen.add(key);
        const pod = this.objects.get('Pod')!.get(key) as PodView | undefined;
        if (pod) out.push(pod);
      }
    }
    return out;
  }

  /** Services a pod backs, from EndpointSlices. */
  servicesOfPod(namespace: string, name: string): ServiceRef[] {
    const out: ServiceRef[] = [];
    for (const s of this.objects.get('EndpointSlice')!.values() as Iterable<EndpointSliceView>) {
      if (s.serviceName === '' || out.some((r) => r.name === s.serviceName && r.namespace === s.namespace)) continue;
      if (s.endpoints.some((e) => e.podName === name && e.podNamespace === namespace)) {
        out.push({ name: s.serviceName, namespace: s.namespace });
      }
    }
    return out;
  }

  private changed(kind: ResourceKind): void {
    this.version++;
    for (const l of this.listeners) l(kind);
  }

  private put(kind: ResourceKind, view: ModelObject): void {
    const key = objectKey(view.namespace, view.name);
    const store = this.objects.get(kind)!;
    const old = store.get(key);
    store.set(key, view);
    if (kind === 'Namespace') this.resolveNamespace(view.name);
    if (!INDEXED.has(kind)) return;
    const ref = `${kind}|${key}`;
    const before = old ? ipsOf(old) : [];
    const after = ipsOf(view);
    for (const ip of before) if (!after.includes(ip)) this.unref(ip, ref);
    for (const ip of after) this.addRef(ip, ref);
    // Re-resolve every address the object touches: labels, phase or service may have changed.
    for (const ip of new Set([...before, ...after])) this.resolve(ip);
  }

  private drop(kind: ResourceKind, key: string): boolean {
    const store = this.objects.get(kind)!;
    const old = store.get(key);
    if (!old) return false;
    store.delete(key);
    if (kind === 'Namespace') this.resolveNamespace(old.name);
    if (INDEXED.has(kind)) {
      const ref = `${kind}|${key}`;
      for (const ip of ipsOf(old)) {
        this.unref(ip, ref);
        this.resolve(ip);
      }
    }
    return true;
  }

  /** A namespace's labels are part of its pods' identities: re-resolve them. */
  private resolveNamespace(namespace: string): void {
    for (const o of this.objects.get('Pod')!.values()) {
      if (o.namespace !== namespace || o.kind !== 'Pod') continue;
      for (const ip of ipsOf(o)) this.resolve(ip);
    }
  }

  private addRef(ip: string, ref: string): void {
    const list = this.refs.get(ip);
    if (!list) this.refs.set(ip, [ref]);
    else if (!list.includes(ref)) list.push(ref);
  }

  private unref(ip: string, ref: string): void {
    const list = this.refs.get(ip);
    if (!list) return;
    const i = list.indexOf(ref);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.refs.delete(ip);
  }

  private deref(ref: string): ModelObject | undefined {
    const bar = ref.indexOf('|');
    return this.objects.get(ref.slice(0, bar) as ResourceKind)!.get(ref.slice(bar + 1));
  }

  /** Decides who owns `ip` among everything claiming it. */
  private resolve(ip: string): void {
    const list = this.refs.get(ip);
    if (!list) {
      this.index.delete(ip);
      return;
    }
    let pod: PodView | undefined;
    let svc: ServiceView | undefined;
    let node: NodeView | undefined;
    let backed: { slice: EndpointSliceView; podName: string; podNamespace: string; nodeName: string } | undefined;
    for (const ref of list) {
      const o = this.deref(ref);
      if (!o) continue;
      if (o.kind === 'Pod') {
        if (!pod || betterPod(o, pod)) pod = o;
      } else if (o.kind === 'Service') {
        svc ??= o;
      } else if (o.kind === 'Node') {
        node ??= o;
      } else if (o.kind === 'EndpointSlice') {
        const e = o.endpoints.find((x) => x.ips.includes(ip) || (ip.includes(':') && x.ips.some((a) => canonicalIP(a) === ip)));
        if (e && (!backed || (o.serviceName !== '' && backed.slice.serviceName === ''))) {
          backed = { slice: o, podName: e.podName, podNamespace: e.podNamespace, nodeName: e.nodeName };
        }
      }
    }
    const service: ServiceRef | undefined =
      backed && backed.slice.serviceName !== '' ? { name: backed.slice.serviceName, namespace: backed.slice.namespace } : undefined;
    let id: IpIdentity | undefined;
    if (pod) {
      id = {
        ip,
        kind: 'pod',
        namespace: pod.namespace,
        podName: pod.name,
        nodeName: pod.nodeName,
        labels: Object.freeze(podCiliumLabels(pod, this.objects.get('Namespace')!.get(pod.namespace)?.labels)),
        workloads: pod.workload ? Object.freeze([pod.workload]) : NO_WORKLOADS,
      };
      if (service) id.service = service;
    } else if (svc) {
      id = {
        ip,
        kind: 'service',
        namespace: svc.namespace,
        podName: '',
        nodeName: '',
        labels: NO_WORKLOADS,
        workloads: NO_WORKLOADS,
        service: { name: svc.name, namespace: svc.namespace },
      };
    } else if (node) {
      id = { ip, kind: 'node', namespace: '', podName: '', nodeName: node.name, labels: NO_WORKLOADS, workloads: NO_WORKLOADS };
    } else if (backed) {
      id = {
        ip,
        kind: 'endpoint',
        namespace: backed.podNamespace || backed.slice.namespace,
        podName: backed.podName,
        nodeName: backed.nodeName,
        labels: NO_WORKLOADS,
        workloads: NO_WORKLOADS,
      };
      if (service) id.service = service;
    }
    if (id) this.index.set(ip, Object.freeze(id));
    else this.index.delete(ip);
  }
}

function ipsOf(o: ModelObject): string[] {
  const ips = rawIPsOf(o);
  return ips.some((ip) => ip.includes(':')) ? [...new Set(ips.map(canonicalIP))] : ips;
}

function rawIPsOf(o: ModelObject): string[] {
  switch (o.kind) {
    case 'Pod':
      // A host-network pod shares its node's address: the node owns it.
      return o.hostNetwork ? [] : o.podIPs;
    case 'Service':
      return [...o.clusterIPs, ...o.externalIPs, ...o.loadBalancerIPs];
    case 'Node':
      return nodeIPs(o);
    case 'EndpointSlice': {
      const out: string[] = [];
      for (const e of o.endpoints) for (const ip of e.ips) if (!out.includes(ip)) out.push(ip);
      return out;
    }
    default:
      return [];
  }
}

function isLive(p: PodView): boolean {
  return !p.deleting && p.phase !== 'Succeeded' && p.phase !== 'Failed';
}

/** Two pods can briefly share an IP (a finished pod and its successor): prefer the live, newer one. */
function betterPod(a: PodView, b: PodView): boolean {
  if (isLive(a) !== isLive(b)) return isLive(a);
  return a.creationTimestamp > b.creationTimestamp;
}
