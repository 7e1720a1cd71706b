process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../../../src/model/flow.ts';
import type { SourceEvent } from '../../../src/model/source.ts';
import type { PrinterOptions } from '../../../src/printer/index.ts';
import { renderEvents } from './render.ts';

const print = (events: SourceEvent[], opts: Partial<PrinterOptions> = {}) => renderEvents(events, opts);

const flow = (f: Flow): SourceEvent => ({ kind: 'flow', flow: f });

const HTTP_RESPONSE: Flow = {
  time: '2026-01-01T10:00:00.123456789Z',
  verdict: 'FORWARDED',
  IP: { source: '10.0.0.5', destination: '10.0.0.9', ipVersion: 'IPv4' },
  l4: { TCP: { source_port: 50051, destination_port: 43210 } },
  source: { identity: 4001, namespace: 'cloudcity', pod_name: 'cc-door-server-0' },
  destination: { identity: 4002, namespace: 'cloudcity', pod_name: 'cc-door-client-1' },
  Type: 'L7',
  l7: { type: 'RESPONSE', latency_ns: 1_000_000, http: { code: 200, method: 'POST', url: 'http://cc-door-server:50051/cloudcity.DoorManager/GetName', protocol: 'HTTP/2' } },
  event_type: { type: 129 },
  is_reply: true,
  Summary: 'HTTP/2 200 1ms (POST http://cc-door-server:50051/cloudcity.DoorManager/GetName)',
};

test('HTTP response: reply arrow flips the endpoints, http-response type, summary as given', () => {
  assert.equal(
    print([flow(HTTP_RESPONSE)]).out,
    'Jan  1 10:00:00.123: cloudcity/cc-door-client-1:43210 (ID:4002) <- cloudcity/cc-door-server-0:50051 (ID:4001) http-response FORWARDED (HTTP/2 200 1ms (POST http://cc-door-server:50051/cloudcity.DoorManager/GetName))\n',
  );
});

test('ICMPv4 without ports, IPv6 in brackets with --numeric, reserved identities by name', () => {
  const icmp: Flow = {
    time: '2026-01-01T10:00:00Z',
    verdict: 'FORWARDED',
    IP: { source: '10.0.0.1', destination: '1.1.1.1', ipVersion: 'IPv4' },
    l4: { ICMPv4: { type: 8 } },
    source: { identity: 1, labels: ['reserved:host'] },
    destination: { identity: 16777217 },
    event_type: { type: 4, sub_type: 3 },
    is_reply: false,
    Summary: 'ICMPv4 EchoRequest',
  };
  assert.equal(print([flow(icmp)]).out, 'Jan  1 10:00:00.000: 10.0.0.1 (host) -> 1.1.1.1 (ID:16777217) to-stack FORWARDED (ICMPv4 EchoRequest)\n');
  const v6: Flow = {
    time: '2026-01-01T10:00:00Z',
    verdict: 'DROPPED',
    IP: { source: 'fd00::1', destination: 'fd00::2', ipVersion: 'IPv6' },
    l4: { UDP: { source_port: 5353, destination_port: 53 } },
    source: { identity: 300, namespace: 'a', pod_name: 'p' },
    destination: { identity: 0 },
    event_type: { type: 1, sub_type: 181 },
  };
  assert.equal(print([flow(v6)], { ipTranslation: false }).out, 'Jan  1 10:00:00.000: [fd00::1]:5353 (ID:300) <> [fd00::2]:53 (unknown) Policy denied by denylist DROPPED ()\n');
  assert.match(print([flow(v6)]).out, /: a\/p:5353 \(ID:300\) <> \[fd00::2\]:53 /);
});

