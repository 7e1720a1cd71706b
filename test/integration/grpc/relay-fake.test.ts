// netscope's gRPC source against a Hubble-Relay-like server written from Cilium's protos
// (test/hubble-relay-fake, independent of netscope's mapping): history then follow,
// filters sent to the server, node status and UNAVAILABLE nodes, lost events, and a
// relay that drops its streams mid-way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilterArgs } from '../../../src/filter/index.ts';
import { createGrpcSource } from '../../../src/sources/grpc.ts';
import type { Flow } from '../../../src/model/flow.ts';
import { fakeFlow, startFakeRelay } from '../../hubble-relay-fake/server.ts';
import { collect } from './events.ts';

const FAST_BACKOFF = { initialMs: 20, maxMs: 100, jitter: 0 };
const NO_FILTER = { allow: [], deny: [] };

test('history (--last 3) then follow; fields decoded as the relay encoded them', async (t) => {
  const relay = await startFakeRelay({ flows: [1, 2, 3, 4, 5].map((n) => fakeFlow(n)) });
  t.after(() => relay.close());
  const c = collect(createGrpcSource({ server: relay.address, filters: NO_FILTER, number: 3, follow: true, backoff: FAST_BACKOFF }));
  t.after(() => c.stop());
  await c.waitFor('3 history flows', () => c.flows().length === 3);
  assert.deepEqual(c.flows(), ['flow-3', 'flow-4', 'flow-5']);
  assert.deepEqual(relay.requests[0], { number: 3n, first: false, follow: true, sinceMs: undefined, whitelistVerdicts: [], whitelistSourcePods: [] });
  relay.push(fakeFlow(6));
  await c.waitFor('the followed flow', () => c.flows().includes('flow-6'));
  const f6 = c.events.find((e) => e.kind === 'flow' && e.flow.uuid === 'flow-6') as { flow: Flow };
  assert.deepEqual(f6.flow, {
    time: '2026-03-01T12:00:06Z',
    uuid: 'flow-6',
    verdict: 'DROPPED',
    IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40000, destination_port: 7070, flags: { SYN: true } } },
    source: { identity: 1001, namespace: 'shop', labels: ['k8s:io.kubernetes.pod.namespace=shop'], pod_name: 'frontend-0' },
    destination: { identity: 1002, namespace: 'shop', labels: ['k8s:io.kubernetes.pod.namespace=shop'], pod_name: 'cart-0' },
    Type: 'L3_L4',
    node_name: 'node-1',
    traffic_direction: 'EGRESS',
    drop_reason_desc: 'POLICY_DENIED',
    is_reply: false,
  });
  const states = c.events.flatMap((e) => (e.kind === 'status' ? [e.state] : []));
  assert.deepEqual(states.slice(0, 2), ['connecting', 'connected']);
});

test('the filter goes to the server: only matching flows cross the network', async (t) => {
  const relay = await startFakeRelay({ flows: Array.from({ length: 9 }, (_, i) => fakeFlow(i + 1)) });
  t.after(() => relay.close());
  const filters = parseFilterArgs(['--verdict', 'DROPPED', '--from-pod', 'shop/frontend-1']);
  const c = collect(createGrpcSource({ server: relay.address, filters, number: 100, follow: false }));
  t.after(() => c.stop());
  await c.waitFor('the end of history', () => c.completed);
  assert.deepEqual(relay.requests[0]!.whitelistVerdicts, [[2]]);
  assert.deepEqual(relay.requests[0]!.whitelistSourcePods, [['shop/frontend-1']]);
  assert.deepEqual(c.flows(), ['flow-3', 'flow-9']); // dropped (n % 3 == 0) and from frontend-1 (odd n)
});

