// The fan-in, in virtual time (rxjs TestScheduler): node streams are cold observables
// whose events arrive at chosen frames (1 frame = 1 ms); the merged output is recorded
// with the virtual time it was emitted at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';
import { from, NEVER, Observable, of, concat, throwError, timer, map, type SchedulerLike } from 'rxjs';
import type { Flow } from '../../../src/model/flow.ts';
import type { SourceEvent } from '../../../src/model/source.ts';
import { fanIn, FanInStats, type FanInOptions, type NodeTarget, type ResumeFrom, type TargetChange } from '../../../src/streams/fan-in.ts';

const BASE = Date.parse('2026-01-01T00:00:00Z');
/** A flow `ms` after BASE, with nanosecond digits like a real agent's. */
function flow(ms: number, uuid: string, node?: string): Flow {
  const iso = new Date(BASE + ms).toISOString().replace('Z', '123456Z');
  return { time: iso, uuid, ...(node ? { node_name: node } : {}), verdict: 'FORWARDED' };
}
const fl = (ms: number, uuid: string, node?: string): SourceEvent => ({ kind: 'flow', flow: flow(ms, uuid, node) });

/** Events at given virtual times (ms after subscription), then `end` (complete, error, or never). */
function timed(sched: SchedulerLike, events: [number, SourceEvent][], end: 'complete' | 'never' | { error: string; at: number } = 'never'): Observable<SourceEvent> {
  return new Observable<SourceEvent>((sub) => {
    const subs = events.map(([at, ev]) => sched.schedule(() => sub.next(ev), at));
    if (end === 'complete') subs.push(sched.schedule(() => sub.complete(), Math.max(0, ...events.map((e) => e[0])) + 1));
    else if (end !== 'never') subs.push(sched.schedule(() => sub.error(new Error(end.error)), end.at));
    return () => subs.forEach((s) => s.unsubscribe());
  });
}

interface Out {
  at: number;
  ev: SourceEvent;
}

function run(setup: (sched: TestScheduler) => { targets: Observable<TargetChange>; opts?: Partial<FanInOptions>; until?: number }): { out: Out[]; stats: FanInStats; completed: boolean; error?: string } {
  const sched = new TestScheduler(() => undefined);
  sched.maxFrames = Number.POSITIVE_INFINITY; // virtual time runs until nothing is scheduled (or `until`)
  const stats = new FanInStats();
  const out: Out[] = [];
  let completed = false;
  let error: string | undefined;
  const { targets, opts, until } = setup(sched);
  const sub = fanIn(targets, { scheduler: sched, random: () => 0, stats, ...opts }).subscribe({
    next: (ev) => out.push({ at: sched.now(), ev }),
    complete: () => (completed = true),
    error: (err: unknown) => (error = err instanceof Error ? err.message : String(err)),
  });
  if (until !== undefined) sched.schedule(() => sub.unsubscribe(), until);
  sched.flush();
  sub.unsubscribe();
  return { out, stats, completed, error };
}

const add = (target: NodeTarget): TargetChange => ({ type: 'add', target });
const node = (id: string, connect: (r: ResumeFrom, attempt: number) => Observable<SourceEvent>): NodeTarget => {
  let attempt = 0;
  return { id, node: id, connect: (r) => connect(r, attempt++) };
};
const flowsOf = (out: Out[]): Flow[] => out.filter((o) => o.ev.kind === 'flow').map((o) => (o.ev as { flow: Flow }).flow);
const uuids = (out: Out[]): string[] => flowsOf(out).map((f) => f.uuid!);
const nodeStates = (out: Out[], n: string): string[] =>
  out.filter((o) => o.ev.kind === 'node-status' && o.ev.node_name === n).map((o) => (o.ev as { status: { state_change?: string } }).status.state_change!);

test('flows from nodes that deliver with different delays come out in time order', () => {
  const { out, stats } = run((s) => ({
    targets: from([
      add(node('a', () => timed(s, [[0, fl(100, 'a1')], [10, fl(300, 'a2')], [20, fl(500, 'a3')]]))),
      // b's flows are older than some of a's but arrive 300-400 ms later: inside the 1 s window.
      add(node('b', () => timed(s, [[300, fl(200, 'b1')], [400, fl(400, 'b2')]]))),
    ]),
    until: 5000,
  }));
  assert.deepEqual(uuids(out), ['a1', 'b1', 'a2', 'b2', 'a3']);
  assert.equal(stats.total('late'), 0);
  // Nothing waits longer than the window (wall time): the last flow, buffered at 400 ms, is out by 1400 ms.
  const last = out.filter((o) => o.ev.kind === 'flow').at(-1)!;
  assert.ok(last.at <= 1400, `last flow released at ${last.at}`);
  // Flows without a node name get the stream's.
  assert.deepEqual(flowsOf(out).map((f) => f.node_name), ['a', 'b', 'a', 'b', 'a']);
});

