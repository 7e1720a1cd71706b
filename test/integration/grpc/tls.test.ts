// TLS and mTLS between netscope's server and client, with certificates openssl makes
// now; and each way it goes wrong gives one line naming the server and the cause.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Subject } from 'rxjs';
import type { SourceEvent } from '../../../src/model/source.ts';
import { startObserverServer, type ObserverServer } from '../../../src/grpc/server.ts';
import type { ServerTlsFiles, ClientTls } from '../../../src/grpc/tls.ts';
import { createGrpcSource } from '../../../src/sources/grpc.ts';
import { makePki, type TestPki } from './certs.ts';
import { collect } from './events.ts';

let pki: TestPki;
before(() => {
  pki = makePki();
});
after(() => pki.cleanup());

const FLOW: SourceEvent = { kind: 'flow', flow: { time: '2026-02-01T08:00:00Z', uuid: 'tls-1', verdict: 'FORWARDED' } };

async function serve(tls: ServerTlsFiles | undefined): Promise<ObserverServer> {
  const source = new Subject<SourceEvent>();
  const s = await startObserverServer({ source, listen: ['127.0.0.1:0'], tls, bufferSize: 10, nodeName: 'tls-node', version: 'test' });
  source.next(FLOW);
  return s;
}

/** One history request: the flows, or the error line. */
async function fetch(server: string, tls: ClientTls | undefined): Promise<string> {
  const c = collect(createGrpcSource({ server, tls, filters: { allow: [], deny: [] }, number: 5, follow: false }));
  try {
    await c.waitFor('the end or an error', () => c.completed || c.error !== undefined);
  } finally {
    c.stop();
  }
  return c.error !== undefined ? String((c.error as Error).message) : c.flows().join(',');
}

test('TLS: verified against the CA; by IP, by --tls-server-name, or unverified with --tls-allow-insecure', async (t) => {
  const s = await serve({ certFile: pki.serverCert, keyFile: pki.serverKey });
  t.after(() => s.close());
  const a = s.addresses[0]!;
  assert.equal(await fetch(a, { caFiles: [pki.ca] }), 'tls-1');
  assert.equal(await fetch(a, { caFiles: [pki.ca], serverName: 'relay.hubble.test' }), 'tls-1');
  assert.equal(await fetch(a, { allowInsecure: true }), 'tls-1');
  assert.match(await fetch(a, { caFiles: [pki.otherCa] }), new RegExp(`^server ${a}: TLS: the server certificate is not signed by a trusted CA`));
  assert.match(await fetch(a, { caFiles: [pki.ca], serverName: 'wrong.example' }), new RegExp(`^server ${a}: TLS: the server certificate is not for this name`));
  assert.match(await fetch(a, undefined), new RegExp(`^server ${a}: the server closed the connection during setup \\(does it want TLS\\? then add --tls`));
});

test('mTLS: a client certificate signed by the client CA is required', async (t) => {
  const s = await serve({ certFile: pki.serverCert, keyFile: pki.serverKey, clientCaFiles: [pki.ca] });
  t.after(() => s.close());
  const a = s.addresses[0]!;
  assert.equal(await fetch(a, { caFiles: [pki.ca], certFile: pki.clientCert, keyFile: pki.clientKey }), 'tls-1');
  assert.equal(
    await fetch(a, { caFiles: [pki.ca] }),
    `server ${a}: TLS: the server wants a client certificate (--tls-client-cert-file, --tls-client-key-file)`,
  );
});

test('an expired server certificate, and TLS against a plaintext server, each give one clear line', async (t) => {
  const expired = await serve({ certFile: pki.expiredCert, keyFile: pki.expiredKey });
  t.after(() => expired.close());
  assert.equal(await fetch(expired.addresses[0]!, { caFiles: [pki.ca] }), `server ${expired.addresses[0]}: TLS: the server certificate has expired`);
  const plain = await serve(undefined);
  t.after(() => plain.close());
  assert.match(await fetch(plain.addresses[0]!, { caFiles: [pki.ca] }), new RegExp(`^server ${plain.addresses[0]}: TLS handshake failed`));
});

test('certificate files that are missing or not PEM are named with their flag', async () => {
  await assert.rejects(serve({ certFile: '/nonexistent/cert.pem', keyFile: pki.serverKey }), /--tls-cert-file \/nonexistent\/cert.pem: no such file/);
  assert.equal(await fetch('127.0.0.1:1', { caFiles: [pki.serverKey] }), `server 127.0.0.1:1: --tls-ca-cert-files ${pki.serverKey}: not a PEM certificate`);
});
