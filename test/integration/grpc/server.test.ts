// netscope's Observer server and its client against each other on loopback: history,
// filters, follow, GetNodes / ServerStatus / GetNamespaces / Peer, a slow client that
// must not hold up a fast one, a server going away mid-stream and coming back, a
// Unix socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Subject } from 'rxjs';
import type { Flow } from '../../../src/model/flow.ts';
import type { SourceEvent } from '../../../src/model/source.ts';
import { parseFilterArgs } from '../../../src/filter/index.ts';
import { startObserverServer } from '../../../src/grpc/server.ts';
import { createObserverClient } from '../../../src/grpc/client.ts';
import { PEER_SERVICE, type Msg } from '../../../src/grpc/services.ts';
import { decodeGetFlowsResponse } from '../../../src/grpc/wire/get-flows.ts';
import { createGrpcSource } from '../../../src/sources/grpc.ts';
import { collect } from './events.ts';

const NO_FILTER = { allow: [], deny: [] };
const FAST_BACKOFF = { initialMs: 20, maxMs: 100, jitter: 0 };
const T0 = Date.parse('2026-02-01T08:00:00Z');

function flow(n: number, over: Partial<Flow> = {}): SourceEvent {
  return {
    kind: 'flow',
    flow: {
      time: new Date(T0 + n).toISOString(),
      uuid: `u-${n}`,
      verdict: n % 2 === 0 ? 'DROPPED' : 'FORWARDED',
      IP: { source: '10.1.0.1', destination: '10.1.0.2', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 30000 + (n % 1000), destination_port: 80 } },
      source: { namespace: n % 3 === 0 ? 'db' : 'web', pod_name: `p-${n % 5}` },
      destination: { namespace: 'web', pod_name: 'api-0' },
      Type: 'L3_L4',
      netscope: { pid: 4242, comm: 'curl', bytes_sent: 2 ** 40 },
      ...over,
    },
  };
}

async function serve(t: import('node:test').TestContext, bufferSize = 1000, listen = ['127.0.0.1:0']) {
  const source = new Subject<SourceEvent>();
  const server = await startObserverServer({ source, listen, bufferSize, nodeName: 'test-node', version: 'netscope test' });
  t.after(() => server.close());
  return { source, server, address: server.addresses[0]! };
}

test('history with --last and a filter, then follow; netscope data survives; node name filled in', async (t) => {
  const { source, address } = await serve(t);
  for (let n = 1; n <= 20; n++) source.next(flow(n));
  const c = collect(
    createGrpcSource({ server: address, filters: parseFilterArgs(['--verdict', 'DROPPED', '--namespace', 'web']), number: 3, follow: true, backoff: FAST_BACKOFF }),
  );
  t.after(() => c.stop());
  // DROPPED = even n; namespace web on either side: all. Last 3 even: 16, 18, 20.
  await c.waitFor('3 history flows', () => c.flows().length === 3);
  assert.deepEqual(c.flows(), ['u-16', 'u-18', 'u-20']);
  source.next(flow(21));
  source.next(flow(22));
  await c.waitFor('the followed flow', () => c.flows().includes('u-22'));
  assert.deepEqual(c.flows(), ['u-16', 'u-18', 'u-20', 'u-22'], 'u-21 (FORWARDED) filtered at the server');
  const f = c.events.find((e) => e.kind === 'flow' && e.flow.uuid === 'u-22');
  assert.ok(f?.kind === 'flow');
  assert.deepEqual(f.flow.netscope, { pid: 4242, comm: 'curl', bytes_sent: 2 ** 40 });
  assert.equal(f.flow.node_name, 'test-node');
});

