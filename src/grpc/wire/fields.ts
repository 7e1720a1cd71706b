// Field numbers of the messages the wire codec reads and writes, from src/grpc/proto/*.proto
// (checked against upstream cilium/cilium api/v1 flow.pb.go, relay.pb.go and
// observer.proto; test/unit/grpc/wire-fields.test.ts checks them against the .proto
// files as protobufjs parses them). The encoder writes fields in ascending number
// order, as protobufjs and Go do.

/** Wire types (protobuf encoding spec). */
export const WT = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

export const GET_FLOWS_RESPONSE = { flow: 1, node_status: 2, lost_events: 3, node_name: 1000, time: 1001 } as const;

export const TIMESTAMP = { seconds: 1, nanos: 2 } as const;

/** google.protobuf.BoolValue and Int32Value. */
export const WRAPPER = { value: 1 } as const;

export const FLOW = {
  time: 1,
  verdict: 2,
  drop_reason: 3,
  ethernet: 4,
  IP: 5,
  l4: 6,
  source: 8,
  destination: 9,
  Type: 10,
  node_name: 11,
  source_names: 13,
  destination_names: 14,
  l7: 15,
  reply: 16,
  event_type: 19,
  source_service: 20,
  destination_service: 21,
  traffic_direction: 22,
  policy_match_type: 23,
  trace_observation_point: 24,
  drop_reason_desc: 25,
  is_reply: 26,
  debug_capture_point: 27,
  interface: 28,
  proxy_port: 29,
  socket_cookie: 32,
  cgroup_id: 33,
  uuid: 34,
  auth_type: 35,
  trace_reason: 36,
  node_labels: 37,
  egress_allowed_by: 21001,
  ingress_allowed_by: 21002,
  egress_denied_by: 21004,
  ingress_denied_by: 21005,
  policy_log: 21006,
  Summary: 100000,
  /** netscope.v1.FlowExtension (netscope.proto), not in Cilium's Flow. */
  netscope: 480000,
} as const;

export const ETHERNET = { source: 1, destination: 2 } as const;
export const IP = { source: 1, destination: 2, ipVersion: 3, encrypted: 4, source_xlated: 5 } as const;
export const LAYER4 = { TCP: 1, UDP: 2, ICMPv4: 3, ICMPv6: 4, SCTP: 5 } as const;
/** TCP, UDP and SCTP share these; TCP adds flags. */
export const PORTS = { source_port: 1, destination_port: 2, flags: 3 } as const;
/** TCPFlags: FIN=1 ... NS=9, in TCP_FLAG_NAMES order (src/model/flow.ts). */
export const TCP_FLAGS_FIRST = 1;
export const ICMP = { type: 1, code: 2 } as const;
export const ENDPOINT = { ID: 1, identity: 2, namespace: 3, labels: 4, pod_name: 5, workloads: 6, cluster_name: 7 } as const;
export const WORKLOAD = { name: 1, kind: 2 } as const;
export const LAYER7 = { type: 1, latency_ns: 2, dns: 100, http: 101, kafka: 102 } as const;
export const DNS = { query: 1, ips: 2, ttl: 3, cnames: 4, observation_source: 5, rcode: 6, qtypes: 7, rrtypes: 8 } as const;
export const HTTP = { code: 1, method: 2, url: 3, protocol: 4, headers: 5 } as const;
export const HTTP_HEADER = { key: 1, value: 2 } as const;
export const KAFKA = { error_code: 1, api_version: 2, api_key: 3, correlation_id: 4, topic: 5 } as const;
export const SERVICE = { name: 1, namespace: 2 } as const;
export const CILIUM_EVENT_TYPE = { type: 1, sub_type: 2 } as const;
export const NETWORK_INTERFACE = { index: 1, name: 2 } as const;
export const POLICY = { name: 1, namespace: 2, labels: 3, revision: 4, kind: 5 } as const;
export const LOST_EVENT = { source: 1, num_events_lost: 2, cpu: 3 } as const;
export const NODE_STATUS_EVENT = { state_change: 1, node_names: 2, message: 3 } as const;
export const FLOW_EXTENSION = {
  pid: 1,
  comm: 2,
  bytes_sent: 3,
  bytes_received: 4,
  segments_sent: 5,
  segments_received: 6,
  srtt_us: 7,
  connect_latency_ns: 8,
  duration_ns: 9,
  retransmits: 10,
  response_latency_ns: 11,
} as const;
