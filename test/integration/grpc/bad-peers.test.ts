// Bad input from the network: a peer speaking another protocol, a malformed or
// oversized message, an enum value this build does not know. One line each, naming the
// server; what arrived before is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createGrpcSource } from '../../../src/sources/grpc.ts';
import { fakeFlow, encodeFlow, response, startFakeRelay } from '../../hubble-relay-fake/server.ts';
import { Writer, timestamp } from '../../hubble-relay-fake/wire.ts';
import { collect } from './events.ts';

const NO_FILTER = { allow: [], deny: [] };

async function history(server: string) {
  const c = collect(createGrpcSource({ server, filters: NO_FILTER, number: 10, follow: false }));
  await c.waitFor('the end or an error', () => c.completed || c.error !== undefined);
  c.stop();
  return c;
}

test('a peer that speaks another protocol (an SSH banner)', async (t) => {
  const srv = net.createServer((s) => s.end('SSH-2.0-OpenSSH_9.2p1 Debian\r\n'));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  const addr = `127.0.0.1:${(srv.address() as net.AddressInfo).port}`;
  const c = await history(addr);
  assert.equal(String((c.error as Error).message), `server ${addr}: the server does not speak gRPC over HTTP/2 (Protocol error); TLS on one side only?`);
});

test('a malformed message after good ones: the good flows are kept, one line says what was wrong, the stream goes on', async (t) => {
  const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]); // field 1, length far beyond the message
  const after = new Writer().message(1, new Writer().message(1, timestamp(Date.parse('2026-03-01T12:00:09Z'))).string(34, 'after')).finish();
  const relay = await startFakeRelay({ flows: [fakeFlow(1), fakeFlow(2)], rawResponses: [garbage, after] });
  t.after(() => relay.close());
  const c = await history(relay.address);
  assert.equal(c.error, undefined);
  // gRPC frames each message, so one that does not parse is skipped and the next one read.
  assert.deepEqual(c.flows(), ['flow-1', 'flow-2', 'after']);
  const warnings = c.events.filter((e) => e.kind === 'status' && e.state === 'warning').map((e) => (e.kind === 'status' ? e.message : ''));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, new RegExp(`^server ${relay.address}: a response could not be read \\(.*GetFlowsResponse: length 33554431 at byte 1 runs past the end of its message \\(byte 6\\)\\), skipped$`));
});

test('an oversized message (over 4 MiB) is refused with one line', async (t) => {
  const big = response(1, encodeFlow(fakeFlow(3)).string(100000, 'x'.repeat(5 * 1024 * 1024)), 'node-1', Date.now());
  const relay = await startFakeRelay({ flows: [fakeFlow(1)], rawResponses: [big] });
  t.after(() => relay.close());
  const c = await history(relay.address);
  assert.deepEqual(c.flows(), ['flow-1']);
  assert.match(String((c.error as Error).message), new RegExp(`^server ${relay.address}: message too large`));
});

test('an unknown enum value: the flow is kept without it and a warning names the field once', async (t) => {
  const odd = (uuid: string) =>
    new Writer().message(1, new Writer().message(1, timestamp(Date.parse('2026-03-01T12:00:09Z'))).uint(2, 99).string(34, uuid)).finish();
  const relay = await startFakeRelay({ rawResponses: [odd('odd-1'), odd('odd-2')] });
  t.after(() => relay.close());
  const c = await history(relay.address);
  assert.equal(c.error, undefined);
  assert.deepEqual(c.flows(), ['odd-1', 'odd-2']);
  const warnings = c.events.filter((e) => e.kind === 'status' && e.state === 'warning').map((e) => (e.kind === 'status' ? e.message : ''));
  assert.deepEqual(warnings, [`server ${relay.address}: flow.verdict: unknown enum value 99 (left out; newer Cilium?)`]);
  const f = c.events.find((e) => e.kind === 'flow');
  assert.ok(f?.kind === 'flow' && f.flow.verdict === undefined);
});
