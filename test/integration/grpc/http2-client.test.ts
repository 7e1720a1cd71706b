// The GetFlows transport on node:http2 (src/grpc/http2/) against peers made here with
// Node's own http2 and net servers (not netscope's server): what it sends (headers,
// window, RST_STREAM on cancel), messages in batches, and every way a peer can answer
// wrongly, each one line naming the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { createGrpcSource } from '../../../src/sources/grpc.ts';
import { createStreamClient } from '../../../src/grpc/http2/client.ts';
import { fakeFlow, encodeFlow, response } from '../../hubble-relay-fake/server.ts';
import { until, within } from '../../wait.ts';
import { collect } from './events.ts';

const NO_FILTER = { allow: [], deny: [] };
/** A gRPC frame built by hand: flag byte, big-endian length, message. */
const frame = (msg: Buffer, flag = 0): Buffer => Buffer.concat([Buffer.from([flag, msg.length >>> 24, (msg.length >>> 16) & 255, (msg.length >>> 8) & 255, msg.length & 255]), msg]);
const flowMsg = (n: number): Buffer => { const f = fakeFlow(n); return response(1, encodeFlow(f), f.node, f.timeMs); };

async function h2Server(onStream: (s: http2.ServerHttp2Stream, h: http2.IncomingHttpHeaders, session: http2.Http2Session) => void) {
  const srv = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  srv.on('session', (s) => {
    sessions.add(s);
    s.on('error', () => {});
  });
  srv.on('stream', (s, h) => {
    s.on('error', () => {});
    onStream(s, h, s.session!);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    address: `127.0.0.1:${(srv.address() as net.AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        srv.close(() => r());
        for (const s of sessions) s.destroy();
      }),
  };
}

async function historyLine(server: string): Promise<{ flows: string[]; error: string | undefined }> {
  const c = collect(createGrpcSource({ server, filters: NO_FILTER, number: 10, follow: false }));
  await c.waitFor('the end or an error', () => c.completed || c.error !== undefined);
  c.stop();
  return { flows: c.flows(), error: c.error === undefined ? undefined : String((c.error as Error).message) };
}

test('the request: POST to the method, gRPC headers, one framed message; a 256 KiB window; the messages of one write arrive as one batch', async (t) => {
  let seen: http2.IncomingHttpHeaders | undefined;
  let body = Buffer.alloc(0);
  let window: number | undefined;
  const srv = await h2Server((s, h, session) => {
    seen = h;
    window = session.remoteSettings.initialWindowSize;
    s.on('data', (d: Buffer) => (body = Buffer.concat([body, d])));
    s.on('end', () => {
      s.respond({ ':status': 200, 'content-type': 'application/grpc+proto' }, { waitForTrailers: true });
      s.once('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
      s.end(Buffer.concat([frame(flowMsg(1)), frame(flowMsg(2)), frame(flowMsg(3))]));
    });
  });
  t.after(() => srv.close());
  const client = createStreamClient({ target: srv.address });
  t.after(() => client.close());
  const batches: number[] = [];
  const err = await within('the end of the call', 5000, new Promise<Error | undefined>((resolve) => {
    client.serverStream('/observer.Observer/GetFlows', Buffer.from([8, 3]), { onHeaders: () => {}, onMessages: (m) => batches.push(m.length), onEnd: resolve }, 1500);
  }));
  assert.equal(err, undefined);
  assert.deepEqual(batches, [3], 'three messages in one DATA chunk: one batch');
  assert.equal(seen![':method'], 'POST');
  assert.equal(seen![':path'], '/observer.Observer/GetFlows');
  assert.equal(seen![':authority'], srv.address);
  assert.equal(seen!['content-type'], 'application/grpc');
  assert.equal(seen!.te, 'trailers');
  assert.equal(seen!['grpc-accept-encoding'], 'identity');
  assert.equal(seen!['grpc-timeout'], '1500m');
  assert.deepEqual([...body], [0, 0, 0, 0, 2, 8, 3]);
  assert.equal(window, 256 * 1024);
});

test('cancel sends RST_STREAM(CANCEL)', async (t) => {
  let rst: number | undefined;
  const srv = await h2Server((s) => {
    s.respond({ ':status': 200, 'content-type': 'application/grpc' });
    s.write(frame(flowMsg(1)));
    s.on('close', () => (rst = s.rstCode));
  });
  t.after(() => srv.close());
  const client = createStreamClient({ target: srv.address });
  t.after(() => client.close());
  let ended = false;
  const call = client.serverStream('/observer.Observer/GetFlows', Buffer.alloc(0), { onHeaders: () => {}, onMessages: () => call.cancel(), onEnd: () => (ended = true) });
  await until('the server to see the reset', () => rst !== undefined, 5000);
  assert.equal(rst, http2.constants.NGHTTP2_CANCEL);
  assert.equal(ended, false, 'a cancelled call does not report an end');
});

test('grpc-status errors with percent-encoded messages, in trailers and trailers-only; flows before the error are kept', async (t) => {
  const trailers = await h2Server((s) => {
    s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    s.once('wantTrailers', () => s.sendTrailers({ 'grpc-status': '7', 'grpc-message': 'not allowed: 100%25 of %E2%9C%97 denied' }));
    s.end(frame(flowMsg(1)));
  });
  t.after(() => trailers.close());
  assert.deepEqual(await historyLine(trailers.address), { flows: ['flow-1'], error: `server ${trailers.address}: PERMISSION_DENIED: not allowed: 100% of ✗ denied` });
  const only = await h2Server((s) => s.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '14', 'grpc-message': 'no%20healthy%20upstream' }, { endStream: true }));
  t.after(() => only.close());
  assert.deepEqual(await historyLine(only.address), { flows: [], error: `server ${only.address}: UNAVAILABLE: no healthy upstream` });
});

test('an HTTP/2 server that is not gRPC: a web page, a 404, no status at the end, a message cut short', async (t) => {
  const web = await h2Server((s) => {
    s.respond({ ':status': 200, 'content-type': 'text/html' });
    s.end('<html></html>');
  });
  t.after(() => web.close());
  assert.equal((await historyLine(web.address)).error, `server ${web.address}: not a gRPC server (it answered with content-type "text/html")`);
  const notFound = await h2Server((s) => {
    s.respond({ ':status': 404 });
    s.end();
  });
  t.after(() => notFound.close());
  assert.match((await historyLine(notFound.address)).error ?? '', new RegExp(`^server ${notFound.address}: the server does not speak gRPC over HTTP/2 \\(Received HTTP status code 404\\)`));
  const noStatus = await h2Server((s) => {
    s.respond({ ':status': 200, 'content-type': 'application/grpc' });
    s.end(frame(flowMsg(1)));
  });
  t.after(() => noStatus.close());
  assert.deepEqual(await historyLine(noStatus.address), { flows: ['flow-1'], error: `server ${noStatus.address}: UNKNOWN: the server ended the response without a grpc-status` });
  const cut = await h2Server((s) => {
    s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    s.once('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
    s.end(frame(flowMsg(2)).subarray(0, 20));
  });
  t.after(() => cut.close());
  assert.equal((await historyLine(cut.address)).error, `server ${cut.address}: INTERNAL: the stream ended in the middle of a message`);
});

test('a compressed message is refused with one line (netscope asks for identity)', async (t) => {
  const srv = await h2Server((s) => {
    s.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-encoding': 'gzip' }, { waitForTrailers: true });
    s.once('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
    s.end(Buffer.concat([frame(flowMsg(1)), frame(Buffer.from([0x1f, 0x8b, 8, 0]), 1)]));
  });
  t.after(() => srv.close());
  assert.deepEqual(await historyLine(srv.address), {
    flows: ['flow-1'],
    error: `server ${srv.address}: INTERNAL: the server sent a compressed message (grpc-encoding: gzip); netscope accepts only identity`,
  });
});

test('an HTTP/1 server', async (t) => {
  const srv = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  const addr = `127.0.0.1:${(srv.address() as net.AddressInfo).port}`;
  assert.equal((await historyLine(addr)).error, `server ${addr}: the server does not speak gRPC over HTTP/2 (Protocol error); TLS on one side only?`);
});

test('a connection that dies without a word is noticed by keepalive pings', async (t) => {
  // A TCP server that accepts and then reads nothing and says nothing: no SETTINGS, no PING answer.
  const silent = net.createServer((s) => s.on('error', () => {}));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.after(() => silent.close());
  const addr = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
  const client = createStreamClient({ target: addr, keepaliveMs: 100, keepaliveTimeoutMs: 200 });
  t.after(() => client.close());
  const err = await within('the call to fail', 5000, new Promise<Error | undefined>((resolve) => {
    client.serverStream('/observer.Observer/GetFlows', Buffer.alloc(0), { onHeaders: () => {}, onMessages: () => {}, onEnd: resolve });
  }));
  assert.match(String(err?.message), /connection (lost|closed)|keepalive|Failed to connect/);
});
