// A flow as a policy question: who opened the connection, to which port. A reply
// (is_reply, or a SYN-ACK when the source did not say) is answered as its request:
// replies of allowed connections are allowed.
import type { Flow } from '../model/flow.ts';
import { peerForIP, type World } from './world.ts';
import type { Peer, Protocol, Query } from './types.ts';

export interface FlowQuery extends Query {
  reply: boolean;
}

function isReply(f: Flow): boolean {
  if (f.is_reply !== undefined) return f.is_reply;
  if (f.reply !== undefined) return f.reply;
  const fl = f.l4?.TCP?.flags;
  return fl?.SYN === true && fl.ACK === true;
}

function endpointPeer(world: World, f: Flow, side: 'source' | 'destination'): Peer | undefined {
  const ep = f[side];
  const ip = side === 'source' ? f.IP?.source : f.IP?.destination;
  if (!ip) return undefined;
  // The address first (one map lookup); the names only when the address is not a pod's.
  const byIP = world.podByIP.get(ip);
  if (byIP && (!ep?.pod_name || ep.pod_name === byIP.name)) return { kind: 'pod', pod: byIP };
  if (ep?.namespace && ep.pod_name) {
    const pod = world.podByKey.get(`${ep.namespace}/${ep.pod_name}`);
    if (pod && !pod.hostNetwork) return { kind: 'pod', pod };
  }
  const peer = peerForIP(world, ip);
  // An address the model does not know but the source labelled as the host: the node
  // that saw the flow (Hubble names cilium_host addresses `reserved:host`).
  if (peer.kind === 'ip' && !peer.node && f.node_name && ep?.labels?.includes('reserved:host')) {
    const node = world.nodeByName.get(f.node_name);
    if (node) return { kind: 'ip', ip, node };
  }
  return peer;
}

/** The question a flow asks, or undefined when it has no addresses (not an IP flow). */
export function flowQuery(world: World, f: Flow): FlowQuery | undefined {
  const src = endpointPeer(world, f, 'source');
  const dst = endpointPeer(world, f, 'destination');
  if (!src || !dst) return undefined;
  const l4 = f.l4;
  let protocol: Protocol;
  let sport = 0;
  let dport = 0;
  if (l4?.TCP) {
    protocol = 'TCP';
    sport = l4.TCP.source_port ?? 0;
    dport = l4.TCP.destination_port ?? 0;
  } else if (l4?.UDP) {
    protocol = 'UDP';
    sport = l4.UDP.source_port ?? 0;
    dport = l4.UDP.destination_port ?? 0;
  } else if (l4?.SCTP) {
    protocol = 'SCTP';
    sport = l4.SCTP.source_port ?? 0;
    dport = l4.SCTP.destination_port ?? 0;
  } else if (l4?.ICMPv4 || l4?.ICMPv6) protocol = 'ICMP';
  else return undefined;
  const reply = isReply(f);
  return reply ? { from: dst, to: src, port: sport, protocol, reply } : { from: src, to: dst, port: dport, protocol, reply };
}
