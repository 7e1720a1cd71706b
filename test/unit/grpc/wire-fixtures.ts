// Events the wire codec tests run through both codecs: every golden export line and a
// few thousand demo flows (TCP, HTTP, DNS, drops, netscope extension data), and the
// reference path the hand-written codec is held to (flow-mapping.ts + protobufjs).
import type { SourceEvent } from '../../../src/model/source.ts';
import { T } from '../../../src/grpc/schema.ts';
import { eventFromResponse, eventToResponse, type UnknownEnum } from '../../../src/grpc/flow-mapping.ts';
import { runSim } from '../demo/helpers.ts';
import { goldenEvents } from '../printer/render.ts';

type Msg = Record<string, unknown>;

export const NODE = 'test-node';

export function demoEvents(seconds = 10, rate = 400): SourceEvent[] {
  const out: SourceEvent[] = [];
  for (const seed of [1, 7]) for (const flow of runSim({ seed, rate, seconds, slowdownAfterSeconds: 3 }).flows) out.push({ kind: 'flow', flow });
  return out;
}

export const golden = (): SourceEvent[] => goldenEvents().filter((ev) => ev.kind !== 'status');

/** The server's bytes before the wire codec: eventToResponse, the node name filled in, protobufjs. */
export function referenceBytes(ev: SourceEvent, nodeName = NODE): Buffer {
  const m = eventToResponse(ev)!;
  if (!m.node_name) m.node_name = nodeName;
  if (m.flow && !(m.flow as Msg).node_name) (m.flow as Msg).node_name = nodeName;
  return Buffer.from(T.GetFlowsResponse.encode(m).finish());
}

/** The client's event before the wire codec: protobufjs, then eventFromResponse. */
export function referenceDecode(bytes: Uint8Array, onUnknown?: UnknownEnum): SourceEvent | undefined {
  return eventFromResponse(T.GetFlowsResponse.decode(bytes) as unknown as Msg, onUnknown);
}

const LONG = 'x'.repeat(200);

/**
 * Hand-made events for what the golden file and the demo leave out: every Flow field,
 * netscope's extension, lost events and node status, negative int32s, 64-bit values,
 * non-ASCII and long strings, sub-messages over 127 and 16,383 bytes.
 */
export function edgeEvents(): SourceEvent[] {
  return [
    {
      kind: 'flow',
      flow: {
        time: '2026-03-04T05:06:07.123456789Z',
        uuid: 'a0b1c2d3-e4f5-4a6b-8c9d-0e1f2a3b4c5d',
        verdict: 'AUDIT',
        drop_reason: 181,
        auth_type: 'SPIRE',
        ethernet: { source: '0a:58:0a:f4:00:01', destination: '0a:58:0a:f4:00:02' },
        IP: { source: 'fd00::1', source_xlated: 'fd00::99', destination: 'fd00::2', ipVersion: 'IPv6', encrypted: true },
        l4: { ICMPv6: { type: 128, code: 0 } },
        source: {
          ID: 4242,
          identity: 4_000_000_000,
          cluster_name: 'east',
          namespace: 'café',
          labels: ['k8s:app=ünïcode', 'k8s:emoji=🚀', LONG],
          pod_name: 'pod-😀-0',
          workloads: [{ name: 'web', kind: 'Deployment' }, { name: 'web-5d8', kind: 'ReplicaSet' }],
        },
        destination: { labels: Array.from({ length: 400 }, (_, i) => `k8s:label-${i}=${'v'.repeat(i % 90)}`) },
        Type: 'L7',
        node_name: 'kind-worker',
        node_labels: ['kubernetes.io/hostname=kind-worker'],
        source_names: ['a.example.com', 'b.example.com'],
        destination_names: ['c.example.com'],
        l7: { type: 'RESPONSE', latency_ns: 2 ** 40 + 7, kafka: { error_code: -1, api_version: -300, api_key: 'produce', correlation_id: -2_147_483_648, topic: 'orders' } },
        reply: true,
        event_type: { type: 129, sub_type: -5 },
        source_service: { name: 'web', namespace: 'shop' },
        destination_service: { name: 'db' },
        traffic_direction: 'EGRESS',
        policy_match_type: 3,
        trace_observation_point: 'TO_ENDPOINT',
        trace_reason: 'ESTABLISHED',
        drop_reason_desc: 'DROP_PUNT_PROXY',
        is_reply: false,
        debug_capture_point: 'DBG_CAPTURE_SNAT_POST',
        interface: { index: 7, name: 'eth0' },
        proxy_port: 15001,
        socket_cookie: 2 ** 52 + 3,
        cgroup_id: 4_294_967_296,
        Summary: 'TCP Flags: ACK',
        egress_allowed_by: [{ name: 'allow-web', namespace: 'shop', labels: ['k8s:a=b'], revision: 2 ** 33, kind: 'CiliumNetworkPolicy' }],
        ingress_allowed_by: [{ name: 'i' }],
        egress_denied_by: [{ name: 'deny', kind: 'NetworkPolicy' }, { namespace: 'x' }],
        ingress_denied_by: [{ revision: 1 }],
        policy_log: ['log-a', 'log-b'],
        netscope: {
          pid: 4321,
          comm: 'curl',
          bytes_sent: 2 ** 45,
          bytes_received: 123,
          segments_sent: 5,
          segments_received: 6,
          srtt_us: 250,
          connect_latency_ns: 1_500_000,
          duration_ns: 2 ** 50,
          retransmits: 2,
          response_latency_ns: 9,
        },
      },
    },
    {
      kind: 'flow',
      flow: {
        time: '2026-03-04T05:06:07Z',
        verdict: 'DROPPED',
        l4: { SCTP: { source_port: 1, destination_port: 2 } },
        l7: { type: 'REQUEST', dns: { query: 'db.shop.svc.', ips: ['10.0.0.1', 'fd00::1'], ttl: 30, cnames: ['x.'], observation_source: 'proxy', rcode: 3, qtypes: ['A'], rrtypes: ['AAAA'] } },
        netscope: { comm: 'ø' },
      },
    },
    {
      kind: 'flow',
      flow: {
        time: '2026-03-04T05:06:07.5Z',
        l4: { ICMPv4: { type: 8 } },
        l7: { http: { code: 503, method: 'GET', url: 'http://web/' + LONG, protocol: 'HTTP/1.1', headers: [{ key: 'x', value: 'y' }, { key: 'k' }] } },
      },
    },
    { kind: 'flow', flow: { time: '2026-03-04T05:06:07.000001Z', node_name: '', l4: { TCP: { flags: { SYN: true, ACK: false, NS: true } } } } },
    { kind: 'flow', flow: {} },
    { kind: 'lost', lost: { source: 'PERF_EVENT_RING_BUFFER', num_events_lost: 2 ** 34, cpu: 3 }, node_name: 'kind-control-plane', time: '2026-03-04T05:06:08.25Z' },
    { kind: 'lost', lost: { source: 'HUBBLE_RING_BUFFER', num_events_lost: 12, cpu: 0 } },
    { kind: 'lost', lost: {}, time: '2026-03-04T05:06:08Z' },
    { kind: 'node-status', status: { state_change: 'NODE_UNAVAILABLE', node_names: ['kind-worker2', 'kind-worker3'], message: 'connection refused' }, node_name: 'relay', time: '2026-03-04T05:06:09Z' },
    { kind: 'node-status', status: {} },
  ];
}
