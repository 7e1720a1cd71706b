// Names Hubble and Cilium use on the command line and in the API, so that values
// typed for `hubble observe` mean the same here (pkg/monitor/api, flow.proto).
import { DROP_REASON_NAMES } from '../model/enum-names.ts';
import { RESERVED_IDENTITY_NAMES } from '../model/identity.ts';

/** Cilium monitor message types accepted by --type (name -> event_type.type). */
export const EVENT_TYPE_NAMES: Readonly<Record<string, number>> = {
  drop: 1,
  debug: 2,
  capture: 3,
  trace: 4,
  'policy-verdict': 5,
  recorder: 6,
  'trace-sock': 7,
  sock: 7, // netscope alias: the socket-level events of its own collector
  l7: 129,
  agent: 130,
};

/** Trace observation points (event_type.sub_type of trace events) by --type sub-type name. */
export const TRACE_SUBTYPE_NAMES: Readonly<Record<string, number>> = {
  'to-endpoint': 0,
  'to-proxy': 1,
  'to-host': 2,
  'to-stack': 3,
  'to-overlay': 4,
  'from-endpoint': 5,
  'from-proxy': 6,
  'from-host': 7,
  'from-stack': 8,
  'from-overlay': 9,
  'from-network': 10,
  'to-network': 11,
  'from-crypto': 12,
  'to-crypto': 13,
};

/** Reserved security identities accepted by --identity by name ('unknown', 0, is not one). */
export const RESERVED_IDENTITIES: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(RESERVED_IDENTITY_NAMES)
    .filter(([id]) => id !== '0')
    .map(([id, name]) => [name, Number(id)]),
);

export const PROTOCOLS = ['tcp', 'udp', 'sctp', 'icmp', 'icmpv4', 'icmpv6', 'http', 'dns', 'kafka'] as const;

export { TCP_FLAG_NAMES } from '../model/flow.ts';

/** flow.proto DropReason names (drop_reason_desc), in enum order, then the kernel's. */
export const DROP_REASONS: readonly string[] = [
  ...Object.values(DROP_REASON_NAMES),
  // netscope's own collector reports the kernel's skb drop reasons (kfree_skb) by
  // the same field; these are the kernel names without the SKB_DROP_REASON_ prefix.
  'NETFILTER_DROP',
  'NO_SOCKET',
  'SOCKET_FILTER',
  'SOCKET_RCVBUFF',
  'TCP_CSUM',
  'TCP_INVALID_SEQUENCE',
  'TCP_RESET',
  'TCP_FLAGS',
  'TCP_OLD_DATA',
  'TCP_OFOMERGE',
  'IP_CSUM',
  'IP_INHDR',
  'IP_NOPROTO',
  'IP_RPFILTER',
  'UDP_CSUM',
  'NEIGH_FAILED',
  'QDISC_DROP',
  'FULL_RING',
  'PKT_TOO_SMALL',
  'PKT_TOO_BIG',
  'NOT_SPECIFIED',
  'OTHERHOST',
  'UNICAST_IN_L2_MULTICAST',
];

/** Cilium's default cluster name: node names without a `cluster/` part belong to it. */
export const DEFAULT_CLUSTER = 'default';