test('a flow older than what was already released is passed through at once and counted late', () => {
  const { out, stats } = run((s) => ({
    targets: from([
      add(node('a', () => timed(s, [[0, fl(1000, 'a1')], [10, fl(2000, 'a2')]]))),
      // Arrives 1.5 s after a1 was released (window 100 ms): too late to be put in order.
      add(node('b', () => timed(s, [[1600, fl(500, 'b-late')]]))),
    ]),
    opts: { windowMs: 100 },
    until: 5000,
  }));
  assert.deepEqual(uuids(out), ['a1', 'a2', 'b-late']);
  const late = out.find((o) => o.ev.kind === 'flow' && o.ev.flow.uuid === 'b-late')!;
  assert.equal(late.at, 1600, 'not held back');
  assert.equal(stats.nodes.get('b')!.late, 1);
  assert.equal(stats.nodes.get('a')!.late, 0);
  const statusLines = out.filter((o) => o.ev.kind === 'status').map((o) => (o.ev as { message?: string }).message);
  assert.ok(statusLines.some((m) => m?.includes('1 flows late (shown out of order)')), statusLines.join(' | '));
});

test('the count bound releases the oldest flows early, in order', () => {
  const { out } = run((s) => ({
    targets: from([add(node('a', () => timed(s, [[0, fl(300, 'x3')], [1, fl(100, 'x1')], [2, fl(200, 'x2')], [3, fl(400, 'x4')]])))]),
    opts: { maxBuffered: 2 },
    until: 5000,
  }));
  assert.deepEqual(uuids(out), ['x1', 'x2', 'x3', 'x4']);
  const at = (u: string): number => out.find((o) => o.ev.kind === 'flow' && o.ev.flow.uuid === u)!.at;
  assert.equal(at('x1'), 2, 'third flow pushed the oldest out');
  assert.equal(at('x2'), 3);
  assert.equal(at('x3'), 1000, 'the rest waits for the window');
});

test('a node killed and restarted mid-stream: reported, retried with backoff from where it was, no duplicates', () => {
  const resumes: ResumeFrom[] = [];
  const { out, stats } = run((s) => ({
    targets: from([
      add(
        node('a', (r, attempt) => {
          resumes.push(r);
          if (attempt === 0) return timed(s, [[0, fl(0, 'a1')], [100, fl(100, 'a2')], [200, fl(200, 'a3')]], { error: 'connection reset by agent', at: 250 });
          // The restarted agent replays from `since` (a3 again, and a2 which it still had), then goes on.
          return timed(s, [[0, fl(100, 'a2')], [0, fl(200, 'a3')], [10, fl(1400, 'a4')], [20, fl(1500, 'a5')]]);
        }),
      ),
      add(node('b', () => timed(s, [[50, fl(50, 'b1')], [650, fl(650, 'b2')], [1300, fl(1300, 'b3')], [1600, fl(1600, 'b4')]]))),
    ]),
    until: 6000,
  }));
  assert.deepEqual(uuids(out), ['a1', 'b1', 'a2', 'a3', 'b2', 'b3', 'a4', 'a5', 'b4']);
  assert.deepEqual(resumes, [{}, { since: flow(200, 'x').time }]);
  assert.deepEqual(nodeStates(out, 'a'), ['NODE_CONNECTED', 'NODE_UNAVAILABLE', 'NODE_CONNECTED']);
  const down = out.find((o) => o.ev.kind === 'node-status' && o.ev.status.state_change === 'NODE_UNAVAILABLE')!;
  assert.equal(down.at, 250);
  assert.match((down.ev as { status: { message?: string } }).status.message!, /connection reset by agent; retrying in 1s/);
  // Back after the first backoff step (1 s, no jitter here).
  const back = out.filter((o) => o.ev.kind === 'node-status' && o.ev.node_name === 'a')[2]!;
  assert.equal(back.at, 1250);
  assert.equal(stats.nodes.get('a')!.duplicates, 2);
  assert.equal(stats.nodes.get('a')!.retries, 1);
  // The status line said so while it was down, and recovered.
  const lines = out.filter((o) => o.ev.kind === 'status').map((o) => o.ev as { state: string; message?: string });
  assert.ok(lines.some((l) => l.state === 'warning' && /1\/2 nodes connected; a unavailable: connection reset by agent, retry in 1s/.test(l.message ?? '')), JSON.stringify(lines));
  assert.equal(lines.at(-1)!.state, 'connected');
  assert.equal(lines.at(-1)!.message, '2/2 nodes connected');
});

