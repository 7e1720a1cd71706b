// The agents through the API server: discovery of the DaemonSet's pods against the fake
// API server, one pod port-forward (WebSocket, channel protocol) per pod to its port 4244,
// answered by a loopback Observer server (the one `netscope serve` and `netscope agent`
// run), read by the real gRPC connector; a pod deleted and recreated. Then the CLI:
// `observe --agents` and the cluster default falling back to the agents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Subject } from 'rxjs';
import { openAgents } from '../../../src/agent/cluster-flows.ts';
import { AGENT_LABELS, OBSERVER_PORT } from '../../../src/agent/manifest.ts';
import { startObserverServer } from '../../../src/grpc/server.ts';
import { loadKubeConfig } from '../../../src/k8s/kubeconfig.ts';
import type { SourceEvent } from '../../../src/model/source.ts';
import { FakeApiServer } from '../../fake-apiserver/server.ts';
import { node, pod } from '../../fake-apiserver/fixtures.ts';
import { tempDir, writeKubeconfig } from '../../fake-apiserver/kubeconfig.ts';
import { collect } from '../grpc/events.ts';
import { BIN } from './helpers.ts';

const TOKEN = 'agents-token';
const agentPod = (name: string, nodeName: string, ip: string) => pod('netscope', name, ip, { labels: { ...AGENT_LABELS }, node: nodeName, owner: 'DaemonSet/netscope-agent' });

/** A loopback Observer server standing for one agent pod, and the fake API server's route to it. */
async function agentServer(t: import('node:test').TestContext, api: FakeApiServer, podName: string, nodeName: string) {
  const flows = new Subject<SourceEvent>();
  const server = await startObserverServer({ source: flows, listen: ['127.0.0.1:0'], bufferSize: 100, nodeName, version: 'test' });
  t.after(() => server.close());
  api.portForward.targets.set(`netscope/${podName}`, new Map([[OBSERVER_PORT, Number(server.addresses[0]!.split(':')[1])]]));
  let n = 0;
  const send = (count: number, at = Date.now()): void => {
    for (let i = 0; i < count; i++) {
      n++;
      flows.next({ kind: 'flow', flow: { time: new Date(at + i).toISOString(), uuid: `${podName}-${n}`, verdict: 'FORWARDED', node_name: nodeName } });
    }
  };
  return { server, send };
}

async function setup(t: import('node:test').TestContext) {
  const api = new FakeApiServer({ token: TOKEN });
  const url = await api.start();
  t.after(() => api.stop());
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = writeKubeconfig(dir, 'config', [{ name: 'fake', server: url, token: TOKEN }]);
  return { api, kubeconfig };
}