test('--first, --since/--until windows and a deny list mean what they mean to observe', async (t) => {
  const { source, address } = await serve(t);
  for (let n = 1; n <= 10; n++) source.next(flow(n));
  const run = async (opts: Partial<Parameters<typeof createGrpcSource>[0]>): Promise<string[]> => {
    const c = collect(createGrpcSource({ server: address, filters: NO_FILTER, follow: false, ...opts }));
    await c.waitFor('the end of history', () => c.completed);
    return c.flows();
  };
  assert.deepEqual(await run({ number: 2, first: true }), ['u-1', 'u-2']);
  const ts = (n: number) => ({ seconds: Math.floor((T0 + n) / 1000), nanos: ((T0 + n) % 1000) * 1e6 });
  assert.deepEqual(await run({ since: ts(4), until: ts(6) }), ['u-4', 'u-5', 'u-6']);
  assert.deepEqual(await run({ number: 0, filters: parseFilterArgs(['--not', '--namespace', 'db']) }), ['u-1', 'u-2', 'u-4', 'u-5', 'u-7', 'u-8', 'u-10']);
});

test('an invalid filter is refused with INVALID_ARGUMENT naming the problem', async (t) => {
  const { address } = await serve(t);
  const client = createObserverClient({ target: address });
  t.after(() => client.close());
  const err = await new Promise<grpc.ServiceError>((resolve) => {
    const call = client.getFlows({ whitelist: [{ source_ip: ['not-an-ip/99'] }] });
    call.on('data', () => {});
    call.on('error', resolve);
  });
  assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
  assert.match(err.details, /not-an-ip/);
});

