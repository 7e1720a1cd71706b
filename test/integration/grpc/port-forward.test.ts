// Hubble Relay through the API server's pod port-forward (WebSocket, channel protocol),
// against the fake API server forwarding to a netscope Observer server on loopback:
// -P, the cluster default finding Hubble Relay by itself, and what is said when it
// cannot (no Service, no ready pod, no RBAC).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import type { SourceEvent } from '../../../src/model/source.ts';
import { startObserverServer, type ObserverServer } from '../../../src/grpc/server.ts';
import { createRelayPortForwardSource } from '../../../src/sources/relay-port-forward.ts';
import { FakeApiServer } from '../../fake-apiserver/server.ts';
import { namespace } from '../../fake-apiserver/fixtures.ts';
import { tempDir, writeKubeconfig } from '../../fake-apiserver/kubeconfig.ts';
import { collect } from './events.ts';

const BIN = join(import.meta.dirname, '../../../bin/netscope');
const TOKEN = 'pf-token';
const POD = 'hubble-relay-7d9f8c-x2x4z';

function relayObjects(api: FakeApiServer, ready = true): void {
  api.apply('namespaces', namespace('kube-system'));
  api.apply('services', {
    metadata: { name: 'hubble-relay', namespace: 'kube-system' },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.50', selector: { 'k8s-app': 'hubble-relay' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 'grpc' }] },
  });
  api.apply('pods', {
    metadata: { name: POD, namespace: 'kube-system', labels: { 'k8s-app': 'hubble-relay' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'hubble-relay', ports: [{ name: 'grpc', containerPort: 4245 }] }] },
    status: { phase: 'Running', podIP: '10.0.0.50', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
}

async function setup(t: import('node:test').TestContext, opts: { relay?: boolean; ready?: boolean } = {}) {
  const flows = new Subject<SourceEvent>();
  const relay: ObserverServer = await startObserverServer({ source: flows, listen: ['127.0.0.1:0'], bufferSize: 100, nodeName: 'relay', version: 'test' });
  t.after(() => relay.close());
  for (let n = 1; n <= 5; n++) flows.next({ kind: 'flow', flow: { time: `2026-02-01T08:00:0${n}Z`, uuid: `pf-${n}`, verdict: 'FORWARDED' } });
  const api = new FakeApiServer({ token: TOKEN });
  if (opts.relay !== false) relayObjects(api, opts.ready ?? true);
  api.portForward.targets.set(`kube-system/${POD}`, new Map([[4245, Number(relay.addresses[0]!.split(':')[1])]]));
  const url = await api.start();
  t.after(() => api.stop());
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = writeKubeconfig(dir, 'config', [{ name: 'fake', server: url, token: TOKEN }]);
  return { api, kubeconfig };
}

const request = { filters: { allow: [], deny: [] }, number: 3, follow: false };

test('-P: flows from the Service\'s pod through the API server, which speaks the channel protocol', async (t) => {
  const { api, kubeconfig } = await setup(t);
  const c = collect(createRelayPortForwardSource({ kubeconfig }, { request }));
  t.after(() => c.stop());
  await c.waitFor('the history through the port-forward', () => c.completed || c.error !== undefined);
  assert.equal(c.error, undefined);
  assert.deepEqual(c.flows(), ['pf-3', 'pf-4', 'pf-5']);
  assert.deepEqual(api.portForward.requests[0], { pod: `kube-system/${POD}`, port: 4245, protocol: 'v4.channel.k8s.io' });
  const said = c.events.find((e) => e.kind === 'status' && /port-forward/.test(e.message ?? ''));
  assert.ok(said?.kind === 'status');
  assert.equal(said.message, `Hubble Relay via port-forward to kube-system/${POD}:4245 (context fake)`);
});

test('-P without the Service, or without a ready pod: one line naming the Service and namespace', async (t) => {
  const none = await setup(t, { relay: false });
  const a = collect(createRelayPortForwardSource({ kubeconfig: none.kubeconfig }, { request }));
  await a.waitFor('the error', () => a.error !== undefined);
  assert.equal(String((a.error as Error).message), 'port-forward to Hubble Relay (context fake): no Service kube-system/hubble-relay');
  const notReady = await setup(t, { ready: false });
  const b = collect(createRelayPortForwardSource({ kubeconfig: notReady.kubeconfig }, { request }));
  await b.waitFor('the error', () => b.error !== undefined);
  assert.equal(
    String((b.error as Error).message),
    'port-forward to Hubble Relay (context fake): Service kube-system/hubble-relay has no ready pod (selector k8s-app=hubble-relay)',
  );
});

test('-P without RBAC for pods/portforward: the refusal is shown, then the server error', async (t) => {
  const { api, kubeconfig } = await setup(t);
  api.portForward.forbidden = true;
  const c = collect(createRelayPortForwardSource({ kubeconfig }, { request }));
  t.after(() => c.stop());
  await c.waitFor('the error', () => c.error !== undefined);
  const warnings = c.events.flatMap((e) => (e.kind === 'status' && e.state === 'warning' ? [e.message ?? ''] : []));
  assert.ok(warnings.some((w) => w.startsWith(`port-forward to kube-system/${POD}: forbidden: needs RBAC create on pods/portforward`)), warnings.join('\n'));
  assert.match(String((c.error as Error).message), /^server kube-system\/hubble-relay: /);
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...process.env, KUBECONFIG: '', HOME: '/nonexistent', TZ: 'UTC', NO_COLOR: '1' }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('observe with a kubeconfig and no source finds Hubble Relay itself; -P asks for it', async (t) => {
  const { kubeconfig } = await setup(t);
  const found = await run(['observe', '--kubeconfig', kubeconfig, '--last', '2', '-o', 'json']);
  assert.equal(found.code, 0, found.stderr);
  assert.deepEqual(found.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { flow: { uuid: string } }).flow.uuid), ['pf-4', 'pf-5']);
  const p = await run(['observe', '-P', '--kubeconfig', kubeconfig, '--first', '1', '-o', 'json']);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /"uuid":"pf-1"/);
});

test('observe with a kubeconfig, no Hubble Relay and no agents says what it looked for, then ends', async (t) => {
  const { kubeconfig } = await setup(t, { relay: false });
  const r = await run(['observe', '--kubeconfig', kubeconfig]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stderr,
    'netscope: no Hubble Relay (no Service kube-system/hubble-relay); reading netscope agents in namespace netscope via port-forward (context fake)\n' +
      'netscope: no netscope agent pods (app.kubernetes.io/name=netscope,app.kubernetes.io/component=agent) in namespace netscope: deploy them with `netscope agent manifest | kubectl apply -f -`\n',
  );
});
