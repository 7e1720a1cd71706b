// The one event model every source produces. Field names are Hubble's proto field
// names (flow/flow.proto, Cilium 1.17) so that Hubble JSON exports, Hubble's gRPC API
// and netscope's own agent map onto it without renaming. Differences from protobuf
// JSON, kept at the edges (src/codec): 64-bit integers are numbers here (strings on
// the wire), and optional messages are simply absent.

export const VERDICTS = [
  'VERDICT_UNKNOWN',
  'FORWARDED',
  'DROPPED',
  'ERROR',
  'AUDIT',
  'REDIRECTED',
  'TRACED',
  'TRANSLATED',
] as const;
export type Verdict = (typeof VERDICTS)[number];

export const FLOW_TYPES = ['UNKNOWN_TYPE', 'L3_L4', 'L7', 'SOCK'] as const;
export type FlowType = (typeof FLOW_TYPES)[number];

export const TRAFFIC_DIRECTIONS = ['TRAFFIC_DIRECTION_UNKNOWN', 'INGRESS', 'EGRESS'] as const;
export type TrafficDirection = (typeof TRAFFIC_DIRECTIONS)[number];

export const IP_VERSIONS = ['IP_NOT_USED', 'IPv4', 'IPv6'] as const;
export type IPVersion = (typeof IP_VERSIONS)[number];

export const L7_FLOW_TYPES = ['UNKNOWN_L7_TYPE', 'REQUEST', 'RESPONSE', 'SAMPLE'] as const;
export type L7FlowType = (typeof L7_FLOW_TYPES)[number];

export const TRACE_OBSERVATION_POINTS = [
  'UNKNOWN_POINT',
  'TO_PROXY',
  'TO_HOST',
  'TO_STACK',
  'TO_OVERLAY',
  'TO_ENDPOINT',
  'FROM_ENDPOINT',
  'FROM_PROXY',
  'FROM_HOST',
  'FROM_STACK',
  'FROM_OVERLAY',
  'FROM_NETWORK',
  'TO_NETWORK',
  'FROM_CRYPTO',
  'TO_CRYPTO',
] as const;
export type TraceObservationPoint = (typeof TRACE_OBSERVATION_POINTS)[number];

/** Cilium monitor message types carried in `event_type.type`. */
export const CiliumEventTypeCode = {
  Unspec: 0,
  Drop: 1,
  Debug: 2,
  Capture: 3,
  Trace: 4,
  PolicyVerdict: 5,
  RecCapture: 6,
  TraceSock: 7,
  L7: 129,
  Agent: 130,
} as const;

/** TCPFlags fields in proto order (the order protobuf JSON writes them). */
export const TCP_FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'] as const;

export interface TCPFlags {
  FIN?: boolean;
  SYN?: boolean;
  RST?: boolean;
  PSH?: boolean;
  ACK?: boolean;
  URG?: boolean;
  ECE?: boolean;
  CWR?: boolean;
  NS?: boolean;
}

export interface TCP {
  source_port?: number;
  destination_port?: number;
  flags?: TCPFlags;
}

export interface UDP {
  source_port?: number;
  destination_port?: number;
}

export interface SCTP {
  source_port?: number;
  destination_port?: number;
}

export interface ICMP {
  type?: number;
  code?: number;
}

/** A oneof in the proto: at most one member is set. */
export interface Layer4 {
  TCP?: TCP;
  UDP?: UDP;
  ICMPv4?: ICMP;
  ICMPv6?: ICMP;
  SCTP?: SCTP;
}

export interface IP {
  source?: string;
  source_xlated?: string;
  destination?: string;
  ipVersion?: IPVersion;
  encrypted?: boolean;
}

export interface Workload {
  name?: string;
  kind?: string;
}

export interface Endpoint {
  ID?: number;
  identity?: number;
  cluster_name?: string;
  namespace?: string;
  /** Cilium label strings, `source:key=value`, e.g. `k8s:app=frontend`, `reserved:world`. */
  labels?: string[];
  pod_name?: string;
  workloads?: Workload[];
}

export interface Service {
  name?: string;
  namespace?: string;
}

export interface CiliumEventType {
  type?: number;
  sub_type?: number;
}