test('node status, UNAVAILABLE nodes (GetNodes, ServerStatus) and lost events arrive in-band', async (t) => {
  const relay = await startFakeRelay({
    flows: [fakeFlow(1)],
    nodes: [
      { name: 'kind/node-1', state: 'NODE_CONNECTED', address: '10.0.0.11:4244', version: '1.17.0', seen: 1234 },
      { name: 'kind/node-2', state: 'NODE_UNAVAILABLE', address: '10.0.0.12:4244', version: '', seen: 0 },
    ],
  });
  t.after(() => relay.close());
  const c = collect(createGrpcSource({ server: relay.address, filters: NO_FILTER, number: 0, follow: true, statusIntervalMs: 50 }));
  t.after(() => c.stop());
  await c.waitFor('the nodes list', (evs) => evs.some((e) => e.kind === 'nodes'));
  const nodes = c.events.find((e) => e.kind === 'nodes');
  assert.ok(nodes?.kind === 'nodes');
  assert.deepEqual(
    nodes.nodes.map((n) => [n.name, n.state, n.address, n.version, n.seen_flows]),
    [
      ['kind/node-1', 'NODE_CONNECTED', '10.0.0.11:4244', '1.17.0', 1234],
      ['kind/node-2', 'NODE_UNAVAILABLE', '10.0.0.12:4244', undefined, undefined],
    ],
  );
  await c.waitFor('the server status line', (evs) => evs.some((e) => e.kind === 'status' && /^buffer 1\/8.2k, nodes 1\/2, down: kind\/node-2$/.test(e.message ?? '')));
  await c.waitFor('the follow stream', () => relay.openStreams() === 1);
  relay.pushNodeStatus('NODE_UNAVAILABLE', ['kind/node-2'], 'connection refused');
  relay.pushLost(7);
  await c.waitFor('node status and lost events', (evs) => evs.some((e) => e.kind === 'lost'));
  const ns = c.events.find((e) => e.kind === 'node-status');
  assert.ok(ns?.kind === 'node-status');
  assert.deepEqual(ns.status, { state_change: 'NODE_UNAVAILABLE', node_names: ['kind/node-2'], message: 'connection refused' });
  const lost = c.events.find((e) => e.kind === 'lost');
  assert.ok(lost?.kind === 'lost');
  assert.deepEqual(lost.lost, { source: 'HUBBLE_RING_BUFFER', num_events_lost: 7 });
});

test('a relay that drops the stream mid-way: reconnect, resume from the last flow, no duplicates', async (t) => {
  const relay = await startFakeRelay({ flows: [1, 2, 3].map((n) => fakeFlow(n)) });
  t.after(() => relay.close());
  const c = collect(createGrpcSource({ server: relay.address, filters: NO_FILTER, number: 10, follow: true, backoff: FAST_BACKOFF }));
  t.after(() => c.stop());
  await c.waitFor('history', () => c.flows().length === 3);
  await c.waitFor('the follow stream', () => relay.openStreams() === 1);
  // Another flow at the same second as flow-3 arrives after the drop: it must not be taken for a duplicate.
  relay.dropStreams();
  relay.history.push(fakeFlow(3, { uuid: 'flow-3b' }), fakeFlow(4));
  await c.waitFor('the reconnect status', (evs) => evs.some((e) => e.kind === 'status' && e.state === 'reconnecting'));
  await c.waitFor('flows after the reconnect', () => c.flows().includes('flow-4'));
  assert.equal(relay.requests.length, 2);
  assert.equal(relay.requests[1]!.sinceMs, fakeFlow(3).timeMs, 'resumed from the last flow seen');
  assert.equal(relay.requests[1]!.number, 0n);
  assert.deepEqual(c.flows(), ['flow-1', 'flow-2', 'flow-3', 'flow-3b', 'flow-4']);
  const msg = c.events.find((e) => e.kind === 'status' && e.state === 'reconnecting');
  assert.ok(msg?.kind === 'status');
  assert.match(msg.message ?? '', /^UNAVAILABLE: relay shutting down; retrying in \d+ms$/);
  assert.equal(msg.source, `server:${relay.address}`);
});

test('not following, a stream cut mid-way ends the source with one line naming the server', async (t) => {
  const relay = await startFakeRelay({ flows: [fakeFlow(1)] });
  const c = collect(createGrpcSource({ server: relay.address, filters: NO_FILTER, number: 5, follow: false }));
  t.after(() => c.stop());
  await c.waitFor('the end', () => c.completed);
  await relay.close();
  const gone = collect(createGrpcSource({ server: relay.address, filters: NO_FILTER, number: 5, follow: false }));
  t.after(() => gone.stop());
  await gone.waitFor('the error', () => gone.error !== undefined);
  assert.equal(String(gone.error), `Error: server ${relay.address}: connection refused`);
});