test('services, DNS names, policy verdicts, unknown drop codes and auth', () => {
  const f: Flow = {
    time: '2026-01-01T10:00:00Z',
    verdict: 'DROPPED',
    auth_type: 'SPIRE',
    IP: { source: '10.0.0.1', destination: '10.96.0.1' },
    l4: { TCP: { source_port: 1, destination_port: 443 } },
    destination_service: { namespace: 'default', name: 'kubernetes' },
    source_names: ['a.example', 'b.example'],
    event_type: { type: 5 },
    traffic_direction: 'INGRESS',
    policy_match_type: 2,
    is_reply: false,
    Summary: 'TCP Flags: SYN',
  };
  assert.equal(
    print([flow(f)]).out,
    'Jan  1 10:00:00.000: a.example,b.example:1 (unknown) -> default/kubernetes:443 (unknown) policy-verdict:L3-L4 INGRESS DENIED (TCP Flags: SYN; SPIRE)\n',
  );
  assert.match(print([flow({ ...f, event_type: { type: 1, sub_type: 250 } })]).out, / 250, 0 DROPPED /);
});

test('a hostile pod name cannot reach the terminal as escape sequences', () => {
  const evil: Flow = {
    time: '2026-01-01T10:00:00Z',
    verdict: 'FORWARDED',
    IP: { source: '10.0.0.1', destination: '10.0.0.2' },
    source: { identity: 300, namespace: 'ns', pod_name: 'evil\u001b[2J\u001b]0;pwned\u0007' },
    destination: { identity: 301, namespace: 'ns', pod_name: 'ok' },
    node_name: 'node\r1',
    is_reply: false,
    Summary: 'x\u009b31m',
  };
  const { out } = print([flow(evil)], { nodeName: true });
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(out), JSON.stringify(out));
  assert.match(out, /ns\/evil\\e\[2J\\e\]0;pwned\\x07/);
  assert.match(out, /\[node\\r1\]/);
});

test('--color always paints hosts, ports, identities and verdicts like hubble; off means no ANSI', () => {
  const { out } = print([flow(HTTP_RESPONSE)], { color: true });
  assert.ok(out.includes('\u001b[36mcloudcity/cc-door-client-1:\u001b[33m43210\u001b[0m\u001b[0m'));
  assert.ok(out.includes('\u001b[35m(ID:4002)\u001b[0m'));
  assert.ok(out.includes('\u001b[32mFORWARDED\u001b[0m'));
  assert.ok(!print([flow(HTTP_RESPONSE)]).out.includes('\u001b'));
});

test('lost events print like hubble; node errors go to stderr', () => {
  const { out, err } = print([
    { kind: 'lost', lost: { source: 'PERF_EVENT_RING_BUFFER', num_events_lost: 17, cpu: 3 } },
    { kind: 'node-status', status: { state_change: 'NODE_CONNECTED', node_names: ['a'] }, time: '2026-01-01T10:00:00Z' },
    { kind: 'node-status', status: { state_change: 'NODE_ERROR', node_names: ['a', 'b'], message: 'boom' }, node_name: 'relay', time: '2026-01-01T10:00:00Z' },
    { kind: 'node-status', status: { state_change: 'NODE_UNAVAILABLE', node_names: ['c'] }, time: '2026-01-01T10:00:00Z' },
  ]);
  assert.equal(out, 'EVENTS LOST: PERF_EVENT_RING_BUFFER CPU(3) 17\n');
  assert.equal(
    err,
    'Jan  1 10:00:00.000 [relay]: Error "boom" on 2 nodes: a, b\nJan  1 10:00:00.000 []: 1 nodes are unavailable: c\n',
  );
});

test('dict and table show lost events like hubble', () => {
  const ev: SourceEvent = { kind: 'lost', lost: { source: 'HUBBLE_RING_BUFFER', num_events_lost: 5 } };
  assert.equal(
    print([ev], { output: 'dict' }).out,
    '  TIMESTAMP: \n     SOURCE: HUBBLE_RING_BUFFER\n       TYPE: EVENTS LOST\n    VERDICT: \n    SUMMARY: CPU(0) - 5\n',
  );
  assert.equal(
    print([ev], { output: 'table' }).out,
    'TIMESTAMP   SOURCE               DESTINATION   TYPE          VERDICT   SUMMARY\n' +
      '            HUBBLE_RING_BUFFER                 EVENTS LOST             CPU(0) - 5\n',
  );
});
