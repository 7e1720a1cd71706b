// The wire codec's field numbers (typed in by hand in wire/fields.ts) against the .proto
// files as protobufjs parses them, so neither can drift from the other unnoticed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type protobuf from 'protobufjs';
import { T } from '../../../src/grpc/schema.ts';
import * as F from '../../../src/grpc/wire/fields.ts';

const flow = T.Flow;
const sub = (t: protobuf.Type, field: string): protobuf.Type => t.fields[field]!.resolvedType as protobuf.Type;
const tcp = sub(sub(flow, 'l4'), 'TCP');
const l7 = sub(flow, 'l7');
const response = T.GetFlowsResponse;

const messages: [string, Readonly<Record<string, number>>, protobuf.Type][] = [
  ['GET_FLOWS_RESPONSE', F.GET_FLOWS_RESPONSE, response],
  ['TIMESTAMP', F.TIMESTAMP, sub(flow, 'time')],
  ['WRAPPER (BoolValue)', F.WRAPPER, sub(flow, 'is_reply')],
  ['WRAPPER (Int32Value)', F.WRAPPER, sub(sub(response, 'lost_events'), 'cpu')],
  ['FLOW', F.FLOW, flow],
  ['ETHERNET', F.ETHERNET, sub(flow, 'ethernet')],
  ['IP', F.IP, sub(flow, 'IP')],
  ['LAYER4', F.LAYER4, sub(flow, 'l4')],
  ['PORTS (TCP)', F.PORTS, tcp],
  ['PORTS (UDP)', { source_port: 1, destination_port: 2 }, sub(sub(flow, 'l4'), 'UDP')],
  ['PORTS (SCTP)', { source_port: 1, destination_port: 2 }, sub(sub(flow, 'l4'), 'SCTP')],
  ['ICMP (v4)', F.ICMP, sub(sub(flow, 'l4'), 'ICMPv4')],
  ['ICMP (v6)', F.ICMP, sub(sub(flow, 'l4'), 'ICMPv6')],
  ['ENDPOINT', F.ENDPOINT, sub(flow, 'source')],
  ['WORKLOAD', F.WORKLOAD, sub(sub(flow, 'source'), 'workloads')],
  ['LAYER7', F.LAYER7, l7],
  ['DNS', F.DNS, sub(l7, 'dns')],
  ['HTTP', F.HTTP, sub(l7, 'http')],
  ['HTTP_HEADER', F.HTTP_HEADER, sub(sub(l7, 'http'), 'headers')],
  ['KAFKA', F.KAFKA, sub(l7, 'kafka')],
  ['SERVICE', F.SERVICE, sub(flow, 'source_service')],
  ['CILIUM_EVENT_TYPE', F.CILIUM_EVENT_TYPE, sub(flow, 'event_type')],
  ['NETWORK_INTERFACE', F.NETWORK_INTERFACE, sub(flow, 'interface')],
  ['POLICY', F.POLICY, sub(flow, 'egress_allowed_by')],
  ['LOST_EVENT', F.LOST_EVENT, sub(response, 'lost_events')],
  ['NODE_STATUS_EVENT', F.NODE_STATUS_EVENT, sub(response, 'node_status')],
  ['FLOW_EXTENSION', F.FLOW_EXTENSION, sub(flow, 'netscope')],
];

for (const [name, numbers, type] of messages) {
  test(`${name}: every field number is the .proto's, and every field of ${type.fullName} is there`, () => {
    const fromProto = Object.fromEntries(type.fieldsArray.map((f) => [f.name, f.id]));
    assert.deepEqual({ ...numbers }, fromProto);
  });
}

test('TCPFlags: FIN..NS are fields 1..9 in TCP_FLAG_NAMES order', () => {
  const flags = sub(tcp, 'flags');
  assert.equal(F.TCP_FLAGS_FIRST, 1);
  assert.deepEqual(
    flags.fieldsArray.map((f) => [f.name, f.id]),
    ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'].map((n, i) => [n, F.TCP_FLAGS_FIRST + i]),
  );
});
