import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { DecodeError, decodeHubbleLine } from '../../../src/codec/hubble-json-decode.ts';
import { encodeEvent } from '../../../src/codec/hubble-json-encode.ts';
import type { Flow } from '../../../src/model/flow.ts';

const GOLDEN = new URL('../../integration/observe/golden', import.meta.url).pathname;
const goldenLines = (): string[] => fs.readFileSync(`${GOLDEN}/flows.jsonl`, 'utf8').trimEnd().split('\n');

function flowOf(line: string): Flow {
  const ev = decodeHubbleLine(line);
  assert.ok(ev && ev.kind === 'flow');
  return ev.flow;
}

test('decodes the golden export into Flow values with proto field names', () => {
  const flows = goldenLines().map(flowOf);
  assert.equal(flows.length, 10);
  const f = flows[0]!;
  assert.equal(f.verdict, 'FORWARDED');
  assert.equal(f.source?.pod_name, 'frontend-2');
  assert.equal(f.l4?.TCP?.destination_port, 8080);
  assert.equal(f.is_reply, false);
  assert.equal(flows[6]!.is_reply, undefined, 'absent BoolValue stays absent');
  assert.equal(flows[5]!.l7?.latency_ns, 4000000, 'uint64 string becomes a number');
  assert.equal(flows[2]!.drop_reason_desc, 'POLICY_DENIED');
});

test('encodes byte for byte what hubble -o jsonpb printed for the golden input', () => {
  const out = goldenLines().map((l) => encodeEvent(decodeHubbleLine(l)!)).join('\n') + '\n';
  assert.equal(out, fs.readFileSync(`${GOLDEN}/hubble-jsonpb.txt`, 'utf8'));
});

test('a flow read and written back keeps every field, netscope extension included', () => {
  const flow: Flow = {
    time: '2026-03-04T05:06:07.123456789Z',
    uuid: 'u-1',
    verdict: 'DROPPED',
    drop_reason: 181,
    auth_type: 'SPIRE',
    ethernet: { source: 'aa:bb:cc:dd:ee:ff', destination: '11:22:33:44:55:66' },
    IP: { source: '10.0.0.1', source_xlated: '192.0.2.1', destination: '10.0.0.2', ipVersion: 'IPv4', encrypted: true },
    l4: { TCP: { source_port: 1234, destination_port: 80, flags: { SYN: true, ACK: true, NS: true } } },
    source: { ID: 1, identity: 300, cluster_name: 'c1', namespace: 'a', labels: ['k8s:app=x'], pod_name: 'x-1', workloads: [{ name: 'x', kind: 'Deployment' }] },
    destination: { identity: 2, labels: ['reserved:world'] },
    Type: 'L7',
    node_name: 'n1',
    node_labels: ['zone=a'],
    source_names: ['x.example'],
    destination_names: ['y.example'],
    l7: { type: 'RESPONSE', latency_ns: 12345678901, http: { code: 503, method: 'GET', url: 'http://y/<a>&b', protocol: 'HTTP/1.1', headers: [{ key: 'k', value: 'v' }] } },
    reply: true,
    event_type: { type: 129, sub_type: 3 },
    source_service: { name: 's', namespace: 'a' },
    destination_service: { name: 'd', namespace: 'b' },
    traffic_direction: 'INGRESS',
    policy_match_type: 2,
    trace_observation_point: 'TO_ENDPOINT',
    trace_reason: 'ESTABLISHED',
    drop_reason_desc: 'POLICY_DENY',
    is_reply: true,
    debug_capture_point: 'DBG_CAPTURE_DELIVERY',
    interface: { index: 3, name: 'eth0' },
    proxy_port: 15001,
    socket_cookie: 9007199254740991,
    cgroup_id: 42,
    Summary: 'HTTP/1.1 503',
    egress_allowed_by: [{ name: 'p', namespace: 'a', labels: ['l'], revision: 7, kind: 'NetworkPolicy' }],
    ingress_denied_by: [{ name: 'q', revision: 8 }],
    policy_log: ['x'],
    netscope: { pid: 4242, comm: 'curl', bytes_sent: 5000000000, bytes_received: 10, srtt_us: 150, retransmits: 2, duration_ns: 99, response_latency_ns: 120000 },
  };
  const line = encodeEvent({ kind: 'flow', flow })!;
  const back = flowOf(line);
  assert.deepEqual(back, flow);
  assert.equal(encodeEvent({ kind: 'flow', flow: back }), line, 'stable when written again');
  assert.match(line, /"policy_log":\["x"\],"netscope":\{"pid":4242,"comm":"curl","bytes_sent":"5000000000","bytes_received":"10","srtt_us":150,"duration_ns":"99","retransmits":2,"response_latency_ns":"120000"\}\}/);
  assert.ok(!line.includes('"extensions"'), 'no Any hubble could not resolve');
  assert.match(line, /http:\/\/y\/\\u003ca\\u003e\\u0026b/, 'HTML-unsafe characters escaped like Go');
  assert.match(line, /"latency_ns":"12345678901"/);
});

