// Enrichment: names a flow's endpoints from the cluster model when the source did
// not (a local eBPF collector knows only IPs; a Hubble export may lack services).
// Fills namespace, pod name, Cilium labels, workloads, source/destination service
// and node name; never overwrites a value the source set. In proto3 JSON an empty
// string or list is the same as absent, so those count as "not set".
import { map, type OperatorFunction } from 'rxjs';
import type { Endpoint, Flow, Service } from '../model/flow.ts';
import type { SourceEvent } from '../model/source.ts';
import type { IpIdentity } from '../k8s/identity.ts';
import { copyFlow } from '../model/plain-flow.ts';

/** Anything that maps an IP to an identity: the live cluster store, a snapshot, a test map. */
export interface IpLookup {
  lookup(ip: string): IpIdentity | undefined;
}

function unset(v: string | readonly unknown[] | undefined): boolean {
  return v === undefined || v.length === 0;
}

/** The endpoint with gaps filled from `id`, or the same object when nothing changed. */
function fillEndpoint(ep: Endpoint | undefined, id: IpIdentity, observedOn: string | undefined): Endpoint | undefined {
  const host = id.kind === 'node' && observedOn !== undefined && observedOn === id.nodeName;
  if (isEmpty(ep)) return namedEndpoint(id, host) ?? ep;
  return filled(ep, id, host) ?? ep;
}

/** `ep` with gaps filled from `id`, a new object; undefined when `id` adds nothing. */
function filled(ep: Endpoint | undefined, id: IpIdentity, host: boolean): Endpoint | undefined {
  let labels: readonly string[] = id.labels;
  if (id.kind === 'node') labels = [host ? 'reserved:host' : 'reserved:remote-node'];
  const out: Endpoint = { ...ep };
  let changed = false;
  if (id.kind === 'pod' || id.kind === 'endpoint') {
    if (unset(out.namespace) && id.namespace !== '') {
      out.namespace = id.namespace;
      changed = true;
    }
    if (unset(out.pod_name) && id.podName !== '') {
      out.pod_name = id.podName;
      changed = true;
    }
    if (unset(out.workloads) && id.workloads.length > 0) {
      out.workloads = id.workloads.map((w) => ({ ...w }));
      changed = true;
    }
  }
  if (unset(out.labels) && labels.length > 0) {
    out.labels = [...labels];
    changed = true;
  }
  return changed ? out : undefined;
}

function isEmpty(ep: Endpoint | undefined): boolean {
  if (ep === undefined) return true;
  for (const _ in ep) return false;
  return true;
}

/**
 * What an identity names, made once per identity and shared by every flow it names:
 * a node agent names tens of thousands of flows a second, and an endpoint per flow was
 * most of what its ring kept alive (and V8 promoted). Frozen, because shared: flows are
 * values, and nothing may change one flow's endpoint under another.
 */
interface Named {
  /** A pod's, an endpoint's or a service's endpoint; a node's as seen from elsewhere. */
  endpoint: Endpoint | undefined;
  /** A node's endpoint seen on that node (reserved:host). */
  hostEndpoint: Endpoint | undefined;
  service: Service | undefined;
}

/** Kept as long as the model keeps the identity (a changed object is a new identity). */
const NAMED = new WeakMap<IpIdentity, Named>();

function named(id: IpIdentity): Named {
  let n = NAMED.get(id);
  if (n === undefined) {
    const service = id.service ? Object.freeze({ name: id.service.name, namespace: id.service.namespace }) : undefined;
    n = { endpoint: frozen(filled(undefined, id, false)), hostEndpoint: id.kind === 'node' ? frozen(filled(undefined, id, true)) : undefined, service };
    NAMED.set(id, n);
  }
  return n;
}

function namedEndpoint(id: IpIdentity, host: boolean): Endpoint | undefined {
  const n = named(id);
  return host ? n.hostEndpoint : n.endpoint;
}

function frozen(ep: Endpoint | undefined): Endpoint | undefined {
  if (ep === undefined) return undefined;
  if (ep.labels) Object.freeze(ep.labels);
  if (ep.workloads) {
    for (const w of ep.workloads) Object.freeze(w);
    Object.freeze(ep.workloads);
  }
  return Object.freeze(ep);
}

function serviceOf(id: IpIdentity | undefined): Service | undefined {
  return id === undefined ? undefined : named(id).service;
}

function serviceUnset(s: Service | undefined): boolean {
  return s === undefined || unset(s.name);
}

/** Pure: returns `flow` itself when the model adds nothing, else an enriched copy. */
export function enrichFlow(flow: Flow, model: IpLookup): Flow {
  const srcIP = flow.IP?.source;
  const dstIP = flow.IP?.destination;
  const src = srcIP ? model.lookup(srcIP) : undefined;
  const dst = dstIP ? model.lookup(dstIP) : undefined;
  if (!src && !dst) return flow;
  let out: Flow | undefined;
  const copy = (): Flow => (out ??= copyFlow(flow));

  if (unset(flow.node_name)) {
    // The node that saw the flow: the sender's for egress, the receiver's for ingress.
    const podNode = (id: IpIdentity | undefined): string => (id && (id.kind === 'pod' || id.kind === 'endpoint') ? id.nodeName : '');
    const node =
      flow.traffic_direction === 'INGRESS' ? podNode(dst) || podNode(src) : podNode(src) || podNode(dst);
    if (node !== '') copy().node_name = node;
  }
  const observedOn = out?.node_name ?? flow.node_name;
  if (src) {
    const ep = fillEndpoint(flow.source, src, observedOn);
    if (ep !== flow.source) copy().source = ep;
    const svc = serviceOf(src);
    if (svc && serviceUnset(flow.source_service)) copy().source_service = svc;
  }
  if (dst) {
    const ep = fillEndpoint(flow.destination, dst, observedOn);
    if (ep !== flow.destination) copy().destination = ep;
    const svc = serviceOf(dst);
    if (svc && serviceUnset(flow.destination_service)) copy().destination_service = svc;
  }
  return out ?? flow;
}

/** RxJS operator: enriches every flow event from `model` as it passes; other events pass through. */
export function enrich(model: IpLookup): OperatorFunction<SourceEvent, SourceEvent> {
  return map((ev) => {
    if (ev.kind !== 'flow') return ev;
    const flow = enrichFlow(ev.flow, model);
    return flow === ev.flow ? ev : { kind: 'flow', flow };
  });
}