export interface HTTPHeader {
  key?: string;
  value?: string;
}

export interface HTTP {
  code?: number;
  method?: string;
  url?: string;
  protocol?: string;
  headers?: HTTPHeader[];
}

export interface DNS {
  query?: string;
  ips?: string[];
  ttl?: number;
  cnames?: string[];
  observation_source?: string;
  rcode?: number;
  qtypes?: string[];
  rrtypes?: string[];
}

export interface Kafka {
  error_code?: number;
  api_version?: number;
  api_key?: string;
  correlation_id?: number;
  topic?: string;
}

export interface Layer7 {
  type?: L7FlowType;
  /** Nanoseconds (uint64: a string in protobuf JSON). */
  latency_ns?: number;
  dns?: DNS;
  http?: HTTP;
  kafka?: Kafka;
}

export interface Policy {
  name?: string;
  namespace?: string;
  labels?: string[];
  revision?: number;
  kind?: string;
}

export interface NetworkInterface {
  index?: number;
  name?: string;
}

/**
 * What netscope's own collector knows that Hubble does not: the process behind a
 * socket and per-connection counters. Written as a top-level `netscope` field of the
 * flow in JSON (see src/codec): hubble skips unknown fields, but rejects a whole line
 * whose `extensions` carries a type it cannot resolve.
 */
export interface NetscopeExtension {
  pid?: number;
  comm?: string;
  bytes_sent?: number;
  bytes_received?: number;
  segments_sent?: number;
  segments_received?: number;
  srtt_us?: number;
  connect_latency_ns?: number;
  duration_ns?: number;
  retransmits?: number;
  /**
   * Close summaries only: time from the connection's request to the start of its
   * response, when the connection carried exactly one request/response pair and it
   * was not HTTP (the collector then reports it here instead of as an L7 flow).
   */
  response_latency_ns?: number;
}

export interface Flow {
  /** RFC 3339 timestamp, nanosecond precision kept as received. */
  time?: string;
  uuid?: string;
  verdict?: Verdict;
  /** Deprecated numeric drop reason; Hubble still prints it. */
  drop_reason?: number;
  auth_type?: string;
  ethernet?: { source?: string; destination?: string };
  IP?: IP;
  l4?: Layer4;
  source?: Endpoint;
  destination?: Endpoint;
  Type?: FlowType;
  node_name?: string;
  node_labels?: string[];
  source_names?: string[];
  destination_names?: string[];
  l7?: Layer7;
  /** Deprecated in the proto (use is_reply) but still emitted by some exporters. */
  reply?: boolean;
  event_type?: CiliumEventType;
  source_service?: Service;
  destination_service?: Service;
  traffic_direction?: TrafficDirection;
  policy_match_type?: number;
  trace_observation_point?: TraceObservationPoint;
  trace_reason?: string;
  /** DropReason enum name, e.g. POLICY_DENIED, NETFILTER_DROP (hubble prints it). */
  drop_reason_desc?: string;
  /** google.protobuf.BoolValue: undefined means "unknown", which Hubble prints as `<>`. */
  is_reply?: boolean;
  debug_capture_point?: string;
  interface?: NetworkInterface;
  proxy_port?: number;
  socket_cookie?: number;
  cgroup_id?: number;
  Summary?: string;
  egress_allowed_by?: Policy[];
  ingress_allowed_by?: Policy[];
  egress_denied_by?: Policy[];
  ingress_denied_by?: Policy[];
  policy_log?: string[];
  /** netscope-only data (process, counters); see NetscopeExtension. */
  netscope?: NetscopeExtension;
}

export interface LostEvent {
  /** LostEventSource enum name: PERF_EVENT_RING_BUFFER, OBSERVER_EVENTS_QUEUE, HUBBLE_RING_BUFFER, ... */
  source?: string;
  num_events_lost?: number;
  cpu?: number;
}

export interface NodeStatusEvent {
  state_change?: string;
  node_names?: string[];
  message?: string;
}

/** Milliseconds since the epoch for a flow's time, NaN when absent or unparsable. */
export function flowTimeMs(flow: Flow): number {
  return flow.time === undefined ? Number.NaN : Date.parse(flow.time);
}
