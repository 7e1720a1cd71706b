import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasClusterConfig, KubeConfigError, listContexts, loadKubeConfig, switchContext } from '../../../src/k8s/kubeconfig.ts';
import { tempDir, writeKubeconfig, writeServiceAccount } from '../../fake-apiserver/kubeconfig.ts';

function withDir(fn: (dir: string) => void): void {
  const dir = tempDir();
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('KUBECONFIG lists merge like kubectl: first file wins for names and current-context', () =>
  withDir((dir) => {
    const a = writeKubeconfig(dir, 'a', [{ name: 'prod', server: 'https://prod:6443', token: 'a', namespace: 'shop' }]);
    const b = writeKubeconfig(dir, 'b', [
      { name: 'prod', server: 'https://other:6443', token: 'b' },
      { name: 'dev', server: 'https://dev:6443', token: 'c' },
    ]);
    const t = loadKubeConfig({ env: { KUBECONFIG: `${a}:${b}` }, home: dir });
    assert.equal(t.contextName, 'prod');
    assert.equal(t.server, 'https://prod:6443');
    assert.equal(t.namespace, 'shop');
    assert.deepEqual(listContexts(t).map((c) => c.name), ['prod', 'dev']);
    const dev = switchContext(t, 'dev');
    assert.equal(dev.server, 'https://dev:6443');
    assert.equal(dev.namespace, 'default');
    // --kubeconfig beats KUBECONFIG; --context and -n beat the file
    const only = loadKubeConfig({ kubeconfig: b, context: 'dev', namespace: 'ops', env: { KUBECONFIG: a }, home: dir });
    assert.equal(only.server, 'https://dev:6443');
    assert.equal(only.namespace, 'ops');
  }));

test('KUBECONFIG entries that do not exist are skipped like kubectl; --kubeconfig must exist', () =>
  withDir((dir) => {
    const a = writeKubeconfig(dir, 'a', [{ name: 'prod', server: 'https://prod:6443', token: 'a' }]);
    const missing = join(dir, 'gone.yaml');
    const t = loadKubeConfig({ env: { KUBECONFIG: `${missing}:${a}` }, home: dir });
    assert.equal(t.server, 'https://prod:6443');
    // Every listed file missing, or an explicit --kubeconfig missing: a one-line error naming it.
    for (const opts of [{ env: { KUBECONFIG: missing }, home: dir }, { kubeconfig: missing, env: {}, home: dir }]) {
      assert.throws(() => loadKubeConfig(opts), (e: Error) => e instanceof KubeConfigError && e.message.includes(missing) && !e.message.includes('\n'));
    }
  }));

test('unknown context: one line naming it and the available ones', () =>
  withDir((dir) => {
    const a = writeKubeconfig(dir, 'a', [
      { name: 'prod', server: 'https://prod:6443' },
      { name: 'dev', server: 'https://dev:6443' },
    ]);
    assert.throws(() => loadKubeConfig({ kubeconfig: a, context: 'staging' }), (e: Error) => {
      assert.ok(e instanceof KubeConfigError);
      assert.equal(e.message, `context "staging" not found in kubeconfig ${a} (available: prod, dev)`);
      return true;
    });
  }));

test('broken YAML names file and line', () =>
  withDir((dir) => {
    const f = join(dir, 'config');
    writeFileSync(f, 'apiVersion: v1\nclusters:\n  - name: x\n   cluster: [\n');
    assert.throws(() => loadKubeConfig({ kubeconfig: f }), (e: Error) => {
      assert.match(e.message, new RegExp(`^kubeconfig ${f}:\\d+:\\d+: invalid YAML: [^\\n]*[^:\\n]$`));
      assert.ok(!e.message.includes('\n'));
      return true;
    });
  }));

test('missing fields name the field', () =>
  withDir((dir) => {
    const f = join(dir, 'config');
    writeFileSync(f, 'clusters:\n- name: c\n  cluster: {}\ncontexts: []\nusers: []\n');
    assert.throws(() => loadKubeConfig({ kubeconfig: f }), { message: `kubeconfig ${f}: clusters[0].cluster.server is missing` });
    writeFileSync(f, 'current-context: x\nclusters: []\nusers: []\ncontexts:\n- name: x\n  context: {cluster: gone, user: u}\n');
    assert.throws(() => loadKubeConfig({ kubeconfig: f }), {
      message: `kubeconfig ${f}: context "x" names cluster "gone", which is not defined`,
    });
    writeFileSync(f, 'clusters: []\nusers: []\ncontexts: []\n');
    assert.throws(() => loadKubeConfig({ kubeconfig: f }), {
      message: `kubeconfig ${f}: no current-context set; pass --context (the kubeconfig defines no contexts)`,
    });
    writeFileSync(f, '- just\n- a list\n');
    assert.throws(() => loadKubeConfig({ kubeconfig: f }), /not a kubeconfig/);
  }));

test('unreadable file and no kubeconfig at all', () =>
  withDir((dir) => {
    assert.throws(() => loadKubeConfig({ kubeconfig: join(dir, 'nope') }), {
      message: `kubeconfig ${join(dir, 'nope')}: cannot read (ENOENT)`,
    });
    assert.equal(hasClusterConfig({ env: {}, home: dir, serviceAccountDir: join(dir, 'sa') }), false);
    assert.throws(() => loadKubeConfig({ env: {}, home: dir, serviceAccountDir: join(dir, 'sa') }), /no kubeconfig found/);
    mkdirSync(join(dir, '.kube'));
    writeKubeconfig(join(dir, '.kube'), 'config', [{ name: 'home', server: 'https://home:6443' }]);
    assert.equal(hasClusterConfig({ env: {}, home: dir }), true);
    assert.equal(loadKubeConfig({ env: {}, home: dir }).contextName, 'home');
  }));

test('in-cluster: service account token, CA and namespace', () =>
  withDir((dir) => {
    const sa = writeServiceAccount(join(dir, 'var/run/secrets/kubernetes.io/serviceaccount'), { token: 'sa-token', ca: 'ca', namespace: 'netscope\n' });
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    assert.equal(hasClusterConfig({ env, home: dir, serviceAccountDir: sa }), true);
    const t = loadKubeConfig({ env, home: dir, serviceAccountDir: sa });
    assert.equal(t.origin, 'in-cluster');
    assert.equal(t.server, 'https://10.96.0.1:443');
    assert.equal(t.namespace, 'netscope');
  }));

test('names from the kubeconfig are escaped in errors', () =>
  withDir((dir) => {
    const a = writeKubeconfig(dir, 'a', [{ name: 'evil\u001b]0;pwned\u0007', server: 'https://x:6443' }]);
    assert.throws(() => loadKubeConfig({ kubeconfig: a, context: 'nope' }), (e: Error) => {
      assert.ok(!/[\u0000-\u001f]/.test(e.message));
      assert.match(e.message, /available: evil\\e\]0;pwned\\x07/);
      return true;
    });
  }));