test('agents through the API server: one port-forward per DaemonSet pod; a pod deleted and recreated', async (t) => {
  const { api, kubeconfig } = await setup(t);
  for (const [i, n] of ['node-1', 'node-2'].entries()) api.apply('nodes', node(n, `192.168.0.${i + 1}`));
  api.apply('pods', agentPod('netscope-agent-aaaaa', 'node-1', '10.244.1.10'));
  api.apply('pods', agentPod('netscope-agent-bbbbb', 'node-2', '10.244.2.10'));
  const a = await agentServer(t, api, 'netscope-agent-aaaaa', 'node-1');
  const b = await agentServer(t, api, 'netscope-agent-bbbbb', 'node-2');
  const target = loadKubeConfig({ kubeconfig });
  const c = collect(openAgents(target, { request: { filters: { allow: [], deny: [] }, follow: true, number: 0 } }, ''));
  // Stopped before the servers close (their close waits for the streams).
  try {
  const connected = (n: string): number => c.events.filter((e) => e.kind === 'node-status' && e.node_name === n && e.status.state_change === 'NODE_CONNECTED').length;
  await c.waitFor('both agents connected', () => connected('node-1') >= 1 && connected('node-2') >= 1, 20_000);
  a.send(3);
  b.send(3);
  await c.waitFor('3 flows from each agent', () => c.flows().length === 6, 20_000);
  assert.deepEqual(c.flows().sort(), ['netscope-agent-aaaaa-1', 'netscope-agent-aaaaa-2', 'netscope-agent-aaaaa-3', 'netscope-agent-bbbbb-1', 'netscope-agent-bbbbb-2', 'netscope-agent-bbbbb-3']);
  const forwards = () => api.portForward.requests.map((r) => `${r.pod}:${r.port}`);
  assert.deepEqual([...new Set(forwards())].sort(), ['netscope/netscope-agent-aaaaa:4244', 'netscope/netscope-agent-bbbbb:4244']);
  const first = c.events.find((e) => e.kind === 'status');
  assert.ok(first?.kind === 'status');
  assert.equal(first.message, 'reading netscope agents in namespace netscope via port-forward (context fake)');

  // node-2's pod is deleted and the DaemonSet makes a new one (another name, another server).
  api.remove('pods', 'netscope', 'netscope-agent-bbbbb');
  const b2 = await agentServer(t, api, 'netscope-agent-ccccc', 'node-2');
  api.apply('pods', agentPod('netscope-agent-ccccc', 'node-2', '10.244.2.11'));
  await c.waitFor('node-2 connected through its new pod', () => connected('node-2') >= 2 && forwards().includes('netscope/netscope-agent-ccccc:4244'), 20_000);
  b2.send(2);
  b.send(1); // the old pod's server: no longer read
  a.send(1);
  await c.waitFor('the new pod\'s flows', () => c.flows().includes('netscope-agent-ccccc-2') && c.flows().includes('netscope-agent-aaaaa-4'), 20_000);
  await new Promise((r) => setTimeout(r, 1500)); // past the reorder window: anything the old pod sent would be out
  assert.equal(c.flows().includes('netscope-agent-bbbbb-4'), false, 'the deleted pod is not read any more');
  assert.equal(new Set(c.flows()).size, c.flows().length, 'no flow twice');
  } finally {
    c.stop();
  }
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...process.env, KUBECONFIG: '', HOME: '/nonexistent', TZ: 'UTC', NO_COLOR: '1' }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('observe with a kubeconfig, no Hubble Relay: reads every agent and ends (and --agents asks for them)', async (t) => {
  const { api, kubeconfig } = await setup(t);
  api.apply('pods', agentPod('netscope-agent-aaaaa', 'node-1', '10.244.1.10'));
  api.apply('pods', agentPod('netscope-agent-bbbbb', 'node-2', '10.244.2.10'));
  const a = await agentServer(t, api, 'netscope-agent-aaaaa', 'node-1');
  const b = await agentServer(t, api, 'netscope-agent-bbbbb', 'node-2');
  const at = Date.parse('2026-02-01T08:00:00Z');
  a.send(3, at);
  b.send(3, at + 10);
  const uuids = (out: string): string[] => out.trim().split('\n').map((l) => (JSON.parse(l) as { flow: { uuid: string } }).flow.uuid);
  const found = await run(['observe', '--kubeconfig', kubeconfig, '--last', '2', '-o', 'json']);
  assert.equal(found.code, 0, found.stderr);
  // The last 2 of each agent, merged in time order.
  assert.deepEqual(uuids(found.stdout), ['netscope-agent-aaaaa-2', 'netscope-agent-aaaaa-3', 'netscope-agent-bbbbb-2', 'netscope-agent-bbbbb-3']);
  assert.match(found.stderr, /^netscope: no Hubble Relay \(no Service kube-system\/hubble-relay\); reading netscope agents in namespace netscope via port-forward \(context fake\)\n/);
  const asked = await run(['observe', '--kubeconfig', kubeconfig, '--agents', '--last', '1', '-o', 'json']);
  assert.equal(asked.code, 0, asked.stderr);
  assert.deepEqual(uuids(asked.stdout), ['netscope-agent-aaaaa-3', 'netscope-agent-bbbbb-3']);
  assert.match(asked.stderr, /^netscope: reading netscope agents in namespace netscope via port-forward \(context fake\)\n/);
  const elsewhere = await run(['observe', '--kubeconfig', kubeconfig, '--agent-namespace', 'monitoring', '--last', '1', '-o', 'json']);
  assert.equal(elsewhere.stdout, '');
  assert.match(elsewhere.stderr, /no netscope agent pods \(app\.kubernetes\.io\/name=netscope,app\.kubernetes\.io\/component=agent\) in namespace monitoring/);
});
