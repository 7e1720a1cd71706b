import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastValueFrom, toArray, take } from 'rxjs';
import { createDemoSource } from '../../../src/sources/demo/index.ts';
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
  assert.throws(() => createDemoSource({ rate: Number.NaN }), /rate/);
  assert.throws(() => createDemoSource({ historySeconds: -1 }), /historySeconds/);
  assert.throws(() => createDemoSource({ namespace: 'Bad_NS' }), /namespace.*Bad_NS/);
  assert.throws(() => createDemoSource({ seed: 1.5 }), /seed/);
});
