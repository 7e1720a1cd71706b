// How a flow is named for aggregation: the node it comes from / goes to at each
// topology level, the service it is a request to, whether it failed, and whether it is
// infrastructure noise. Pure functions of one Flow; called once per ingested flow.
import type { Endpoint, Flow, HTTP } from '../model/flow.ts';
import { RESET_BY_CLIENT_SUMMARY, RESET_BY_SERVER_SUMMARY, RESET_REFUSED_SUMMARY } from '../model/tcp-reset.ts';

export const LEVELS = ['namespace', 'workload', 'pod'] as const;
export type Level = (typeof LEVELS)[number];

/** Value of a Cilium label `source:key=value` for `key`, any source. */
export function labelValue(labels: string[] | undefined, key: string): string | undefined {
  if (!labels) return undefined;
  for (const l of labels) {
    const colon = l.indexOf(':');
    const eq = l.indexOf('=', colon + 1);
    const k = eq < 0 ? l.slice(colon + 1) : l.slice(colon + 1, eq);
    if (k === key) return eq < 0 ? '' : l.slice(eq + 1);
  }
  return undefined;
}

function reservedName(labels: string[] | undefined): string | undefined {
  if (!labels) return undefined;
  for (const l of labels) if (l.startsWith('reserved:')) return l.slice('reserved:'.length).split('=')[0];
  return undefined;
}

// A pod's name without its ReplicaSet/Deployment hash suffixes: cart-7d9c8b7f6-abcde -> cart.
const POD_HASH = /-[a-z0-9]{8,10}-[a-z0-9]{5}$|-[a-z0-9]{5}$/;

/** Workload name of an endpoint: first workload, then app labels, then the pod name without hashes. */
export function workloadName(ep: Endpoint): string | undefined {
  const w = ep.workloads?.[0]?.name;
  if (w) return w;
  const app = labelValue(ep.labels, 'app.kubernetes.io/name') ?? labelValue(ep.labels, 'app') ?? labelValue(ep.labels, 'k8s-app');
  if (app) return app;
  if (ep.pod_name) return ep.pod_name.replace(POD_HASH, '');
  return undefined;
}

/** Name of a non-pod endpoint: DNS name, else reserved identity, else IP. */
function externalName(ep: Endpoint | undefined, names: string[] | undefined, ip: string | undefined): string {
  if (names && names.length > 0) return names[0];
  const reserved = reservedName(ep?.labels);
  if (reserved) return reserved;
  return ip ?? 'unknown';
}

/** What aggregation needs about one side of a flow; for pods computed once per pod. */
export interface EndpointIds {
  namespaceId: string;
  workloadId: string;
  podId: string;
  infra: boolean;
}

// namespace -> pod -> ids. Nested maps, so a lookup hashes the flow's own strings instead
// of building a `ns/pod` key per flow. Bounded so pod churn cannot grow it without limit;
// a pod's workload and labels do not change in practice, so entries are not revalidated.
const podCache = new Map<string, Map<string, EndpointIds>>();
let podCacheSize = 0;
const POD_CACHE_MAX = 20_000;

function podIds(ep: Endpoint & { namespace: string; pod_name: string }): EndpointIds {
  let pods = podCache.get(ep.namespace);
  if (pods === undefined) {
    pods = new Map();
    podCache.set(ep.namespace, pods);
  }
  let info = pods.get(ep.pod_name);
  if (info === undefined) {
    if (podCacheSize >= POD_CACHE_MAX) {
      podCache.clear();
      podCacheSize = 0;
      pods = new Map();
      podCache.set(ep.namespace, pods);
    }
    info = { namespaceId: ep.namespace, podId: `${ep.namespace}/${ep.pod_name}`, workloadId: `${ep.namespace}/${workloadName(ep) ?? ep.pod_name}`, infra: infraLabels(ep) };
    pods.set(ep.pod_name, info);
    podCacheSize++;
  }
  return info;
}

function isPod(ep: Endpoint | undefined): ep is Endpoint & { namespace: string; pod_name: string } {
  return ep !== undefined && !!ep.namespace && !!ep.pod_name;
}

