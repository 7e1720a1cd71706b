// Connecting for real: HTTPS with the kubeconfig's CA, bearer tokens, exec credential
// plugins, in-cluster service accounts; and what happens when it goes wrong.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterModel } from '../../../src/k8s/cluster.ts';
import { loadKubeConfig } from '../../../src/k8s/kubeconfig.ts';
import type { ReflectorStatus } from '../../../src/k8s/reflector.ts';
import { clusterStatusLine } from '../../../src/k8s/status-line.ts';
import { KubeTransport } from '../../../src/k8s/transport.ts';
import { namespace, pod } from '../../fake-apiserver/fixtures.ts';
import { tempDir, writeKubeconfig, writeServiceAccount } from '../../fake-apiserver/kubeconfig.ts';
import { FakeApiServer } from '../../fake-apiserver/server.ts';
import { makeSelfSignedCert } from '../../fake-apiserver/tls.ts';
import { FAST_BACKOFF, waitFor } from './helpers.ts';

let tls: { key: string; cert: string };
before(() => {
  tls = makeSelfSignedCert();
});

async function modelFor(kubeconfig: string, opts: { context?: string; env?: NodeJS.ProcessEnv; serviceAccountDir?: string } = {}) {
  const target = loadKubeConfig({ kubeconfig, ...opts });
  const model = new ClusterModel({ transport: new KubeTransport(target), kinds: ['Namespace', 'Pod'], backoff: FAST_BACKOFF, recheckMs: 200 });
  model.start();
  return model;
}

function seed(s: FakeApiServer): void {
  s.apply('namespaces', namespace('shop'));
  s.apply('pods', pod('shop', 'web-1', '10.244.1.10', { labels: { app: 'web' } }));
}

test('HTTPS with the CA from the kubeconfig and a bearer token', async () => {
  const server = new FakeApiServer({ tls, token: 's3cret' });
  seed(server);
  const url = await server.start();
  const dir = tempDir();
  try {
    const kc = writeKubeconfig(dir, 'config', [{ name: 'tls', server: url, caPem: tls.cert, token: 's3cret' }]);
    const model = await modelFor(kc);
    await model.settled();
    assert.equal(model.store.lookup('10.244.1.10')?.podName, 'web-1');
    await model.stop();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an untrusted certificate and a rejected token each give one clear line', async () => {
  const server = new FakeApiServer({ tls, token: 's3cret' });
  seed(server);
  const url = await server.start();
  const dir = tempDir();
  try {
    const noCa = writeKubeconfig(dir, 'noca', [{ name: 'noca', server: url, token: 's3cret' }]);
    const m1 = await modelFor(noCa);
    await m1.settled();
    const s1 = m1.resourceStates[0]!.status;
    assert.equal(s1.state, 'error');
    assert.match(s1.message ?? '', /^TLS error talking to https:\/\/127\.0\.0\.1:\d+: /);
    await m1.stop();

    const badToken = writeKubeconfig(dir, 'bad', [{ name: 'expired', server: url, caPem: tls.cert, token: 'old' }]);
    const m2 = await modelFor(badToken);
    await m2.settled();
    const line = clusterStatusLine('expired', m2.resourceStates, m2.store);
    assert.equal(line.state, 'reconnecting');
    assert.match(line.message, /^context expired: list namespaces: credentials rejected \(401 Unauthorized; expired or invalid token\/certificate\?\); retrying in \d+s$/);
    await m2.stop();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exec credential plugin supplies the token', async () => {
  const server = new FakeApiServer({ token: 'from-plugin' });
  seed(server);
  const url = await server.start();
  const dir = tempDir();
  try {
    const plugin = join(dir, 'cred-plugin');
    writeFileSync(
      plugin,
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-plugin"}}'\n`,
    );
    chmodSync(plugin, 0o755);
    const kc = writeKubeconfig(dir, 'config', [
      { name: 'exec', server: url, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } } },
    ]);
    const model = await modelFor(kc);
    await model.settled();
    assert.equal(model.resourceStates.every((s) => s.status.state === 'synced'), true, JSON.stringify(model.resourceStates));
    assert.equal(model.store.count('Pod'), 1);
    await model.stop();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('in-cluster service account over HTTPS', async () => {
  const server = new FakeApiServer({ tls, token: 'sa-token' });
  seed(server);
  const url = await server.start();
  const dir = tempDir();
  try {
    const sa = writeServiceAccount(join(dir, 'sa'), { token: 'sa-token', ca: tls.cert, namespace: 'shop' });
    const port = new URL(url).port;
    const target = loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port }, home: dir, serviceAccountDir: sa });
    const model = new ClusterModel({ transport: new KubeTransport(target), kinds: ['Pod'], backoff: FAST_BACKOFF });
    model.start();
    await model.settled();
    assert.equal(model.store.count('Pod'), 1);
    await model.stop();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unreachable API server: one line, backoff, then reconnects and catches up', async () => {
  const server = new FakeApiServer();
  seed(server);
  const url = await server.start();
  const port = Number(new URL(url).port);
  await server.stop(); // dead before we connect
  const dir = tempDir();
  try {
    const kc = writeKubeconfig(dir, 'config', [{ name: 'down', server: url }]);
    const target = loadKubeConfig({ kubeconfig: kc });
    const delays: number[] = [];
    const model = new ClusterModel({ transport: new KubeTransport(target), kinds: ['Pod'], backoff: { initialMs: 20, maxMs: 160, jitter: 0 } });
    model.status$.subscribe((states) => {
      const s: ReflectorStatus = states[0]!.status;
      if (s.state === 'error' && s.retryInMs !== undefined) delays.push(s.retryInMs);
    });
    model.start();
    await model.settled();
    const line = clusterStatusLine('down', model.resourceStates, model.store);
    assert.match(line.message, new RegExp(`^context down: API server http://127\\.0\\.0\\.1:${port} unreachable \\(connection refused\\); retrying in 1s$`));
    await waitFor('several retries', () => delays.length >= 5);
    // Exponential backoff, capped.
    assert.deepEqual(delays.slice(0, 5), [20, 40, 80, 160, 160]);

    await server.start(port);
    await waitFor('reconnected', () => model.store.count('Pod') === 1);
    await waitFor('synced', () => model.resourceStates[0]!.status.state === 'synced');
    // Mid-watch outage: the server dies and comes back with changes.
    await waitFor('watching', () => server.openWatches === 1);
    await server.stop();
    server.apply('pods', pod('shop', 'web-2', '10.244.1.11', { labels: { app: 'web' } }));
    await server.start(port);
    await waitFor('caught up', () => model.store.lookup('10.244.1.11')?.podName === 'web-2');
    await model.stop();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a server that accepts connections but never answers times out with one line', async () => {
  const { createServer } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const silent = createServer((sock) => sockets.add(sock)); // never writes a byte
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as import('node:net').AddressInfo).port;
  const dir = tempDir();
  try {
    const kc = writeKubeconfig(dir, 'config', [{ name: 'hang', server: `http://127.0.0.1:${port}` }]);
    const target = loadKubeConfig({ kubeconfig: kc });
    const model = new ClusterModel({ transport: new KubeTransport(target, { responseTimeoutMs: 200 }), kinds: ['Pod'], backoff: FAST_BACKOFF });
    model.start();
    await model.settled();
    assert.equal(model.resourceStates[0]!.status.message, `API server http://127.0.0.1:${port} unreachable (no answer within 200ms)`);
    await model.stop();
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});