test('backoff grows while a node stays down and resets once it has stayed up', () => {
  const tries: number[] = [];
  const { out } = run((s) => ({
    targets: of(add(node('a', (_r, attempt) => {
      tries.push(s.now());
      // Attempts 0-2 fail at once; attempt 3 connects and stays.
      return attempt < 3 ? throwError(() => new Error('connection refused')) : timed(s, [[0, fl(0, 'ok')]]);
    }))),
    opts: { backoff: { initialMs: 1000, maxMs: 3000, jitter: 0 } },
    until: 20_000,
  }));
  assert.deepEqual(tries, [0, 1000, 3000, 6000]);
  assert.deepEqual(nodeStates(out, 'a'), ['NODE_UNAVAILABLE', 'NODE_UNAVAILABLE', 'NODE_UNAVAILABLE', 'NODE_CONNECTED']);
});

test('the dedupe set is bounded per node', () => {
  const { stats } = run((s) => ({
    targets: of(add(node('a', (_r, attempt) => (attempt === 0
      ? timed(s, [[0, fl(0, 'a1')], [1, fl(1, 'a2')], [2, fl(2, 'a3')]], { error: 'x', at: 3 })
      : timed(s, [[0, fl(0, 'a1')], [0, fl(2, 'a3')]]))))),
    opts: { dedupePerNode: 2 },
    until: 5000,
  }));
  // a3 is remembered; a1 fell out of the two-key set, so its replay is shown again.
  assert.equal(stats.nodes.get('a')!.duplicates, 1);
  assert.equal(stats.nodes.get('a')!.flows, 4);
});

test('lost events carry their node and are counted per node', () => {
  const lostEv = (n: number): SourceEvent => ({ kind: 'lost', lost: { source: 'PERF_EVENT_RING_BUFFER', num_events_lost: n } });
  const { out, stats } = run((s) => ({
    targets: from([
      add(node('a', () => timed(s, [[0, fl(0, 'a1')], [5, lostEv(7)], [6, lostEv(3)]]))),
      add(node('b', () => timed(s, [[0, fl(1, 'b1')]]))),
    ]),
    until: 3000,
  }));
  const lost = out.filter((o) => o.ev.kind === 'lost').map((o) => o.ev as { node_name?: string; lost: { num_events_lost?: number } });
  assert.deepEqual(lost.map((l) => [l.node_name, l.lost.num_events_lost]), [['a', 7], ['a', 3]]);
  assert.equal(stats.nodes.get('a')!.lost, 10);
  assert.equal(stats.nodes.get('b')!.lost, 0);
  assert.equal(stats.total('lost'), 10);
});

test('a removed target is unsubscribed and reported gone; its counters stay in the totals', () => {
  let torn = 0;
  const { out, stats } = run((s) => ({
    targets: concat(
      of(add(node('a', () => new Observable<SourceEvent>((sub) => {
        const t = s.schedule(() => sub.next(fl(0, 'a1')), 0);
        return () => {
          torn++;
          t.unsubscribe();
        };
      })))),
      timer(500, s).pipe(map((): TargetChange => ({ type: 'remove', id: 'a' }))),
      NEVER,
    ),
    until: 3000,
  }));
  assert.equal(torn, 1);
  assert.deepEqual(nodeStates(out, 'a'), ['NODE_CONNECTED', 'NODE_GONE']);
  assert.equal(stats.nodes.has('a'), false);
  assert.equal(stats.total('flows'), 1);
  assert.deepEqual(uuids(out), ['a1'], 'the buffered flow of a removed node is still shown');
});

