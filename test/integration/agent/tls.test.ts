// Agents serving mutual TLS (the manifests' --tls-secret), read from a jump host through
// the fake API server's pod port-forward: the client's --tls flags reach every agent
// connection, and each agent is verified for the name its pod's command line says it
// serves (<node>.<cluster>.hubble-grpc.cilium.io), not for the port-forward's loopback
// address. A wrong CA or a name the certificate lacks is one line naming the node.
// Certificates are made by openssl at test time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Subject } from 'rxjs';
import { openAgents } from '../../../src/agent/cluster-flows.ts';
import { AGENT_CONTAINER, AGENT_LABELS, agentArgs, OBSERVER_PORT } from '../../../src/agent/manifest.ts';
import { startObserverServer } from '../../../src/grpc/server.ts';
import type { ClientTls } from '../../../src/grpc/tls.ts';
import { loadKubeConfig } from '../../../src/k8s/kubeconfig.ts';
import type { SourceEvent } from '../../../src/model/source.ts';
import { FakeApiServer } from '../../fake-apiserver/server.ts';
import { pod } from '../../fake-apiserver/fixtures.ts';
import { tempDir, writeKubeconfig } from '../../fake-apiserver/kubeconfig.ts';
import { makePki, type TestPki } from '../grpc/certs.ts';
import { collect } from '../grpc/events.ts';
import { BIN } from './helpers.ts';

const TOKEN = 'agents-tls-token';

/** An agent pod as the DaemonSet with --tls-secret makes it, plus any extra agent flags. */
function tlsAgentPod(name: string, nodeName: string, extraArgs: string[] = []) {
  const p = pod('netscope', name, '10.244.1.10', { labels: { ...AGENT_LABELS }, node: nodeName, owner: 'DaemonSet/netscope-agent' });
  p.spec.containers = [{ name: AGENT_CONTAINER, image: 'netscope:test', args: [...agentArgs({ tlsSecret: 'hubble-server-certs' }), ...extraArgs] } as (typeof p.spec.containers)[0]];
  return p;
}

async function setup(t: import('node:test').TestContext) {
  const pki = makePki();
  t.after(() => pki.cleanup());
  const api = new FakeApiServer({ token: TOKEN });
  const url = await api.start();
  t.after(() => api.stop());
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = writeKubeconfig(dir, 'config', [{ name: 'fake', server: url, token: TOKEN }]);
  return { pki, api, kubeconfig };
}

/** A loopback mTLS Observer server standing for one agent pod (certificate for *.default.hubble-grpc.cilium.io). */
async function tlsAgent(t: import('node:test').TestContext, api: FakeApiServer, pki: TestPki, podName: string, nodeName: string) {
  const flows = new Subject<SourceEvent>();
  const server = await startObserverServer({
    source: flows,
    listen: ['127.0.0.1:0'],
    bufferSize: 100,
    nodeName,
    version: 'test',
    tls: { certFile: pki.serverCert, keyFile: pki.serverKey, clientCaFiles: [pki.ca] },
  });
  t.after(() => server.close());
  api.portForward.targets.set(`netscope/${podName}`, new Map([[OBSERVER_PORT, Number(server.addresses[0]!.split(':')[1])]]));
  const send = (uuids: string[], at: number): void => {
    uuids.forEach((uuid, i) => flows.next({ kind: 'flow', flow: { time: new Date(at + i).toISOString(), uuid, verdict: 'FORWARDED', node_name: nodeName } }));
  };
  return { send };
}

const unavailable = (events: SourceEvent[], node: string): string[] =>
  events.flatMap((e) => (e.kind === 'node-status' && e.node_name === node && e.status.state_change === 'NODE_UNAVAILABLE' ? [e.status.message ?? ''] : []));