test('netscope data is also read from an `extensions` Any of its own type; other extensions are left alone', () => {
  const f = flowOf('{"flow":{"verdict":"FORWARDED","extensions":{"@type":"type.googleapis.com/netscope.v1.FlowExtension","pid":7,"bytes_sent":"123"}}}');
  assert.deepEqual(f.netscope, { pid: 7, bytes_sent: 123 });
  const other = flowOf('{"flow":{"verdict":"FORWARDED","extensions":{"@type":"type.googleapis.com/acme.Thing","x":1}}}');
  assert.equal(other.netscope, undefined);
});

test('accepts enums given as numbers and ignores unknown fields', () => {
  const f = flowOf('{"flow":{"verdict":2,"Type":1,"traffic_direction":1,"IP":{"ipVersion":2},"brand_new_field":{"x":1}},"node_name":"n","time":"2026-01-01T00:00:00Z"}');
  assert.equal(f.verdict, 'DROPPED');
  assert.equal(f.Type, 'L3_L4');
  assert.equal(f.traffic_direction, 'INGRESS');
  assert.equal(f.IP?.ipVersion, 'IPv6');
  assert.equal(f.time, '2026-01-01T00:00:00Z', 'flow time taken from the response when missing');
  assert.equal(f.node_name, 'n');
});

test('null means "not set", as in protojson, and writes back as absent', () => {
  const line = '{"flow":{"l4":{"TCP":{"destination_port":8080,"source_port":null}},"source":null,"Summary":null,"verdict":null,"l7":{"latency_ns":null}}}';
  const f = flowOf(line);
  assert.equal(f.l4?.TCP?.destination_port, 8080);
  assert.equal(f.verdict, undefined);
  assert.equal(encodeEvent({ kind: 'flow', flow: f }), '{"flow":{"l4":{"TCP":{"destination_port":8080}},"l7":{}}}');
});

test('lost events and node status become their own events and write back', () => {
  const lostLine = '{"lost_events":{"source":"HUBBLE_RING_BUFFER","num_events_lost":"12","cpu":0},"node_name":"n1","time":"2026-01-01T00:00:00Z"}';
  const lost = decodeHubbleLine(lostLine);
  assert.deepEqual(lost, { kind: 'lost', lost: { source: 'HUBBLE_RING_BUFFER', num_events_lost: 12, cpu: 0 }, node_name: 'n1', time: '2026-01-01T00:00:00Z' });
  assert.equal(encodeEvent(lost!), lostLine);
  const nsLine = '{"node_status":{"state_change":"NODE_ERROR","node_names":["a","b"],"message":"boom"},"time":"2026-01-01T00:00:00.500Z"}';
  const ns = decodeHubbleLine(nsLine);
  assert.equal(ns?.kind, 'node-status');
  assert.equal(encodeEvent(ns!), nsLine);
  assert.equal(decodeHubbleLine('{"agent_event":{"type":"AGENT_STARTED"}}'), undefined, 'agent events are skipped');
});

test('malformed lines throw a DecodeError saying what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['{"flow":', /^invalid JSON \(/],
    ['[1,2]', /expected a JSON object/],
    ['{"flow":"x"}', /field flow: expected an object/],
    ['{"flow":{"time":"yesterday"}}', /field flow.time: invalid RFC 3339 timestamp "yesterday"/],
    ['{"flow":{"verdict":99}}', /field flow.verdict: unknown enum value 99/],
    ['{"flow":{"l7":{"latency_ns":"abc"}}}', /field flow.l7.latency_ns: invalid integer "abc"/],
    ['{"hello":"world"}', /not a Hubble GetFlowsResponse/],
    ['{"flow":{"source":{"pod_name":5}}}', /^field flow.source.pod_name: expected a string$/],
    ['{"flow":{"l7":{"http":{"headers":[{"key":1}]}}}}', /^field flow.l7.http.headers\[0\].key: expected a string$/],
    ['{"flow":{"destination_names":"x"}}', /^field flow.destination_names: expected a list of strings$/],
    ['{"flow":{"is_reply":"yes"}}', /^field flow.is_reply: expected true or false$/],
    ['{"flow":{"l4":{"TCP":{"destination_port":"http"}}}}', /^field flow.l4.TCP.destination_port: expected a number$/],
    ['{"lost_events":{"cpu":"x"}}', /^field lost_events.cpu: expected a number$/],
  ];
  for (const [line, want] of cases) {
    assert.throws(() => decodeHubbleLine(line), (err: unknown) => err instanceof DecodeError && want.test(err.message), line);
  }
});
