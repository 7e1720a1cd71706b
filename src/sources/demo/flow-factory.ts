// Builds Flow values exactly as Hubble (Cilium 1.17, L7 visibility on) reports
// them: trace events for TCP packets, L7 HTTP and DNS records from the proxy,
// policy verdicts and policy drops. Pure functions of their arguments.
//
// Sub-objects that never change (endpoints, services, flags, IP and L4 headers
// of one connection) are frozen and shared between flows: this keeps 50,000
// flows/s cheap. Treat flows as immutable.

import type { CiliumEventType, Endpoint, Flow, HTTPHeader, IP, Layer4, Policy, Service, TCPFlags } from '../../model/flow.ts';
import { CiliumEventTypeCode } from '../../model/flow.ts';

/** Cilium's drop reason code for a policy denial and its enum name. */
export const POLICY_DENIED = 133;
export const POLICY_DENIED_DESC = 'POLICY_DENIED';
/** Cilium's monitor policy match type (api.PolicyMatchType) for an L3+L4 rule match. */
export const POLICY_MATCH_L3_L4 = 2;

export type TcpFlagKind = 'SYN' | 'SYN_ACK' | 'ACK' | 'ACK_PSH' | 'ACK_FIN';

const FLAGS: Record<TcpFlagKind, Readonly<TCPFlags>> = {
  SYN: Object.freeze({ SYN: true }),
  SYN_ACK: Object.freeze({ SYN: true, ACK: true }),
  ACK: Object.freeze({ ACK: true }),
  ACK_PSH: Object.freeze({ ACK: true, PSH: true }),
  ACK_FIN: Object.freeze({ ACK: true, FIN: true }),
};

// Hubble lists flags in the order SYN, ACK, RST, FIN, PSH.
const FLAG_SUMMARY: Record<TcpFlagKind, string> = {
  SYN: 'TCP Flags: SYN',
  SYN_ACK: 'TCP Flags: SYN, ACK',
  ACK: 'TCP Flags: ACK',
  ACK_PSH: 'TCP Flags: ACK, PSH',
  ACK_FIN: 'TCP Flags: ACK, FIN',
};

const EV_TRACE: Readonly<CiliumEventType> = Object.freeze({ type: CiliumEventTypeCode.Trace });
const EV_L7: Readonly<CiliumEventType> = Object.freeze({ type: CiliumEventTypeCode.L7 });
const EV_POLICY_VERDICT: Readonly<CiliumEventType> = Object.freeze({ type: CiliumEventTypeCode.PolicyVerdict });
const EV_DROP_POLICY: Readonly<CiliumEventType> = Object.freeze({ type: CiliumEventTypeCode.Drop, sub_type: POLICY_DENIED });
const QTYPES_A: readonly string[] = Object.freeze(['A']);

/** One side of a conversation: who, at which address and port. */
export interface Peer {
  endpoint: Readonly<Endpoint>;
  ip: string;
  node: string;
}

/**
 * One TCP connection (or UDP exchange) from client to server. Header objects are
 * built once per connection and shared by its flows.
 */
export class Conversation {
  readonly client: Peer;
  readonly server: Peer;
  readonly clientPort: number;
  readonly serverPort: number;
  readonly service: Readonly<Service> | undefined;
  readonly udp: boolean;
  readonly ipFwd: Readonly<IP>;
  readonly ipRev: Readonly<IP>;
  private readonly l4Cache = new Map<string, Readonly<Layer4>>();

  constructor(client: Peer, server: Peer, clientPort: number, serverPort: number, service: Readonly<Service> | undefined, udp = false) {
    this.client = client;
    this.server = server;
    this.clientPort = clientPort;
    this.serverPort = serverPort;
    this.service = service;
    this.udp = udp;
    this.ipFwd = Object.freeze({ source: client.ip, destination: server.ip, ipVersion: 'IPv4' });
    this.ipRev = Object.freeze({ source: server.ip, destination: client.ip, ipVersion: 'IPv4' });
  }