test('agents serving mTLS: every agent read with the client certificate, each verified for its own server name', async (t) => {
  const { pki, api, kubeconfig } = await setup(t);
  api.apply('pods', tlsAgentPod('netscope-agent-aaaaa', 'node-1'));
  api.apply('pods', tlsAgentPod('netscope-agent-bbbbb', 'node-2'));
  // Its pod says --cluster-name prod: it serves node-3.prod.hubble-grpc.cilium.io, which the certificate is not for.
  api.apply('pods', tlsAgentPod('netscope-agent-ccccc', 'node-3', ['--cluster-name', 'prod']));
  const at = Date.parse('2026-02-01T08:00:00Z');
  (await tlsAgent(t, api, pki, 'netscope-agent-aaaaa', 'node-1')).send(['a1', 'a2'], at);
  (await tlsAgent(t, api, pki, 'netscope-agent-bbbbb', 'node-2')).send(['b1', 'b2'], at + 10);
  (await tlsAgent(t, api, pki, 'netscope-agent-ccccc', 'node-3')).send(['c1'], at + 20);
  const tls: ClientTls = { caFiles: [pki.ca], certFile: pki.clientCert, keyFile: pki.clientKey };
  const c = collect(openAgents(loadKubeConfig({ kubeconfig }), { request: { tls, filters: { allow: [], deny: [] }, follow: true, number: 10 } }, ''));
  try {
    await c.waitFor('the flows of node-1 and node-2, and node-3 refused', () => c.flows().length === 4 && unavailable(c.events, 'node-3').length > 0, 20_000);
    assert.deepEqual(c.flows(), ['a1', 'a2', 'b1', 'b2']);
    const why = unavailable(c.events, 'node-3')[0]!;
    assert.match(why, /TLS: the server certificate is not for node-3\.prod\.hubble-grpc\.cilium\.io \(the name this agent serves/);
    assert.match(why, /netscope-agent-ccccc/, 'the line names the agent');
    assert.equal(why.split('\n').length, 1);
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

test('observe --agents with the --tls flags reads TLS agents; a wrong CA is one line naming the node', async (t) => {
  const { pki, api, kubeconfig } = await setup(t);
  api.apply('pods', tlsAgentPod('netscope-agent-aaaaa', 'node-1'));
  api.apply('pods', tlsAgentPod('netscope-agent-bbbbb', 'node-2'));
  const at = Date.parse('2026-02-01T08:00:00Z');
  (await tlsAgent(t, api, pki, 'netscope-agent-aaaaa', 'node-1')).send(['a1', 'a2'], at);
  (await tlsAgent(t, api, pki, 'netscope-agent-bbbbb', 'node-2')).send(['b1', 'b2'], at + 10);
  const client = ['--tls-client-cert-file', pki.clientCert, '--tls-client-key-file', pki.clientKey];
  const uuids = (out: string): string[] => out.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { flow: { uuid: string } }).flow.uuid);

  const ok = await run(['observe', '--kubeconfig', kubeconfig, '--agents', '--tls-ca-cert-files', pki.ca, ...client, '--last', '1', '-o', 'json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(uuids(ok.stdout), ['a2', 'b2']);

  // A third agent serving node-3.prod.hubble-grpc.cilium.io (its pod says --cluster-name prod):
  // verified for that name, which the certificate (*.default...) lacks, though it would pass for 127.0.0.1.
  api.apply('pods', tlsAgentPod('netscope-agent-ccccc', 'node-3', ['--cluster-name', 'prod']));
  (await tlsAgent(t, api, pki, 'netscope-agent-ccccc', 'node-3')).send(['c1'], at + 20);
  const named = await run(['observe', '--kubeconfig', kubeconfig, '--agents', '--tls-ca-cert-files', pki.ca, ...client, '--last', '1', '-o', 'json']);
  assert.deepEqual(uuids(named.stdout), ['a2', 'b2']);
  assert.equal(named.code, 0, 'two of three nodes read: an answer, with the third named on stderr');
  assert.match(named.stderr, /node-3.*netscope-agent-ccccc.*not for node-3\.prod\.hubble-grpc\.cilium\.io/);
  api.remove('pods', 'netscope', 'netscope-agent-ccccc');

  const wrong = await run(['observe', '--kubeconfig', kubeconfig, '--agents', '--tls-ca-cert-files', pki.otherCa, ...client, '--last', '1', '-o', 'json']);
  assert.equal(wrong.stdout, '');
  // No node could be read: a failure (status 1), said once more at the end.
  assert.equal(wrong.code, 1, wrong.stderr);
  assert.match(wrong.stderr.trimEnd().split('\n').at(-1) ?? '', /^netscope: agents: no node could be read \(2 failed: node-[12], node-[12]\)$/);
  const lines = wrong.stderr.split('\n').filter((l) => /not signed by a trusted CA/.test(l));
  assert.ok(lines.some((l) => /node-1/.test(l) && /netscope-agent-aaaaa/.test(l)), `a line naming node-1 and its agent: ${wrong.stderr}`);
  assert.ok(lines.some((l) => /node-2/.test(l)), `a line naming node-2: ${wrong.stderr}`);

  // --tls flags with --agent-namespace but not --agents: one line saying what they need.
  const lone = await run(['observe', '--kubeconfig', kubeconfig, '--agent-namespace', 'netscope', '--tls-ca-cert-files', pki.ca, '--last', '1']);
  assert.equal(lone.code, 2);
  assert.equal(lone.stderr.trim().split('\n').length, 1, lone.stderr);
  assert.match(lone.stderr, /--tls flags need --server, or --agents/);
});
