// Fan-in end to end: three `netscope serve --demo` processes on loopback read as agents
// through the real gRPC connector (straight to their ports, no port-forward); one is
// killed and restarted on its port mid-stream. The merged stream stays in time order
// except for flows counted late, the dead node is reported unavailable and comes back,
// and no flow arrives twice.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Subject } from 'rxjs';
import type { AgentTarget } from '../../../src/agent/discovery.ts';
import { grpcAgentConnector, type AgentDialer } from '../../../src/agent/connector.ts';
import type { SourceEvent } from '../../../src/model/source.ts';
import { fanIn, FanInStats, type TargetChange } from '../../../src/streams/fan-in.ts';
import { collect } from '../grpc/events.ts';
import { freePort, startNetscope, type Proc } from './helpers.ts';

const procs: Proc[] = [];
after(async () => {
  for (const p of procs) await p.stop('SIGKILL');
});

function serve(node: string, port: number, seed: number): Proc {
  const p = startNetscope(['serve', '--demo', '--rate', '100', '--seed', String(seed), '--listen', `127.0.0.1:${port}`, '--node-name', node]);
  procs.push(p);
  return p;
}

test('three serve agents, one killed and restarted: ordered within the window, node reported and back, no duplicate', async (t) => {
  const nodes = ['node-1', 'node-2', 'node-3'];
  const ports = new Map<string, number>();
  for (const n of nodes) ports.set(n, await freePort());
  const servers = new Map<string, Proc>();
  for (const [i, n] of nodes.entries()) servers.set(n, serve(n, ports.get(n)!, i + 1));
  for (const [n, p] of servers) await p.waitErr(`serve ${n} to listen`, /listening on/);

  const dial: AgentDialer = async (target) => ({ address: `127.0.0.1:${ports.get(target.node)}`, describe: target.id, close: async () => {} });
  const connect = grpcAgentConnector({ filters: { allow: [], deny: [] }, follow: true, number: 0 }, dial);
  const stats = new FanInStats();
  const changes = new Subject<TargetChange>();
  const windowMs = 1000;
  const merged = fanIn(changes, { stats, windowMs, backoff: { initialMs: 200, maxMs: 1000, jitter: 0 } });
  const c = collect(merged);
  t.after(() => c.stop());
  for (const n of nodes) {
    const target: AgentTarget = { id: `netscope/agent-${n}`, uid: n, namespace: 'netscope', pod: `agent-${n}`, node: n, podIP: '127.0.0.1' };
    changes.next({ type: 'add', target: { id: target.id, node: n, connect: (resume) => connect(target, resume) } });
  }
  const flowsOf = (id: string): number => stats.nodes.get(id)?.flows ?? 0;
  const nodeEvents = (n: string): string[] =>
    c.events.flatMap((e) => (e.kind === 'node-status' && e.node_name === n ? [e.status.state_change ?? ''] : []));

  await c.waitFor('20 flows from every node', () => nodes.every((n) => flowsOf(`netscope/agent-${n}`) >= 20), 30_000);
  servers.get('node-2')!.child.kill('SIGKILL');
  await c.waitFor('node-2 reported unavailable', () => nodeEvents('node-2').includes('NODE_UNAVAILABLE'), 15_000);
  const before = flowsOf('netscope/agent-node-2');
  const restarted = serve('node-2', ports.get('node-2')!, 2);
  await restarted.waitErr('serve node-2 to listen again', /listening on/);
  await c.waitFor('node-2 connected again', () => nodeEvents('node-2').filter((s) => s === 'NODE_CONNECTED').length >= 2, 30_000);
  await c.waitFor('20 more flows from node-2', () => flowsOf('netscope/agent-node-2') >= before + 20, 30_000);
  // Flows taken in are held up to the reorder window before they are released: wait for
  // the merged stream itself, not the intake counters, before stopping it.
  await c.waitFor('100 flows out of the fan-in', () => c.events.filter((e) => e.kind === 'flow').length >= 100, 30_000);
  c.stop();

  // Unavailable once per failed retry while it is down, then connected again.
  const runs = nodeEvents('node-2').filter((s, i, all) => i === 0 || all[i - 1] !== s);
  assert.deepEqual(runs, ['NODE_CONNECTED', 'NODE_UNAVAILABLE', 'NODE_CONNECTED']);
  const unavailable = c.events.find((e) => e.kind === 'node-status' && e.node_name === 'node-2' && e.status.state_change === 'NODE_UNAVAILABLE');
  assert.ok(unavailable?.kind === 'node-status');
  assert.match(unavailable.status.message ?? '', /retrying in/);
  for (const n of ['node-1', 'node-3']) assert.deepEqual(nodeEvents(n), ['NODE_CONNECTED'], `${n} stayed connected`);

  const flows = c.events.flatMap((e: SourceEvent) => (e.kind === 'flow' ? [e.flow] : []));
  // No flow twice: the same flow is the same JSON (time to the nanosecond, addresses, node).
  const seen = new Set<string>();
  for (const f of flows) {
    const key = JSON.stringify(f);
    assert.ok(!seen.has(key), `flow delivered twice: ${key.slice(0, 200)}`);
    seen.add(key);
  }
  // In order, except the flows the fan-in counted late (older than what it had released).
  let newest = -Infinity;
  let inversions = 0;
  for (const f of flows) {
    const ms = Date.parse(f.time!);
    if (ms < newest) inversions++;
    newest = Math.max(newest, ms);
  }
  assert.ok(inversions <= stats.total('late'), `${inversions} flows out of order, but only ${stats.total('late')} counted late`);
  assert.ok(flows.length >= 100, `only ${flows.length} flows merged`);
});
