import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastValueFrom, toArray, take } from 'rxjs';
import { DemoOptionError, MAX_HISTORY_FLOWS, createDemoSource } from '../../../src/sources/demo/index.ts';
import type { SourceEvent } from '../../../src/model/source.ts';
import { flowTimeMs } from '../../../src/model/flow.ts';

const NOW = Date.UTC(2026, 10, 23, 4, 0, 0);

test('history: status connected first, then flows in the past in time order, then completes', async () => {
  const events = await lastValueFrom(createDemoSource({ historySeconds: 60, now: () => NOW }).pipe(toArray()));
  assert.deepEqual(events[0], {
    kind: 'status',
    source: 'demo',
    state: 'connected',
    message: 'demo cluster: Online Boutique in namespace shop, seed 1, 20 flows/s',
  });
  const flows = events.filter((e): e is Extract<SourceEvent, { kind: 'flow' }> => e.kind === 'flow').map((e) => e.flow);
  assert.equal(flows.length, events.length - 1);
  assert.ok(flows.length > 600 && flows.length < 1800, `about 20 flows/s over 60 s, got ${flows.length}`);
  let prev = -Infinity;
  for (const f of flows) {
    const t = flowTimeMs(f);
    assert.ok(t <= NOW && t >= NOW - 60_000, `${f.time} within the last minute`);
    assert.ok(t >= prev, `${f.time} not before the previous flow`);
    assert.ok(f.time !== undefined && f.time >= (flows[0].time ?? ''), 'string times sort too');
    prev = t;
  }
});

test('the same options give the same flows; another seed gives other flows', async () => {
  const run = (seed: number) =>
    lastValueFrom(createDemoSource({ seed, historySeconds: 30, now: () => NOW }).pipe(toArray()));
  const a = await run(7);
  const b = await run(7);
  const c = await run(8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(JSON.stringify(a.slice(1, 50)), JSON.stringify(c.slice(1, 50)));
});

test('follow: live flows keep coming after history with times after the start, until unsubscribed', async () => {
  let clock = NOW;
  const src = createDemoSource({ historySeconds: 0, follow: true, rate: 2000, now: () => clock });
  const got: SourceEvent[] = [];
  await new Promise<void>((resolve) => {
    const sub = src.pipe(take(200)).subscribe({
      next: (e) => {
        got.push(e);
      },
      complete: resolve,
    });
    // Advance the injected clock in steps; the source ticks on a real timer and reads it.
    const iv = setInterval(() => {
      clock += 100;
      if (sub.closed) clearInterval(iv);
    }, 5);
  });
  const flows = got.filter((e) => e.kind === 'flow');
  assert.equal(flows.length, 199);
  for (const e of flows) if (e.kind === 'flow') assert.ok(flowTimeMs(e.flow) >= NOW);
});

test('invalid options are rejected with the option named', () => {
  assert.throws(() => createDemoSource({ rate: 0 }), /rate must be a positive number.*got 0/);
  assert.throws(() => createDemoSource({ rate: -5 }), (e: unknown) => e instanceof DemoOptionError && e instanceof RangeError);
  assert.throws(() => createDemoSource({ rate: Number.NaN }), /rate/);
  assert.throws(() => createDemoSource({ rate: 2_000_000 }), /rate must be .* at most 1000000 \(got 2000000\)/);
  assert.throws(() => createDemoSource({ historySeconds: -1 }), /historySeconds/);
  assert.throws(() => createDemoSource({ namespace: 'Bad_NS' }), /namespace.*Bad_NS/);
  assert.throws(() => createDemoSource({ seed: 1.5 }), /seed/);
  assert.throws(() => createDemoSource({ maxHistoryFlows: -3 }), /maxHistoryFlows/);
  assert.throws(() => createDemoSource({ slowdownAfterSeconds: Number.NaN }), /slowdownAfterSeconds/);
});

/**
 * Subscribes with a fake clock, advances it by `steps` (ms) on a timer, then waits
 * until the source has caught up with the final clock (a flow within its last
 * 200 ms) before unsubscribing, so the outcome does not depend on timer luck.
 */
function runLive(opts: Parameters<typeof createDemoSource>[0], steps: number[]): Promise<SourceEvent[]> {
  let clock = NOW;
  let latestFlowMs = 0;
  const events: SourceEvent[] = [];
  return new Promise((resolve, reject) => {
    const sub = createDemoSource({ ...opts, follow: true, now: () => clock }).subscribe({
      next: (e) => {
        events.push(e);
        if (e.kind === 'flow') latestFlowMs = flowTimeMs(e.flow);
      },
      error: reject,
    });
    let i = 0;
    const iv = setInterval(() => {
      if (i < steps.length) {
        clock += steps[i++];
      } else if (latestFlowMs >= clock - 200) {
        clearInterval(iv);
        sub.unsubscribe();
        resolve(events);
      }
    }, 30);
  });
}

test('live: the slowdown starts slowdownAfterSeconds after the live start, not before', async () => {
  // 8 s of fake live time in 100 ms steps at 3000 flows/s; slowdown after 4 s.
  const events = await runLive({ historySeconds: 0, rate: 3000, slowdownAfterSeconds: 4 }, Array(80).fill(100));
  const lat = (from: number, to: number) =>
    events
      .flatMap((e) => (e.kind === 'flow' ? [e.flow] : []))
      .filter((f) => f.l7?.type === 'RESPONSE' && f.source?.workloads?.[0]?.name === 'productcatalogservice')
      .filter((f) => flowTimeMs(f) >= NOW + from && flowTimeMs(f) < NOW + to)
      .map((f) => (f.l7?.latency_ns ?? 0) / 1e6)
      .sort((a, b) => a - b);
  const before = lat(0, 4000);
  const after = lat(4100, 8000);
  assert.ok(before.length > 100 && after.length > 100, `${before.length} / ${after.length} responses`);
  const median = (xs: number[]) => xs[Math.floor(xs.length / 2)];
  assert.ok(median(after) > 2.5 * median(before), `median ${median(before)} -> ${median(after)} ms`);
});

test('live: a stalled clock jump is skipped and reported as lost events, not burst out', async () => {
  const events = await runLive({ historySeconds: 0, rate: 1000 }, [100, 100, 30_000, 100, 100]);
  const lost = events.filter((e) => e.kind === 'lost');
  assert.equal(lost.length, 1);
  const n = lost[0].kind === 'lost' ? (lost[0].lost.num_events_lost ?? 0) : 0;
  assert.ok(n > 25_000 && n < 32_000, `about 30 s x 1000/s lost, got ${n}`);
  assert.equal(lost[0].kind === 'lost' && lost[0].lost.source, 'OBSERVER_EVENTS_QUEUE');
  const flows = events.filter((e) => e.kind === 'flow').length;
  assert.ok(flows < 2_000, `only the ~0.4 s actually generated arrive (${flows})`);
});

test('live: a short lag (history took a while, slow consumer) is caught up without losing flows', async () => {
  const events = await runLive({ historySeconds: 0, rate: 1000 }, [100, 4_000, 100, 100]);
  assert.equal(events.filter((e) => e.kind === 'lost').length, 0);
  const flows = events.flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));
  assert.ok(flows.length > 3_500, `about 4.3 s x 1000/s delivered, got ${flows.length}`);
  let prev = 0;
  for (const f of flows) {
    assert.ok(flowTimeMs(f) >= prev);
    prev = flowTimeMs(f);
  }
});

