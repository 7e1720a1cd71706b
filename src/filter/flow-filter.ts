// Hubble's FlowFilter (observer/flow.proto), proto field names, so the same value is
// what `--print-raw-filters` prints, what the agent's gRPC server receives and what
// the TUI filter bar compiles. Within one filter, set fields AND; the values of one
// repeated field OR. A flow passes a FilterSet when it matches any allow filter (or
// the allow list is empty) and no deny filter.
import type { TrafficDirection, Verdict, IPVersion, TCPFlags, Workload, HTTPHeader, NetworkInterface } from '../model/flow.ts';

export interface EventTypeFilter {
  type?: number;
  match_sub_type?: boolean;
  sub_type?: number;
}

export interface FlowFilter {
  uuid?: string[];
  source_ip?: string[];
  source_ip_xlated?: string[];
  source_pod?: string[];
  source_fqdn?: string[];
  source_label?: string[];
  source_service?: string[];
  source_workload?: Workload[];
  destination_ip?: string[];
  destination_pod?: string[];
  destination_fqdn?: string[];
  destination_label?: string[];
  destination_service?: string[];
  destination_workload?: Workload[];
  traffic_direction?: TrafficDirection[];
  verdict?: Verdict[];
  drop_reason_desc?: string[];
  event_type?: EventTypeFilter[];
  http_status_code?: string[];
  protocol?: string[];
  source_port?: string[];
  destination_port?: string[];
  reply?: boolean[];
  dns_query?: string[];
  source_identity?: number[];
  destination_identity?: number[];
  http_method?: string[];
  http_path?: string[];
  http_url?: string[];
  http_header?: HTTPHeader[];
  tcp_flags?: TCPFlags[];
  node_name?: string[];
  node_labels?: string[];
  ip_version?: IPVersion[];
  trace_id?: string[];
  // Added for Hubble 1.17 parity (cluster names, interface, encryption).
  source_cluster_name?: string[];
  destination_cluster_name?: string[];
  interface?: NetworkInterface[];
  encrypted?: boolean[];
}

export interface FilterSet {
  allow: FlowFilter[];
  deny: FlowFilter[];
}