test('GetNodes, ServerStatus, GetNamespaces and Peer.Notify describe this one server', async (t) => {
  const { source, server, address } = await serve(t, 5);
  for (let n = 1; n <= 7; n++) source.next(flow(n));
  const client = createObserverClient({ target: address });
  t.after(() => client.close());
  const st = await client.serverStatus();
  assert.equal(st.num_flows, 5);
  assert.equal(st.max_flows, 5);
  assert.equal(st.seen_flows, 7);
  assert.equal((st.num_connected_nodes as Msg).value, 1);
  const nodes = (await client.getNodes()).nodes as Msg[];
  assert.equal(nodes.length, 1);
  assert.equal(nodes[0]!.name, 'test-node');
  assert.equal(nodes[0]!.state, 1);
  assert.equal(nodes[0]!.address, server.addresses[0]);
  const ns = ((await client.getNamespaces()).namespaces as Msg[]).map((n) => n.namespace);
  assert.deepEqual(ns, ['db', 'web']);
  const Peer = grpc.makeGenericClientConstructor(PEER_SERVICE, 'Peer');
  const peer = new Peer(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & { Notify(r: Msg): grpc.ClientReadableStream<Msg> };
  t.after(() => peer.close());
  const first = await new Promise<Msg>((resolve, reject) => {
    const call = peer.Notify({});
    call.on('data', (m: Msg) => {
      resolve(m);
      call.cancel();
    });
    call.on('error', (e: grpc.ServiceError) => (e.code === grpc.status.CANCELLED ? undefined : reject(e)));
  });
  assert.equal(first.name, 'test-node');
  assert.equal(first.address, server.addresses[0]);
  assert.equal(first.type, 1);
});

test('a slow follower gets lost events and never holds up a fast one', async (t) => {
  const { source, address } = await serve(t, 1000);
  const fast = collect(createGrpcSource({ server: address, filters: NO_FILTER, number: 0, follow: true }));
  t.after(() => fast.stop());
  // The slow one: a raw stream that is paused (reads nothing) while the flood goes by;
  // HTTP/2's default window, so what the network holds for it is small next to the flood.
  const client = createObserverClient({ target: address, flowControlWindow: 65_535 });
  t.after(() => client.close());
  const slowCall = client.getFlows({ follow: true });
  const slowEvents: SourceEvent[] = [];
  slowCall.on('data', (m: Buffer) => {
    const ev = decodeGetFlowsResponse(m);
    if (ev) slowEvents.push(ev);
  });
  slowCall.on('error', () => {});
  slowCall.pause();
  await fast.waitFor('both followers registered', () => fast.events.some((e) => e.kind === 'status' && e.state === 'connected'));
  await new Promise((r) => setTimeout(r, 100));
  // In lock step with the fast follower (never more than a batch, well under the ring, ahead
  // of it), so the test does not depend on how fast this machine is.
  const TOTAL = 20_000;
  for (let n = 1; n <= TOTAL; n++) {
    source.next(flow(n));
    if (n % 100 === 0) await fast.waitFor(`flow ${n} at the fast follower`, () => fast.flows().length === n, 30_000);
  }
  assert.equal(fast.events.filter((e) => e.kind === 'lost').length, 0, 'the fast follower lost nothing');
  assert.ok(slowEvents.length < TOTAL / 2, `the slow follower was really behind (${slowEvents.length} read)`);
  slowCall.resume();
  source.next(flow(TOTAL + 1));
  await fast.waitFor('the slow follower to catch up', () => slowEvents.some((e) => e.kind === 'flow' && e.flow.uuid === `u-${TOTAL + 1}`), 30_000);
  const lost = slowEvents.filter((e) => e.kind === 'lost').reduce((a, e) => a + (e.kind === 'lost' ? (e.lost.num_events_lost ?? 0) : 0), 0);
  const got = slowEvents.filter((e) => e.kind === 'flow').length;
  assert.ok(lost > 0, 'the slow follower was told what it missed');
  assert.equal(got + lost, TOTAL + 1, 'every flow was either delivered or counted as lost');
  slowCall.cancel();
});

test('server gone mid-stream and back: reconnect, resume without duplicates, a gap it cannot fill shown as lost', async (t) => {
  const port = await new Promise<number>((resolve) => {
    const s = new grpc.Server();
    s.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (_e, p) => {
      s.forceShutdown();
      resolve(p);
    });
  });
  const listen = [`127.0.0.1:${port}`];
  const first = await serve(t, 50, listen);
  for (let n = 1; n <= 5; n++) first.source.next(flow(n));
  const c = collect(createGrpcSource({ server: listen[0]!, filters: NO_FILTER, number: 10, follow: true, backoff: FAST_BACKOFF }));
  t.after(() => c.stop());
  await c.waitFor('history', () => c.flows().length === 5);
  await first.server.close();
  await c.waitFor('the reconnecting status', (evs) => evs.some((e) => e.kind === 'status' && e.state === 'reconnecting'));
  // The new server has flows 4..5 again (a replay) and 6..100; its ring (50) lost 6..50.
  const second = await serve(t, 50, listen);
  for (let n = 4; n <= 100; n++) second.source.next(flow(n));
  await c.waitFor('flows after the reconnect', () => c.flows().includes('u-100'));
  const seen = c.flows();
  assert.equal(new Set(seen).size, seen.length, 'no duplicates');
  assert.deepEqual(seen.slice(0, 5), ['u-1', 'u-2', 'u-3', 'u-4', 'u-5']);
  assert.deepEqual(seen.slice(5), Array.from({ length: 50 }, (_, i) => `u-${51 + i}`));
  const lost = c.events.filter((e) => e.kind === 'lost');
  assert.equal(lost.length, 1);
  assert.ok(lost[0]!.kind === 'lost' && lost[0]!.lost.source === 'HUBBLE_RING_BUFFER');
});

test('listens on a Unix socket, as hubble does (unix:///path)', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netscope-grpc-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sock = `unix://${dir}/hubble.sock`;
  const { source, server } = await serve(t, 10, [sock]);
  assert.deepEqual(server.addresses, [sock]);
  source.next(flow(1));
  const c = collect(createGrpcSource({ server: sock, filters: NO_FILTER, number: 5, follow: false }));
  await c.waitFor('the flow over the socket', () => c.completed);
  assert.deepEqual(c.flows(), ['u-1']);
});
