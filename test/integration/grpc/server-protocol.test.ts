// netscope's gRPC server (node:http2, src/grpc/http2/grpc-server.ts) checked from the
// outside: grpc-js' client (an implementation independent of the server) for every
// method, a deadline, a cancel, TLS with ALPN; and Node's raw http2 client for what a
// gRPC client library never sends: a missing `te`, a wrong content-type, GET, a
// compressed or oversized request, an unknown method, and GOAWAY when the server closes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { Subject } from 'rxjs';
import type { SourceEvent } from '../../../src/model/source.ts';
import { startObserverServer } from '../../../src/grpc/server.ts';
import { createObserverClient } from '../../../src/grpc/client.ts';
import { OBSERVER_SERVICE, type Msg } from '../../../src/grpc/services.ts';
import { T } from '../../../src/grpc/schema.ts';
import { until, within } from '../../wait.ts';
import { makePki } from './certs.ts';

const flow = (n: number): SourceEvent => ({ kind: 'flow', flow: { time: new Date(Date.parse('2026-02-01T08:00:00Z') + n).toISOString(), uuid: `u-${n}`, verdict: 'FORWARDED' } });

async function serve(t: import('node:test').TestContext, tls?: Parameters<typeof startObserverServer>[0]['tls']) {
  const source = new Subject<SourceEvent>();
  const server = await startObserverServer({ source, listen: ['127.0.0.1:0'], tls, bufferSize: 100, nodeName: 'proto-node', version: 'test' });
  t.after(() => server.close());
  for (let n = 1; n <= 3; n++) source.next(flow(n));
  return { source, server, address: server.addresses[0]! };
}

const Observer = grpc.makeGenericClientConstructor(OBSERVER_SERVICE, 'Observer');
type Raw = grpc.Client & Record<string, (...a: unknown[]) => unknown>;

test('grpc-js client: GetFlows history ends OK; GetNodes, ServerStatus, GetNamespaces answer; GetAgentEvents is UNIMPLEMENTED', async (t) => {
  const { address } = await serve(t);
  const c = new Observer(address, grpc.credentials.createInsecure()) as unknown as Raw;
  t.after(() => c.close());
  const got: string[] = [];
  const status = await within('the end of GetFlows', 5000, new Promise<grpc.StatusObject>((resolve) => {
    // The shared method table hands GetFlows responses over as bytes: protobufjs reads them here.
    const call = c.GetFlows!({ number: 10 }) as grpc.ClientReadableStream<Buffer>;
    call.on('data', (b: Buffer) => got.push(String(((T.GetFlowsResponse.decode(b) as unknown as Msg).flow as Msg).uuid)));
    call.on('status', resolve);
    call.on('error', () => {});
  }));
  assert.equal(status.code, grpc.status.OK);
  assert.deepEqual(got, ['u-1', 'u-2', 'u-3']);
  const unary = (name: string): Promise<Msg> =>
    new Promise((resolve, reject) => (c[name] as (r: Msg, cb: (e: grpc.ServiceError | null, r?: Msg) => void) => void).call(c, {}, (e, r) => (e ? reject(e) : resolve(r!))));
  assert.equal(((await unary('GetNodes')).nodes as Msg[])[0]!.name, 'proto-node');
  assert.equal((await unary('ServerStatus')).num_flows, 3);
  assert.deepEqual((await unary('GetNamespaces')).namespaces, []);
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  t.after(() => client.close());
  const err = await new Promise<grpc.ServiceError>((resolve) =>
    client.makeUnaryRequest('/observer.Observer/GetAgentEvents', (x: Buffer) => x, (b: Buffer) => b, Buffer.alloc(0), (e) => resolve(e!)),
  );
  assert.equal(err.code, grpc.status.UNIMPLEMENTED);
  assert.match(err.details, /does not implement the method \/observer\.Observer\/GetAgentEvents/);
});

test('grpc-js client: an invalid request is INVALID_ARGUMENT with its message (percent-encoded on the wire)', async (t) => {
  const { address } = await serve(t);
  const c = createObserverClient({ target: address });
  t.after(() => c.close());
  const err = await new Promise<grpc.ServiceError>((resolve) => {
    const call = c.getFlows({ first: true, follow: true });
    call.on('data', () => {});
    call.on('error', resolve);
  });
  assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
  assert.equal(err.details, 'first is not compatible with follow');
  const bad = await new Promise<grpc.ServiceError>((resolve) => {
    const call = c.getFlows({ whitelist: [{ source_pod: ['ünï/cödé\n'] , source_ip: ['%zz'] }] });
    call.on('data', () => {});
    call.on('error', resolve);
  });
  assert.equal(bad.code, grpc.status.INVALID_ARGUMENT);
  assert.match(bad.details, /%zz/);
});

test('grpc-js client: cancel and a deadline both end a follow stream on the server', async (t) => {
  const { server, address } = await serve(t);
  const c = new Observer(address, grpc.credentials.createInsecure()) as unknown as Raw;
  t.after(() => c.close());
  const call = c.GetFlows!({ follow: true }) as grpc.ClientReadableStream<Msg>;
  call.on('data', () => {});
  call.on('error', () => {});
  await until('the follower registered', () => server.stats().subscribers === 1, 5000);
  call.cancel();
  await until('the cancelled follower gone', () => server.stats().subscribers === 0, 5000);
  const timed = c.GetFlows!({ follow: true }, { deadline: Date.now() + 300 }) as grpc.ClientReadableStream<Msg>;
  timed.on('data', () => {});
  const err = await within('the deadline', 5000, new Promise<grpc.ServiceError>((resolve) => timed.on('error', resolve)));
  assert.equal(err.code, grpc.status.DEADLINE_EXCEEDED);
  await until('the timed-out follower gone', () => server.stats().subscribers === 0, 5000);
});

