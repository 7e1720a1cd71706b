// `netscope cluster` end to end: the real binary against the fake API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { FakeApiServer } from '../../fake-apiserver/server.ts';
import { endpointSlice, namespace, networkPolicy, node, pod, service } from '../../fake-apiserver/fixtures.ts';
import { tempDir, writeKubeconfig } from '../../fake-apiserver/kubeconfig.ts';

const BIN = join(import.meta.dirname, '../../../bin/netscope');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...process.env, KUBECONFIG: '', HOME: '/nonexistent' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function withCluster(fn: (kubeconfig: string, server: FakeApiServer) => Promise<void>): Promise<void> {
  const server = new FakeApiServer({ user: 'alice' });
  server.apply('namespaces', namespace('shop'));
  server.apply('nodes', node('node-1', '192.168.0.1'));
  server.apply('pods', pod('shop', 'web-1', '10.0.0.1', { labels: { app: 'web' }, owner: 'Deployment/web' }));
  server.apply('pods', pod('other', 'db-0', '10.0.0.3', { owner: 'StatefulSet/db' }));
  server.apply('services', service('shop', 'web', '10.96.0.1'));
  server.apply('endpointslices', endpointSlice('shop', 'web', [{ ip: '10.0.0.1', pod: 'web-1' }]));
  server.apply('networkpolicies', networkPolicy('shop', 'deny'));
  server.restrict('networkpolicies');
  const url = await server.start();
  const dir = tempDir();
  try {
    await fn(writeKubeconfig(dir, 'config', [{ name: 'fake', server: url, namespace: 'shop' }]), server);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('cluster status lists every resource, says what is forbidden, exits 0', () =>
  withCluster(async (kc) => {
    const r = await run(['cluster', '--kubeconfig', kc]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {2}pods: synced 2$/m);
    assert.match(r.stdout, /^ {2}networkpolicies \(namespace shop\): forbidden - .*User "alice" cannot list/m);
    assert.match(r.stdout, /^ {2}ciliumnetworkpolicies: absent/m);
    assert.equal(r.stderr, 'netscope: context fake: 1 namespaces, 1 nodes, 2 pods, 1 services; no access to networkpolicies (403 Forbidden)\n');
  }));

test('cluster get: namespace of the context by default, -A for all, details by name', () =>
  withCluster(async (kc) => {
    const shop = await run(['cluster', 'get', 'pods', '--kubeconfig', kc]);
    assert.equal(shop.code, 0);
    const lines = shop.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAMESPACE\s+NAME\s+READY\s+STATUS/);
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /^shop\s+web-1\s+1\/1\s+Running\s+0\s+10\.0\.0\.1\s+node-1\s+Deployment\/web/);
    const all = await run(['cluster', 'get', 'po', '-A', '--kubeconfig', kc, '--sort', 'ip']);
    assert.deepEqual(all.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[1]), ['web-1', 'db-0']);
    const one = await run(['cluster', 'get', 'svc', 'web', '--kubeconfig', kc]);
    assert.match(one.stdout, /^Pods\s+web-1$/m);
  }));

test('usage and connection errors: one line, exit 2 or 1', async () => {
  await withCluster(async (kc) => {
    const ctx = await run(['cluster', '--kubeconfig', kc, '--context', 'prod']);
    assert.equal(ctx.code, 2);
    assert.equal(ctx.stderr, `netscope: context "prod" not found in kubeconfig ${kc} (available: fake)\n`);
    const bad = await run(['cluster', 'get', 'pods', '--sort', 'colour', '--kubeconfig', kc]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^netscope: invalid argument "colour" for "--sort" flag: want one of NAMESPACE, NAME, /);
    const kind = await run(['cluster', 'get', 'deployments', '--kubeconfig', kc]);
    assert.equal(kind.code, 2);
    assert.equal(kind.stderr, 'netscope: unknown kind "deployments": want pods, svc, netpol, nodes, ns, ctx\n');
  });
  const dir = tempDir();
  try {
    const dead = writeKubeconfig(dir, 'config', [{ name: 'dead', server: 'http://127.0.0.1:9' }]);
    const r = await run(['cluster', 'get', 'pods', '--kubeconfig', dead, '--timeout', '2']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^netscope: context dead: list [a-z]+: API server http:\/\/127\.0\.0\.1:9 unreachable \(connection refused\)|^netscope: context dead: API server http:\/\/127\.0\.0\.1:9 unreachable \(connection refused\); retrying in \d+s\n$/);
    assert.equal(r.stderr.split('\n').length, 2, 'one line');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('observe --kubeconfig names the flows of an --input-file; alone it says no relay and no agents are there', () =>
  withCluster(async (kc) => {
    const dir = tempDir();
    try {
      const file = join(dir, 'flows.jsonl');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        file,
        JSON.stringify({ flow: { time: '2026-01-01T10:00:00Z', verdict: 'FORWARDED', IP: { source: '10.0.0.1', destination: '10.0.0.3', ipVersion: 'IPv4' }, traffic_direction: 'EGRESS' } }) + '\n',
      );
      const plain = await run(['observe', '--input-file', file, '-o', 'json']);
      assert.equal(JSON.parse(plain.stdout).flow.source, undefined, 'no kubeconfig: nothing to name flows with');
      const named = await run(['observe', '--input-file', file, '--kubeconfig', kc, '-o', 'json']);
      assert.equal(named.code, 0, named.stderr);
      const f = JSON.parse(named.stdout).flow;
      assert.equal(f.source.pod_name, 'web-1');
      assert.deepEqual(f.source.workloads, [{ name: 'web', kind: 'Deployment' }]);
      assert.deepEqual(f.source_service, { name: 'web', namespace: 'shop' });
      assert.equal(f.destination.pod_name, 'db-0');
      assert.equal(f.node_name, 'node-1');
      const alone = await run(['observe', '--kubeconfig', kc]);
      assert.equal(alone.stdout, '');
      // No Hubble Relay, no agents: both said, with how to deploy the agents.
      assert.match(alone.stderr, /no Hubble Relay \(no Service kube-system\/hubble-relay\); reading netscope agents in namespace netscope/);
      assert.match(alone.stderr, /no netscope agent pods .* in namespace netscope: deploy them with `netscope agent manifest \| kubectl apply -f -`/);
      const demo = await run(['observe', '--demo', '--kubeconfig', kc]);
      assert.equal(demo.code, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }));

test('observe with an unreachable cluster and no flows: one line saying which, exit 1', async () => {
  const dir = tempDir();
  try {
    const dead = writeKubeconfig(dir, 'config', [{ name: 'dead', server: 'http://127.0.0.1:9' }]);
    const r = await run(['observe', '--kubeconfig', dead]);
    assert.equal(r.code, 1);
    const lines = r.stderr.trimEnd().split('\n');
    assert.match(lines[0]!, /^netscope: context dead: API server http:\/\/127\.0\.0\.1:9 unreachable \(connection refused\); retrying in \d+s$/);
    assert.match(lines.at(-1)!, /no flow source connected/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