/** Node ids of one side of a flow at every level, and whether that side is infrastructure. */
export function endpointIds(flow: Flow, side: 'source' | 'destination'): EndpointIds {
  const ep = flow[side];
  if (isPod(ep)) return podIds(ep);
  const infra = ep ? infraLabels(ep) : false;
  const ns = ep?.namespace;
  if (!ns) {
    const names = side === 'source' ? flow.source_names : flow.destination_names;
    const ip = side === 'source' ? flow.IP?.source : flow.IP?.destination;
    const name = externalName(ep, names, ip);
    return { namespaceId: name, workloadId: name, podId: name, infra };
  }
  const w = `${ns}/${workloadName(ep!) ?? '?'}`;
  return { namespaceId: ns, workloadId: w, podId: w, infra };
}

export function idAt(ids: EndpointIds, level: Level): string {
  return level === 'namespace' ? ids.namespaceId : level === 'workload' ? ids.workloadId : ids.podId;
}

/** Node id of one side of a flow at a level: `ns`, `ns/workload`, `ns/pod`, or an external name. */
export function nodeId(flow: Flow, side: 'source' | 'destination', level: Level): string {
  return idAt(endpointIds(flow, side), level);
}

/** A reply travels server -> client; maps and per-service stats orient it back to client -> server. */
export function isReply(flow: Flow): boolean {
  return flow.is_reply === true || flow.reply === true || flow.l7?.type === 'RESPONSE';
}

/** Client and server sides of a flow (source/destination, swapped for replies). */
export function sides(flow: Flow): { client: 'source' | 'destination'; server: 'source' | 'destination' } {
  return isReply(flow) ? { client: 'destination', server: 'source' } : { client: 'source', server: 'destination' };
}

