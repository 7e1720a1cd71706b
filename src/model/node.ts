// A Hubble node as GetNodes reports it (observer.Node): a Cilium agent behind Hubble
// Relay, or one netscope server. Also what node-status events update.

export interface HubbleNode {
  name: string;
  version?: string;
  address?: string;
  /** relay.NodeState name: NODE_CONNECTED, NODE_UNAVAILABLE, NODE_GONE, NODE_ERROR. */
  state?: string;
  tls?: { enabled?: boolean; server_name?: string };
  uptime_ns?: number;
  num_flows?: number;
  max_flows?: number;
  seen_flows?: number;
}
