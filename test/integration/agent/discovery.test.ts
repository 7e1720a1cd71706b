// Agent discovery against the fake API server (real HTTP list/watch), with a fake
// connector standing in for gRPC over port-forward: one stream per DaemonSet pod, a
// pod deleted and recreated removes and re-adds its node's stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Observable, type Subscription } from 'rxjs';
import { createAgentSource, type AgentTarget } from '../../../src/agent/discovery.ts';
import { AGENT_LABELS, AGENT_LABEL_SELECTOR } from '../../../src/agent/manifest.ts';
import { loadKubeConfig } from '../../../src/k8s/kubeconfig.ts';
import { KubeTransport } from '../../../src/k8s/transport.ts';
import type { SourceEvent } from '../../../src/model/source.ts';
import { FanInStats, type ResumeFrom } from '../../../src/streams/fan-in.ts';
import { FakeApiServer } from '../../fake-apiserver/server.ts';
import { node, pod } from '../../fake-apiserver/fixtures.ts';
import { tempDir, writeKubeconfig } from '../../fake-apiserver/kubeconfig.ts';
import { FAST_BACKOFF, waitFor } from '../k8s/helpers.ts';

const agentPod = (name: string, node: string, ip: string) => pod('netscope', name, ip, { labels: { ...AGENT_LABELS }, node, owner: 'DaemonSet/netscope-agent' });

interface Connection {
  target: AgentTarget;
  resume: ResumeFrom;
  open: boolean;
}

/** A connector that serves one flow per connection, named after the pod, and stays open. */
function fakeConnector(connections: Connection[]) {
  return (target: AgentTarget, resume: ResumeFrom): Observable<SourceEvent> =>
    new Observable<SourceEvent>((sub) => {
      const c: Connection = { target, resume, open: true };
      connections.push(c);
      const t = setTimeout(() => sub.next({ kind: 'flow', flow: { time: new Date().toISOString(), uuid: `${target.pod}-${connections.length}`, node_name: target.node } }), 5);
      return () => {
        clearTimeout(t);
        c.open = false;
      };
    });
}

