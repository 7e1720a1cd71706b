// The in-cluster service account's credentials: read from its files on every request
// (bound tokens rotate), the CA only for HTTPS, and one line naming a bad file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inClusterServer, loadInCluster } from '../../../src/k8s/in-cluster.ts';
import { writeServiceAccount } from '../../fake-apiserver/kubeconfig.ts';

function withServiceAccount(fn: (dir: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'netscope-sa-'));
  const dir = writeServiceAccount(join(root, 'serviceaccount'), { token: 'token-1\n', ca: 'CA PEM' });
  return fn(dir).finally(() => rmSync(root, { recursive: true, force: true }));
}

test('in cluster: the server from KUBERNETES_SERVICE_HOST/PORT, HTTP only on the ports kubectl treats so', () => {
  assert.equal(inClusterServer({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }), 'https://10.96.0.1:443');
  assert.equal(inClusterServer({ KUBERNETES_SERVICE_HOST: '10.96.0.1' }), 'https://10.96.0.1:443');
  assert.equal(inClusterServer({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }), 'https://[fd00::1]:6443');
  assert.equal(inClusterServer({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '8080' }), 'http://10.0.0.1:8080');
});

test('in cluster: the bearer token is re-read per request (it rotates); the CA is given for HTTPS', () =>
  withServiceAccount(async (dir) => {
    const t = loadInCluster({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountDir: dir });
    assert.equal(t.kc, undefined);
    assert.equal(t.namespace, 'default');
    const first: https.RequestOptions = { headers: { Accept: 'application/json' } };
    await t.auth.apply(first);
    assert.deepEqual(first.headers, { Accept: 'application/json', Authorization: 'Bearer token-1' });
    assert.equal(first.ca, 'CA PEM');
    writeFileSync(join(dir, 'token'), 'token-2');
    const second: https.RequestOptions = {};
    await t.auth.apply(second);
    assert.deepEqual(second.headers, { Authorization: 'Bearer token-2' });
  }));

test('in cluster over plain HTTP: a token and no CA', () =>
  withServiceAccount(async (dir) => {
    const t = loadInCluster({ env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '8001' }, serviceAccountDir: dir });
    const opts: https.RequestOptions = {};
    await t.auth.apply(opts);
    assert.equal(opts.ca, undefined);
    assert.deepEqual(opts.headers, { Authorization: 'Bearer token-1' });
  }));

test('in cluster: an empty or missing token file is one line naming it', () =>
  withServiceAccount(async (dir) => {
    const t = loadInCluster({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, serviceAccountDir: dir });
    writeFileSync(join(dir, 'token'), '\n');
    await assert.rejects(t.auth.apply({}), { message: `service account token ${join(dir, 'token')} is empty` });
    rmSync(join(dir, 'token'));
    await assert.rejects(t.auth.apply({}), { message: `service account token ${join(dir, 'token')}: cannot read (ENOENT)` });
  }));