test('history at a high rate is capped, with a warning saying so', async () => {
  const events = await lastValueFrom(createDemoSource({ rate: 5_000, historySeconds: 300, maxHistoryFlows: 10_000, now: () => NOW }).pipe(toArray()));
  const warning = events.find((e) => e.kind === 'status' && e.state === 'warning');
  assert.ok(warning !== undefined && warning.kind === 'status');
  assert.equal(warning.message, 'demo: history limited to the last 2.0s (10000 flows at 5000 flows/s)');
  const flows = events.flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));
  assert.ok(flows.length > 8_000 && flows.length <= 11_000, `${flows.length} flows`);
  assert.ok(flowTimeMs(flows[0]) >= NOW - 2_000);
  // Without the cap the default is 250,000 flows.
  assert.equal(MAX_HISTORY_FLOWS, 250_000);
});

test('unsubscribing (here via take) stops generation: no more clock reads, no timers left', async () => {
  let reads = 0;
  const now = () => {
    reads++;
    return NOW;
  };
  const got = await lastValueFrom(createDemoSource({ follow: true, historySeconds: 600, rate: 2000, now }).pipe(take(5), toArray()));
  assert.equal(got.length, 5);
  const after = reads;
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(reads, after, 'no live ticks after unsubscribe');
});

test('no history and no follow: just the status event, then completion', async () => {
  const events = await lastValueFrom(createDemoSource({ historySeconds: 0, seed: 0, now: () => NOW }).pipe(toArray()));
  assert.deepEqual(events.map((e) => e.kind), ['status']);
});