async function harness(setup: (s: FakeApiServer) => void) {
  const server = new FakeApiServer();
  setup(server);
  const url = await server.start();
  const dir = tempDir();
  const kubeconfig = writeKubeconfig(dir, 'config', [{ name: 'test', server: url, namespace: 'default' }]);
  const transport = new KubeTransport(loadKubeConfig({ kubeconfig }));
  return {
    server,
    transport,
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('discovery: one stream per agent pod; a pod deleted and recreated swaps its node stream', async () => {
  const h = await harness((s) => {
    s.apply('pods', agentPod('netscope-agent-aaaaa', 'node-1', '10.244.1.10'));
    s.apply('pods', agentPod('netscope-agent-bbbbb', 'node-2', '10.244.2.10'));
    // Not agents: another app in the namespace, an agent-labelled pod elsewhere, an unscheduled agent.
    s.apply('pods', pod('netscope', 'other-app', '10.244.1.11', { labels: { app: 'other' }, node: 'node-1' }));
    s.apply('pods', pod('kube-system', 'netscope-agent-zzzzz', '10.244.3.10', { labels: { ...AGENT_LABELS }, node: 'node-3' }));
    const pending = agentPod('netscope-agent-ccccc', 'node-3', '');
    pending.spec.nodeName = '';
    pending.status.phase = 'Pending';
    s.apply('pods', pending);
  });
  const connections: Connection[] = [];
  const events: SourceEvent[] = [];
  const stats = new FanInStats();
  let sub: Subscription | undefined;
  try {
    sub = createAgentSource({ transport: h.transport, connect: fakeConnector(connections), fanIn: { stats, windowMs: 50 }, backoff: FAST_BACKOFF }).subscribe((ev) => events.push(ev));
    const open = () => connections.filter((c) => c.open).map((c) => `${c.target.pod}@${c.target.node}`).sort();
    await waitFor('two agent connections', () => open().length === 2);
    assert.deepEqual(open(), ['netscope-agent-aaaaa@node-1', 'netscope-agent-bbbbb@node-2']);
    assert.equal(connections.length, 2, 'one connection per pod');
    assert.equal(connections[0]!.target.podIP !== '', true);
    // The pods were asked for by namespace and label selector.
    const podReqs = () => h.server.requests.filter((r) => r.path === '/api/v1/namespaces/netscope/pods');
    await waitFor('a watch of the agent pods', () => podReqs().some((r) => r.query.get('watch') === 'true'));
    assert.ok(podReqs().some((r) => r.query.get('watch') === null), 'a list of the agent namespace');
    for (const r of podReqs()) assert.equal(r.query.get('labelSelector'), AGENT_LABEL_SELECTOR);
    assert.equal(h.server.requests.some((r) => r.path === '/api/v1/pods'), false, 'never all pods of the cluster');
    await waitFor('a flow from each node', () => new Set(events.filter((e) => e.kind === 'flow').map((e) => (e as { flow: { node_name?: string } }).flow.node_name)).size === 2);

    // node-1's agent pod is deleted: its stream closes and the node is reported gone.
    h.server.remove('pods', 'netscope', 'netscope-agent-aaaaa');
    await waitFor('node-1 stream closed', () => open().length === 1);
    assert.deepEqual(open(), ['netscope-agent-bbbbb@node-2']);
    await waitFor('NODE_GONE for node-1', () => events.some((e) => e.kind === 'node-status' && e.node_name === 'node-1' && e.status.state_change === 'NODE_GONE'));

    // The DaemonSet recreates it (a new name): a new stream for node-1, resuming after the last flow seen there.
    h.server.apply('pods', agentPod('netscope-agent-ddddd', 'node-1', '10.244.1.12'));
    await waitFor('node-1 stream reopened', () => open().length === 2);
    assert.deepEqual(open(), ['netscope-agent-bbbbb@node-2', 'netscope-agent-ddddd@node-1']);
    const reopened = connections.find((c) => c.target.pod === 'netscope-agent-ddddd')!;
    assert.ok(reopened.resume.since, 'resumes from the last flow node-1 delivered');
    assert.equal(connections.length, 3);

    // A pod that starts terminating stops being read.
    const b = h.server.get('pods', 'netscope', 'netscope-agent-bbbbb')!;
    h.server.apply('pods', { ...b, metadata: { ...b.metadata, deletionTimestamp: new Date().toISOString() } });
    await waitFor('node-2 stream closed on deletionTimestamp', () => open().length === 1);
    assert.equal(stats.nodes.size, 1);
  } finally {
    sub?.unsubscribe();
    await h.close();
  }
  assert.deepEqual(connections.filter((c) => c.open), [], 'unsubscribing closes every stream');
});

test('discovery: no agent pods is a status line saying how to deploy them', async () => {
  const h = await harness(() => undefined);
  const events: SourceEvent[] = [];
  const sub = createAgentSource({ transport: h.transport, connect: fakeConnector([]), backoff: FAST_BACKOFF }).subscribe((ev) => events.push(ev));
  try {
    await waitFor('a no-agents status', () => events.some((e) => e.kind === 'status'));
    const st = events.find((e) => e.kind === 'status') as { state: string; message?: string };
    assert.equal(st.state, 'warning');
    assert.match(st.message!, /no netscope agent pods \(app\.kubernetes\.io\/name=netscope,app\.kubernetes\.io\/component=agent\) in namespace netscope: deploy them with `netscope agent manifest \| kubectl apply -f -`/);
  } finally {
    sub.unsubscribe();
    await h.close();
  }
});

test('discovery: RBAC refusing the pod list is an error naming the namespace', async () => {
  const h = await harness((s) => s.restrict('pods', []));
  const events: SourceEvent[] = [];
  const sub = createAgentSource({ transport: h.transport, connect: fakeConnector([]), backoff: FAST_BACKOFF, recheckMs: 100 }).subscribe((ev) => events.push(ev));
  try {
    await waitFor('a forbidden status', () => events.some((e) => e.kind === 'status' && e.state === 'error'));
    const st = events.find((e) => e.kind === 'status' && e.state === 'error') as { message?: string };
    assert.match(st.message!, /^agent pods in namespace netscope: .*forbidden.*cannot list resource "pods"/);
  } finally {
    sub.unsubscribe();
    await h.close();
  }
});

test('discovery: a node without an agent pod is reported, and clears when one starts there', async () => {
  const h = await harness((s) => {
    for (const [n, ip] of [['node-1', '192.168.0.1'], ['node-2', '192.168.0.2'], ['node-3', '192.168.0.3']] as const) s.apply('nodes', node(n, ip));
    const win = node('win-1', '192.168.0.9');
    (win.metadata.labels as Record<string, string>)['kubernetes.io/os'] = 'windows';
    s.apply('nodes', win);
    s.apply('pods', agentPod('netscope-agent-aaaaa', 'node-1', '10.244.1.10'));
    s.apply('pods', agentPod('netscope-agent-bbbbb', 'node-2', '10.244.2.10'));
  });
  const connections: Connection[] = [];
  const events: SourceEvent[] = [];
  const stats = new FanInStats();
  const sub = createAgentSource({ transport: h.transport, connect: fakeConnector(connections), fanIn: { stats }, backoff: FAST_BACKOFF }).subscribe((ev) => events.push(ev));
  const missingEvents = () => events.filter((e) => e.kind === 'node-status' && e.status.message === 'no netscope agent pod on this node').map((e) => (e as { node_name?: string }).node_name);
  try {
    await waitFor('node-3 reported without an agent', () => missingEvents().includes('node-3'));
    assert.deepEqual(missingEvents(), ['node-3'], 'only node-3 (win-1 is not a linux node; node-1/2 have agents)');
    await waitFor('the status line names it', () => events.some((e) => e.kind === 'status' && /\/3 nodes connected; node-3: no agent pod/.test(e.message ?? '')));
    h.server.apply('pods', agentPod('netscope-agent-ccccc', 'node-3', '10.244.3.10'));
    await waitFor('node-3 connected', () => connections.some((c) => c.open && c.target.node === 'node-3'));
    await waitFor('no node missing', () => stats.missing.size === 0);
    await waitFor('3/3 connected', () => events.some((e) => e.kind === 'status' && e.message === '3/3 nodes connected'));
  } finally {
    sub.unsubscribe();
    await h.close();
  }
});

test('discovery: an agent that cannot be reached (crash-looping pod) is shown unavailable with its error, and retried', async () => {
  const h = await harness((s) => {
    s.apply('pods', agentPod('netscope-agent-aaaaa', 'node-1', '10.244.1.10'));
    s.apply('pods', agentPod('netscope-agent-bbbbb', 'node-2', '10.244.2.10'));
  });
  const attempts: string[] = [];
  const events: SourceEvent[] = [];
  const ok = fakeConnector([]);
  const connect = (t: AgentTarget, r: ResumeFrom): Observable<SourceEvent> => {
    attempts.push(t.node);
    if (t.node === 'node-2') return new Observable<SourceEvent>((sub) => sub.error(new Error('pods "netscope-agent-bbbbb": container agent is in CrashLoopBackOff')));
    return ok(t, r);
  };
  const sub = createAgentSource({ transport: h.transport, connect, watchNodes: false, fanIn: { backoff: { initialMs: 20, maxMs: 40, jitter: 0 } }, backoff: FAST_BACKOFF }).subscribe((ev) => events.push(ev));
  try {
    await waitFor('node-2 unavailable with its reason', () =>
      events.some((e) => e.kind === 'node-status' && e.node_name === 'node-2' && e.status.state_change === 'NODE_UNAVAILABLE' && /CrashLoopBackOff; retrying in \d+ms/.test(e.status.message ?? '')),
    );
    await waitFor('retried', () => attempts.filter((n) => n === 'node-2').length >= 3);
    await waitFor('the status line says which node and why', () =>
      events.some((e) => e.kind === 'status' && /^1\/2 nodes connected; node-2 unavailable: pods "netscope-agent-bbbbb": container agent is in CrashLoopBackOff, retry in \d+ms$/.test(e.message ?? '')),
    );
  } finally {
    sub.unsubscribe();
    await h.close();
  }
});