test('without follow: ended nodes are done, the buffer is flushed and the stream completes', () => {
  const { out, completed } = run((s) => ({
    targets: from([
      add(node('a', () => timed(s, [[0, fl(200, 'a1')]], 'complete'))),
      add(node('b', () => timed(s, [[0, fl(100, 'b1')]], { error: 'agent said no', at: 2 }))),
    ]),
    opts: { follow: false },
  }));
  assert.equal(completed, true);
  assert.deepEqual(uuids(out), ['b1', 'a1']);
  assert.deepEqual(nodeStates(out, 'b'), ['NODE_CONNECTED', 'NODE_ERROR']);
  const end = out.filter((o) => o.ev.kind === 'flow');
  assert.ok(end.every((o) => o.at <= 2), 'flushed when the last node ended, not after the window');
});

test('the status line counts nodes without an agent and names the first', () => {
  const stats = new FanInStats();
  stats.nodes.set('a', { id: 'a', node: 'a', state: 'connected', flows: 0, late: 0, duplicates: 0, lost: 0, retries: 0 });
  assert.deepEqual(stats.summary(), { state: 'connected', message: '1/1 nodes connected' });
  stats.missing.add('node-c');
  stats.missing.add('node-b');
  assert.deepEqual(stats.summary(), { state: 'warning', message: '1/3 nodes connected; node-b: no agent pod (+1 more)' });
});

test('node names and errors from the wire reach the status line sanitized', () => {
  const { out } = run((s) => ({
    targets: of(add({ id: 'x', node: 'evil\u001b[2Jnode', connect: () => timed(s, [], { error: 'refused\u0007\nsecond line', at: 1 }) })),
    until: 500,
  }));
  const lines = out.filter((o) => o.ev.kind === 'status').map((o) => (o.ev as { message?: string }).message ?? '');
  assert.ok(lines.length > 0);
  for (const l of lines) assert.doesNotMatch(l, /[\u0000-\u001f\u007f]/, l);
  assert.ok(lines.some((l) => l.includes('refused') && !l.includes('second line')), lines.join(' | '));
});

test('an unavailable node reaches `observe` stderr the way hubble prints it', async () => {
  const { createPrinter } = await import('../../../src/printer/index.ts');
  const { out } = run((s) => ({
    targets: from([add(node('node-b', () => timed(s, [], { error: 'connection refused', at: 5 })))]),
    until: 100,
  }));
  const err: string[] = [];
  const p = createPrinter({ output: 'compact', color: false, timeFormat: 'StampMilli', nodeName: false, ipTranslation: true }, { out: () => undefined, err: (t) => err.push(t) });
  for (const o of out) p.print(o.ev);
  assert.equal(err.length, 1);
  // The time is the local zone's (as hubble prints it): only its shape is checked.
  assert.match(err[0]!, /^\w{3} [ \d]\d \d\d:\d\d:\d\d\.\d{3} \[node-b\]: 1 nodes are unavailable: node-b\n$/);
});

test('history from nodes that all failed ends in an error naming them; one node read is an answer', () => {
  const failing = (id: string): NodeTarget => node(id, () => throwError(() => new Error(`${id}: connection refused`)));
  const none = run(() => ({ targets: from([add(failing('a')), add(failing('b'))]), opts: { follow: false } }));
  assert.equal(none.completed, false);
  assert.equal(none.error, 'agents: no node could be read (2 failed: a, b)');
  // Each node's own reason came first, as node status.
  assert.deepEqual(nodeStates(none.out, 'a'), ['NODE_ERROR']);
  assert.deepEqual(nodeStates(none.out, 'b'), ['NODE_ERROR']);

  const some = run((s) => ({ targets: from([add(failing('a')), add(node('b', () => timed(s, [[0, fl(100, 'b1')]], 'complete')))]), opts: { follow: false } }));
  assert.equal(some.error, undefined);
  assert.equal(some.completed, true);
  assert.deepEqual(uuids(some.out), ['b1']);
});

test('targets added in one burst give one status line, not one per node', () => {
  const { out } = run((s) => ({
    targets: from([add(node('a', () => NEVER)), add(node('b', () => NEVER)), add(node('c', () => timed(s, [[50, fl(100, 'c1')]])))]),
    until: 3000,
  }));
  const lines = out.filter((o) => o.ev.kind === 'status').map((o) => (o.ev as { message?: string }).message);
  assert.deepEqual(lines, ['0/3 nodes connected', '1/3 nodes connected']);
});