/** The service a flow is a request to (or the response of): `namespace/name`, or undefined for non-service traffic. */
export function serviceOf(flow: Flow): string | undefined {
  const server = sides(flow).server;
  const svc = server === 'source' ? flow.source_service : flow.destination_service;
  const ep = flow[server];
  if (svc?.name) return `${svc.namespace ?? ep?.namespace ?? ''}/${svc.name}`.replace(/^\//, '');
  if (ep?.namespace) {
    const w = workloadName(ep);
    if (w) return `${ep.namespace}/${w}`;
    return undefined;
  }
  // No Kubernetes identity (e.g. --local without a cluster, or an external server): the
  // server's DNS name or address and port stand for the service, so its latency still shows.
  const names = server === 'source' ? flow.source_names : flow.destination_names;
  const host = names?.[0] ?? (server === 'source' ? flow.IP?.source : flow.IP?.destination);
  const l4 = flow.l4?.TCP ?? flow.l4?.UDP ?? flow.l4?.SCTP;
  const port = server === 'source' ? l4?.source_port : l4?.destination_port;
  if (host === undefined || port === undefined) return undefined;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function isDrop(flow: Flow): boolean {
  return flow.verdict === 'DROPPED' || flow.verdict === 'ERROR';
}

/**
 * A failed request: dropped, HTTP 5xx, a gRPC status the server is to blame for, DNS
 * error rcode, Kafka error code, or a reset by the server's end (serverReset).
 */
export function isError(flow: Flow): boolean {
  if (isDrop(flow)) return true;
  const l7 = flow.l7;
  if (!l7) return serverReset(flow);
  const http = l7.http;
  if (http !== undefined) {
    if (http.code !== undefined && http.code >= 500) return true;
    if (http.headers !== undefined && isGrpcServerError(http)) return true;
  }
  if (l7.dns?.rcode !== undefined && l7.dns.rcode !== 0) return true;
  if (l7.kafka?.error_code !== undefined && l7.kafka.error_code !== 0) return true;
  return false;
}

// gRPC status codes that HTTP would call 5xx (the mapping in google/rpc/code.proto):
// UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS. The
// others (CANCELLED, INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED...) are the
// caller's, as a 4xx is, and are not the service's errors.
const GRPC_SERVER_ERRORS = new Set(['2', '4', '12', '13', '14', '15']);

/**
 * gRPC runs over HTTP/2 with HTTP 200 and puts its status in `grpc-status`. Cilium's
 * proxy logs a response's headers, not its trailers, so Hubble shows the status when
 * the server answered "trailers-only" (status in the one HEADERS frame: what gRPC
 * servers send for an error without a response message), not for a normal response.
 */
function isGrpcServerError(http: HTTP): boolean {
  for (const h of http.headers!) {
    const key = h.key;
    if (key !== undefined && key.length === 11 && (key === 'grpc-status' || key.toLowerCase() === 'grpc-status')) {
      return h.value !== undefined && GRPC_SERVER_ERRORS.has(h.value.trim());
    }
  }
  return false;
}

/**
 * Whether a TCP flow shows its connection reset by the server's end: a connection
 * attempt refused (SYN answered by RST: nothing listened), or an established
 * connection the server aborted. netscope's collector says which end reset a
 * connection in its close summary's text (model/tcp-reset.ts); for a packet (Hubble)
 * a RST travelling server -> client is the server's. A dropped RST is a drop, not this.
 */
export function serverReset(flow: Flow): boolean {
  if (flow.l4?.TCP?.flags?.RST !== true || isDrop(flow)) return false;
  const summary = flow.Summary;
  if (summary === RESET_REFUSED_SUMMARY || summary === RESET_BY_SERVER_SUMMARY) return true;
  if (summary === RESET_BY_CLIENT_SUMMARY) return false;
  return isReply(flow);
}

/**
 * Latency of a completed request in milliseconds, or undefined: an L7 response's, or
 * the one request/response of a short connection that the eBPF collector reports in
 * its close summary instead of as an L7 flow.
 */
export function latencyMs(flow: Flow): number | undefined {
  const l7 = flow.l7;
  if (!l7) {
    const folded = flow.netscope?.response_latency_ns;
    return folded === undefined ? undefined : folded / 1e6;
  }
  if (l7.type !== 'RESPONSE' || l7.latency_ns === undefined) return undefined;
  return l7.latency_ns / 1e6;
}

/**
 * Whether a flow counts as one request to its service: an L7 response (it carries the
 * status and latency), a close summary carrying its connection's one request/response,
 * a dropped attempt, a refused one (the collector's close summary), or, for services
 * seen only at L4, a new TCP connection (SYN without ACK) or a UDP datagram that is not
 * a reply.
 */
export function isRequest(flow: Flow): boolean {
  if (flow.l7) return flow.l7.type === 'RESPONSE';
  if (flow.netscope?.response_latency_ns !== undefined) return true;
  if (isDrop(flow)) return flow.is_reply !== true;
  // The collector reports a refused attempt only by its client's close summary (it
  // reports a connection's opening only once it is established).
  if (flow.Summary === RESET_REFUSED_SUMMARY) return true;
  if (flow.is_reply === true || flow.reply === true) return false;
  const tcp = flow.l4?.TCP;
  if (tcp) return tcp.flags?.SYN === true && tcp.flags?.ACK !== true;
  return flow.l4?.UDP !== undefined;
}

const INFRA_APPS = new Set(['kube-dns', 'coredns', 'prometheus', 'metrics-server', 'kube-state-metrics', 'node-exporter', 'prometheus-node-exporter', 'hubble-relay', 'cilium', 'kube-proxy']);
const INFRA_RESERVED = new Set(['kube-apiserver', 'health', 'remote-node', 'host']);
const INFRA_PATHS = /^(?:https?:\/\/[^/]*)?\/(?:healthz|readyz|livez|health|ready|metrics)(?:[/?]|$)/;

function infraLabels(ep: Endpoint): boolean {
  const reserved = reservedName(ep.labels);
  if (reserved && INFRA_RESERVED.has(reserved)) return true;
  const app = labelValue(ep.labels, 'k8s-app') ?? labelValue(ep.labels, 'app.kubernetes.io/name') ?? labelValue(ep.labels, 'app');
  if (app && INFRA_APPS.has(app)) return true;
  const w = workloadName(ep);
  return w !== undefined && INFRA_APPS.has(w);
}

/** Infrastructure noise: DNS, the API server, health checks, metrics scrapes, host/agents. */
export function isInfra(flow: Flow): boolean {
  return endpointIds(flow, 'source').infra || endpointIds(flow, 'destination').infra || isInfraTraffic(flow);
}

/** The parts of isInfra that do not depend on who the endpoints are. */
export function isInfraTraffic(flow: Flow): boolean {
  if (flow.destination_service?.name === 'kubernetes' && flow.destination_service.namespace === 'default') return true;
  if (flow.l7?.dns) return true;
  const port = flow.l4?.UDP?.destination_port ?? flow.l4?.TCP?.destination_port;
  if (port === 53) return true;
  const url = flow.l7?.http?.url;
  return url !== undefined && INFRA_PATHS.test(url);
}
