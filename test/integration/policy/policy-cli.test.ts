// `netscope policy` end to end: the real binary on the demo cluster (test, suggest,
// why), offline objects files, and the live model through the fake API server with
// AdminNetworkPolicies served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeApiServer } from '../../fake-apiserver/server.ts';
import { namespace, networkPolicy, node, pod } from '../../fake-apiserver/fixtures.ts';
import { tempDir, writeKubeconfig } from '../../fake-apiserver/kubeconfig.ts';
import { startHarness, waitFor } from '../k8s/helpers.ts';
import { worldFromStore, resolvePeer } from '../../../src/policy/world.ts';
import { policiesFromStore } from '../../../src/policy/from-store.ts';
import { compilePolicies } from '../../../src/policy/policy-set.ts';
import { PolicyEngine } from '../../../src/policy/engine.ts';

const BIN = join(import.meta.dirname, '../../../bin/netscope');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...process.env, KUBECONFIG: '', HOME: '/nonexistent' }, timeout: 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test('policy why -o json on the demo: denied on the destination ingress, with the isolating policy', async () => {
  const r = await run(['policy', 'why', '--demo', '--from', 'shop/toolbox', '--to', 'shop/paymentservice:50051', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const a = JSON.parse(r.stdout);
  assert.equal(a.verdict, 'denied');
  assert.equal(a.egress.verdict, 'allowed');
  assert.equal(a.ingress.verdict, 'denied');
  assert.deepEqual(a.ingress.policies, [{ kind: 'NetworkPolicy', name: 'shop/paymentservice-ingress' }]);
  const ok = JSON.parse((await run(['policy', 'why', '--demo', '--from', 'shop/checkoutservice', '--to', 'shop/paymentservice:50051', '-o', 'json'])).stdout);
  assert.equal(ok.verdict, 'allowed');
  assert.equal(ok.ingress.rules[0].rule, 'from podSelector app=checkoutservice; ports 50051/TCP');
});

test('policy test on the demo lists the connections a draft would deny, grouped by edge', async () => {
  const dir = tempDir();
  try {
    const draft = join(dir, 'draft.yaml');
    writeFileSync(draft, 'kind: NetworkPolicy\nmetadata: {name: cart-lockdown, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: cartservice}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: checkoutservice}}}]\n    ports: [{port: 7070}]\n');
    const r = await run(['policy', 'test', draft, '--demo', '--history', '120']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^added: NetworkPolicy shop\/cart-lockdown$/m);
    assert.match(r.stdout, /^would deny shop\/frontend-\S+ -> shop\/cartservice-\S+:7070\/TCP \([\d,]+ flows in the last \d+ (s|min); was allowed; denied by shop\/cart-lockdown\)$/m);
    // Checkout is admitted by the draft: it must not be listed.
    assert.doesNotMatch(r.stdout, /checkoutservice-\S+ -> shop\/cartservice/);
    // --delete of the demo's own policy: the toolbox's denied attempts would go through.
    writeFileSync(draft, 'kind: NetworkPolicy\nmetadata: {name: paymentservice-ingress, namespace: shop}\n');
    const d = await run(['policy', 'test', draft, '--delete', '--demo', '--history', '120', '-o', 'json']);
    assert.equal(d.code, 0, d.stderr);
    const j = JSON.parse(d.stdout);
    assert.deepEqual(j.draft, [{ kind: 'removed', policy: 'NetworkPolicy shop/paymentservice-ingress' }]);
    assert.ok(j.changes.some((c: { from: string; to: string; after: string }) => /toolbox/.test(c.from) && /paymentservice/.test(c.to) && c.after === 'allowed'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('policy suggest on the demo: policy test of the suggestion turns no allowed flow denied', async () => {
  const dir = tempDir();
  try {
    const s = await run(['policy', 'suggest', '--demo', '-n', 'shop', '--history', '120']);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /kind: NetworkPolicy/);
    assert.match(s.stdout, /name: netscope-cartservice/);
    const file = join(dir, 'suggested.yaml');
    writeFileSync(file, s.stdout);
    const t = await run(['policy', 'test', file, '--demo', '--history', '120', '-o', 'json']);
    assert.equal(t.code, 0, t.stderr);
    const j = JSON.parse(t.stdout);
    assert.ok(j.draft.length >= 10, 'one policy per workload');
    assert.ok(j.evaluated > 1000);
    assert.deepEqual(j.changes.filter((c: { before: string; after: string }) => c.before === 'allowed' && c.after !== 'allowed'), []);
    // A stricter draft (the checkout-only cart policy) does change verdicts: the check can fail.
    writeFileSync(file, 'kind: NetworkPolicy\nmetadata: {name: netscope-cartservice, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: cartservice}}\n  policyTypes: [Ingress]\n');
    const strict = JSON.parse((await run(['policy', 'test', file, '--demo', '--history', '120', '-o', 'json'])).stdout);
    assert.ok(strict.changes.some((c: { before: string; after: string }) => c.before === 'allowed' && c.after === 'denied'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('policy why --objects offline: a broken policy is one line with file:line, the rest still decides (exit 3)', async () => {
  const dir = tempDir();
  try {
    const f = join(dir, 'objects.yaml');
    writeFileSync(
      f,
      [
        'kind: List',
        'items:',
        '- {kind: Namespace, metadata: {name: shop}}',
        '- {kind: Pod, metadata: {name: web, namespace: shop, labels: {app: web}}, spec: {nodeName: n1}, status: {phase: Running, podIP: 10.0.0.1}}',
        '- {kind: Pod, metadata: {name: db, namespace: shop, labels: {app: db}}, spec: {nodeName: n1, containers: [{name: db, ports: [{name: pg, containerPort: 5432}]}]}, status: {phase: Running, podIP: 10.0.0.2}}',
        '- kind: NetworkPolicy',
        '  metadata: {name: db-in, namespace: shop}',
        '  spec: {podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: pg}]}]}',
        '- kind: NetworkPolicy',
        '  metadata: {name: broken, namespace: shop}',
        '  spec: {podSelector: {matchLabels: {app: db}}, ingress: [{ports: [{port: 5432, endPort: 80}]}]}',
      ].join('\n'),
    );
    const r = await run(['policy', 'why', '--objects', f, '--from', 'shop/web', '--to', 'shop/db:5432']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /objects\.yaml:11: NetworkPolicy shop\/broken: spec\.ingress\[0\]\.ports\[0\]\.endPort: endPort 80 is below port 5432 \(policy left out\)/);
    assert.match(r.stdout, /shop\/web -> shop\/db:5432\/TCP: ALLOWED/);
    assert.match(r.stdout, /rule NetworkPolicy shop\/db-in ingress\[0\]: from podSelector app=web; ports pg\/TCP/);
    const ip = await run(['policy', 'why', '--objects', f, '--from', '203.0.113.7', '--to', 'shop/db:5432']);
    assert.match(ip.stdout, /203\.0\.113\.7 -> shop\/db:5432\/TCP: DENIED/);
    const bad = await run(['policy', 'why', '--objects', f, '--from', 'shop/nope', '--to', 'shop/db:5432']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^netscope: --from shop\/nope: no such pod$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the live model lists AdminNetworkPolicies when served, and the engine decides with them', async () => {
  const h = await startHarness({ adminPolicies: true }, {}, (s) => {
    s.apply('namespaces', namespace('shop'));
    s.apply('namespaces', namespace('ops'));
    s.apply('nodes', node('node-1', '192.168.0.1'));
    s.apply('pods', pod('shop', 'web', '10.0.0.1', { labels: { app: 'web' } }));
    s.apply('pods', pod('ops', 'probe', '10.0.1.1', { labels: { app: 'probe' } }));
    s.apply('networkpolicies', { ...networkPolicy('shop', 'open'), spec: { podSelector: {}, ingress: [{}] } });
    s.apply('adminnetworkpolicies', {
      metadata: { name: 'no-ops' },
      spec: { priority: 10, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }, ingress: [{ name: 'ops-out', action: 'Deny', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } }] }] },
    });
  });
  try {
    await h.model.settled();
    await waitFor('the AdminNetworkPolicy in the model', () => h.model.store.count('AdminNetworkPolicy') === 1);
    const world = worldFromStore(h.model.store);
    const engine = new PolicyEngine(world, compilePolicies(policiesFromStore(h.model.store)));
    const a = engine.evaluate({ from: resolvePeer(world, 'ops/probe')!, to: resolvePeer(world, 'shop/web')!, port: 80, protocol: 'TCP' });
    assert.equal(a.verdict, 'denied');
    assert.match(a.ingress.reason, /denied by AdminNetworkPolicy no-ops \(priority 10\) ingress\[0\] "ops-out"/);
    // A watch event removes it and the answer follows the model.
    h.server.remove('adminnetworkpolicies', '', 'no-ops');
    await waitFor('the AdminNetworkPolicy gone', () => h.model.store.count('AdminNetworkPolicy') === 0);
    const e2 = new PolicyEngine(worldFromStore(h.model.store), compilePolicies(policiesFromStore(h.model.store)));
    assert.equal(e2.evaluate({ from: resolvePeer(e2.world, 'ops/probe')!, to: resolvePeer(e2.world, 'shop/web')!, port: 80, protocol: 'TCP' }).verdict, 'allowed');
  } finally {
    await h.close();
  }
});

test('without the CRDs the AdminNetworkPolicy kinds are absent, not errors', async () => {
  const h = await startHarness({}, {}, (s) => s.apply('namespaces', namespace('shop')));
  try {
    await h.model.settled();
    const st = h.model.resourceStates.find((s) => s.kind === 'AdminNetworkPolicy');
    assert.equal(st?.status.state, 'absent');
    assert.ok(!h.server.requests.some((r) => r.path === '/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies'), 'never listed');
  } finally {
    await h.close();
  }
});

test('policy why against the live cluster through the kubeconfig', async () => {
  const server = new FakeApiServer();
  server.apply('namespaces', namespace('shop'));
  server.apply('nodes', node('node-1', '192.168.0.1'));
  server.apply('pods', pod('shop', 'web', '10.0.0.1', { labels: { app: 'web' } }));
  server.apply('pods', pod('shop', 'db', '10.0.0.2', { labels: { app: 'db' } }));
  server.apply('networkpolicies', { ...networkPolicy('shop', 'db-deny', { app: 'db' }) });
  const url = await server.start();
  const dir = tempDir();
  try {
    const kubeconfig = writeKubeconfig(dir, 'config', [{ name: 'test', server: url, namespace: 'shop' }]);
    const r = await run(['policy', 'why', '--kubeconfig', kubeconfig, '--from', 'web', '--to', 'db:5432', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const a = JSON.parse(r.stdout);
    assert.equal(a.verdict, 'denied');
    assert.deepEqual(a.ingress.policies, [{ kind: 'NetworkPolicy', name: 'shop/db-deny' }]);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