  /** L4 header for a packet; `flags` undefined for L7 records (Hubble omits them there). */
  l4(reply: boolean, flags: TcpFlagKind | undefined): Readonly<Layer4> {
    const key = `${reply ? 'r' : 'f'}${flags ?? ''}`;
    let v = this.l4Cache.get(key);
    if (v === undefined) {
      const ports = reply
        ? { source_port: this.serverPort, destination_port: this.clientPort }
        : { source_port: this.clientPort, destination_port: this.serverPort };
      if (this.udp) v = Object.freeze({ UDP: Object.freeze(ports) });
      else v = Object.freeze({ TCP: Object.freeze(flags === undefined ? ports : { ...ports, flags: FLAGS[flags] }) });
      this.l4Cache.set(key, v);
    }
    return v;
  }
}

/**
 * A TCP packet delivered to an endpoint (trace point to-endpoint). Requests are
 * seen arriving at the server (INGRESS), replies arriving at the client, on
 * the client's egress connection (EGRESS), as Cilium's conntrack labels them.
 */
export function traceFlow(c: Conversation, reply: boolean, flags: TcpFlagKind): Flow {
  const f: Flow = {
    time: '',
    uuid: '',
    verdict: 'FORWARDED',
    IP: reply ? c.ipRev : c.ipFwd,
    l4: c.l4(reply, flags),
    source: reply ? c.server.endpoint : c.client.endpoint,
    destination: reply ? c.client.endpoint : c.server.endpoint,
    Type: 'L3_L4',
    node_name: reply ? c.client.node : c.server.node,
    event_type: EV_TRACE,
    traffic_direction: reply ? 'EGRESS' : 'INGRESS',
    trace_observation_point: 'TO_ENDPOINT',
    is_reply: reply,
    Summary: FLAG_SUMMARY[flags],
  };
  if (c.service !== undefined) {
    if (reply) f.source_service = c.service;
    else f.destination_service = c.service;
  }
  return f;
}

/** The policy verdict Cilium reports for a connection's first packet to a policed endpoint. */
export function policyVerdictFlow(c: Conversation, policy: Readonly<Policy>, allowed: boolean): Flow {
  const f: Flow = {
    time: '',
    uuid: '',
    verdict: allowed ? 'FORWARDED' : 'DROPPED',
    IP: c.ipFwd,
    l4: c.l4(false, 'SYN'),
    source: c.client.endpoint,
    destination: c.server.endpoint,
    Type: 'L3_L4',
    node_name: c.server.node,
    event_type: EV_POLICY_VERDICT,
    destination_service: c.service,
    traffic_direction: 'INGRESS',
    is_reply: false,
    Summary: FLAG_SUMMARY.SYN,
  };
  if (allowed) {
    // A denial matched nothing (match type 0), which protobuf JSON leaves out.
    f.policy_match_type = POLICY_MATCH_L3_L4;
    f.ingress_allowed_by = [policy];
  } else {
    f.drop_reason = POLICY_DENIED;
    f.drop_reason_desc = POLICY_DENIED_DESC;
    f.ingress_denied_by = [policy];
  }
  return f;
}

/** A SYN dropped on ingress to the server because no policy allows the client. */
export function policyDropFlow(c: Conversation, policy: Readonly<Policy>): Flow {
  return {
    time: '',
    uuid: '',
    verdict: 'DROPPED',
    drop_reason: POLICY_DENIED,
    IP: c.ipFwd,
    l4: c.l4(false, 'SYN'),
    source: c.client.endpoint,
    destination: c.server.endpoint,
    Type: 'L3_L4',
    node_name: c.server.node,
    event_type: EV_DROP_POLICY,
    destination_service: c.service,
    traffic_direction: 'INGRESS',
    drop_reason_desc: POLICY_DENIED_DESC,
    is_reply: false,
    Summary: FLAG_SUMMARY.SYN,
    ingress_denied_by: [policy],
  };
}

export interface HttpRecord {
  method: string;
  url: string;
  protocol: 'HTTP/1.1' | 'HTTP/2';
  /** Request headers as the proxy logged them, sorted by key (Hubble's order). */
  headers: readonly HTTPHeader[];
}

/** The ingress proxy's record of an HTTP request arriving at the server. */
export function httpRequestFlow(c: Conversation, h: HttpRecord): Flow {
  return {
    time: '',
    uuid: '',
    verdict: 'FORWARDED',
    IP: c.ipFwd,
    l4: c.l4(false, undefined),
    source: c.client.endpoint,
    destination: c.server.endpoint,
    Type: 'L7',
    node_name: c.server.node,
    l7: { type: 'REQUEST', http: { method: h.method, url: h.url, protocol: h.protocol, headers: h.headers as HTTPHeader[] } },
    event_type: EV_L7,
    destination_service: c.service,
    traffic_direction: 'INGRESS',
    is_reply: false,
    Summary: `${h.protocol} ${h.method} ${h.url}`,
  };
}