test('grpc-js client over TLS (ALPN h2) and mTLS', async (t) => {
  const pki = makePki();
  t.after(() => pki.cleanup());
  const { address } = await serve(t, { certFile: pki.serverCert, keyFile: pki.serverKey, clientCaFiles: [pki.ca] });
  const c = createObserverClient({ target: address, tls: { caFiles: [pki.ca], certFile: pki.clientCert, keyFile: pki.clientKey } });
  t.after(() => c.close());
  assert.equal((await c.serverStatus()).num_flows, 3);
});

/** One raw HTTP/2 request; the response headers, trailers and body. */
async function raw(address: string, headers: http2.OutgoingHttpHeaders, body: Buffer) {
  const session = http2.connect(`http://${address}`);
  session.on('error', () => {});
  try {
    return await within('the raw response', 5000, new Promise<{ headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const s = session.request({ ':method': 'POST', ':path': '/observer.Observer/ServerStatus', 'content-type': 'application/grpc', te: 'trailers', ...headers });
      let h: http2.IncomingHttpHeaders = {};
      let tr: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      s.on('response', (x) => (h = x));
      s.on('trailers', (x) => (tr = x));
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('close', () => resolve({ headers: h, trailers: tr, body: Buffer.concat(chunks) }));
      s.on('error', reject);
      if (headers[':method'] !== 'GET') s.end(body); // a GET request is ended by Node with its headers
    }));
  } finally {
    session.close();
  }
}
const EMPTY = Buffer.from([0, 0, 0, 0, 0]);

test('raw HTTP/2: a good request gets headers, one framed message and grpc-status 0 in trailers', async (t) => {
  const { address } = await serve(t);
  const r = await raw(address, {}, EMPTY);
  assert.equal(r.headers[':status'], 200);
  assert.equal(r.headers['content-type'], 'application/grpc');
  assert.equal(r.trailers['grpc-status'], '0');
  assert.equal(r.body[0], 0);
  assert.equal(r.body.readUInt32BE(1), r.body.length - 5);
  const proto = await raw(address, { 'content-type': 'application/grpc+proto' }, EMPTY);
  assert.equal(proto.trailers['grpc-status'], '0', 'application/grpc+proto is gRPC too');
});

test('raw HTTP/2: what a gRPC server refuses, each as a trailers-only status', async (t) => {
  const { address } = await serve(t);
  const noTe = await raw(address, { te: undefined }, EMPTY);
  assert.equal(noTe.headers['grpc-status'], '13');
  assert.match(decodeURIComponent(String(noTe.headers['grpc-message'])), /te: trailers/);
  const json = await raw(address, { 'content-type': 'application/json' }, Buffer.from('{}'));
  assert.equal(json.headers[':status'], 415);
  const get = await raw(address, { ':method': 'GET' }, Buffer.alloc(0));
  assert.equal(get.headers[':status'], 405);
  const unknown = await raw(address, { ':path': '/nope.Svc/Nothing' }, EMPTY);
  assert.equal(unknown.headers['grpc-status'], '12');
  const compressed = await raw(address, { 'grpc-encoding': 'gzip' }, Buffer.from([1, 0, 0, 0, 1, 0]));
  assert.equal(compressed.headers['grpc-status'], '12');
  const big = await raw(address, {}, Buffer.from([0, 0, 0x50, 0, 0]));
  assert.equal(big.headers['grpc-status'], '8');
  const none = await raw(address, {}, Buffer.alloc(0));
  assert.equal(none.headers['grpc-status'], '13');
  const timeout = await raw(address, { 'grpc-timeout': 'soon' }, EMPTY);
  assert.equal(timeout.headers['grpc-status'], '13');
  for (const r of [noTe, unknown, compressed, big, none, timeout]) assert.equal(r.body.length, 0);
});

test('raw HTTP/2: the server itself ends a follow stream at its grpc-timeout, with DEADLINE_EXCEEDED in trailers', async (t) => {
  const { server, address } = await serve(t);
  const follow = Buffer.from([0, 0, 0, 0, 2, 0x18, 0x01]); // GetFlowsRequest{follow: true}
  const r = await raw(address, { ':path': '/observer.Observer/GetFlows', 'grpc-timeout': '200m' }, follow);
  assert.equal(r.headers[':status'], 200);
  assert.equal(r.trailers['grpc-status'], '4');
  assert.equal(server.stats().subscribers, 0);
});

test('close sends GOAWAY to connected clients', async (t) => {
  const source = new Subject<SourceEvent>();
  const server = await startObserverServer({ source, listen: ['127.0.0.1:0'], bufferSize: 10, nodeName: 'n', version: 'test' });
  const session = http2.connect(`http://${server.addresses[0]}`);
  session.on('error', () => {});
  t.after(() => session.destroy());
  await within('connected', 5000, new Promise((r) => session.once('remoteSettings', r)));
  const goaway = within('GOAWAY', 5000, new Promise<number>((r) => session.once('goaway', (code) => r(code))));
  await server.close();
  assert.equal(await goaway, http2.constants.NGHTTP2_NO_ERROR);
});