/**
 * The response headers Cilium's proxy logs for a gRPC call that failed: gRPC servers
 * answer an error "trailers-only", HTTP 200 with the status in the one HEADERS frame
 * (a successful call's status comes in trailers, which the proxy does not log), and
 * the proxy keeps the request's x-request-id. Sorted by key, as Hubble lists them.
 */
export function grpcErrorHeaders(h: HttpRecord, status: number, message: string): HTTPHeader[] {
  const headers: HTTPHeader[] = [
    { key: 'content-type', value: 'application/grpc' },
    { key: 'grpc-message', value: message },
    { key: 'grpc-status', value: String(status) },
  ];
  const id = h.headers.find((x) => x.key === 'x-request-id');
  if (id !== undefined) headers.push(id);
  return headers;
}

/** The ingress proxy's record of the server's response, with the request's latency. */
export function httpResponseFlow(c: Conversation, h: HttpRecord, code: number, latencyNs: number, headers: readonly HTTPHeader[] = h.headers): Flow {
  return {
    time: '',
    uuid: '',
    verdict: 'FORWARDED',
    IP: c.ipRev,
    l4: c.l4(true, undefined),
    source: c.server.endpoint,
    destination: c.client.endpoint,
    Type: 'L7',
    node_name: c.server.node,
    l7: { type: 'RESPONSE', latency_ns: latencyNs, http: { code, method: h.method, url: h.url, protocol: h.protocol, headers: headers as HTTPHeader[] } },
    event_type: EV_L7,
    source_service: c.service,
    traffic_direction: 'INGRESS',
    is_reply: true,
    Summary: `${h.protocol} ${code} ${Math.floor(latencyNs / 1_000_000)}ms (${h.method} ${h.url})`,
  };
}

/** The client-side DNS proxy's record of an A query. */
export function dnsRequestFlow(c: Conversation, query: string): Flow {
  return {
    time: '',
    uuid: '',
    verdict: 'FORWARDED',
    IP: c.ipFwd,
    l4: c.l4(false, undefined),
    source: c.client.endpoint,
    destination: c.server.endpoint,
    Type: 'L7',
    node_name: c.client.node,
    l7: { type: 'REQUEST', dns: { query, qtypes: QTYPES_A as string[], observation_source: 'proxy' } },
    event_type: EV_L7,
    destination_service: c.service,
    traffic_direction: 'EGRESS',
    is_reply: false,
    Summary: `DNS Query ${query} A`,
  };
}

/** The DNS proxy's record of the answer (rcode 0 with the ClusterIP, or NXDOMAIN). */
export function dnsResponseFlow(c: Conversation, query: string, ips: readonly string[], ttl: number, latencyNs: number): Flow {
  const rcode = ips.length === 0 ? 3 : 0;
  const answer = rcode === 0 ? `"${ips.join(',')}"` : 'RCode: Non-Existent Domain';
  return {
    time: '',
    uuid: '',
    verdict: 'FORWARDED',
    IP: c.ipRev,
    l4: c.l4(true, undefined),
    source: c.server.endpoint,
    destination: c.client.endpoint,
    Type: 'L7',
    node_name: c.client.node,
    l7: {
      type: 'RESPONSE',
      latency_ns: latencyNs,
      dns: {
        query,
        ...(rcode === 0 ? { ips: ips as string[] } : {}),
        ttl,
        // proto3 JSON leaves out a zero rcode (NOERROR), as a Hubble export does.
        ...(rcode === 0 ? {} : { rcode }),
        qtypes: QTYPES_A as string[],
        ...(rcode === 0 ? { rrtypes: QTYPES_A as string[] } : {}),
        observation_source: 'proxy',
      },
    },
    event_type: EV_L7,
    source_service: c.service,
    traffic_direction: 'EGRESS',
    is_reply: true,
    Summary: `DNS Answer ${answer} TTL: ${ttl} (Proxy ${query} A)`,
  };
}
