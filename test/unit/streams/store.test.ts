import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';
import { from } from 'rxjs';
import { FlowStore } from '../../../src/streams/flow-store.ts';
import { frames, ingestInto } from '../../../src/streams/frames.ts';
import { Counters } from '../../../src/streams/counters.ts';
import { mkFlow } from './fixtures.ts';
import type { SourceEvent } from '../../../src/model/source.ts';

const T0 = 1_700_000_000_000;

test('store keeps every flow, shows matching ones, and re-applies a new filter to the buffer', () => {
  const store = new FlowStore(100);
  const events: SourceEvent[] = [
    { kind: 'status', source: 'demo', state: 'connected' },
    { kind: 'flow', flow: mkFlow({ t: T0, to: 'shop/cart-6c9b8d7f5c-fghij' }) },
    { kind: 'flow', flow: mkFlow({ t: T0 + 1, verdict: 'DROPPED', to: 'shop/payment-6c9b8d7f5c-fghij' }) },
    { kind: 'lost', lost: { source: 'PERF_EVENT_RING_BUFFER', num_events_lost: 7 } },
  ];
  from(events).pipe(ingestInto(store)).subscribe();
  assert.equal(store.status.state, 'connected');
  assert.equal(store.shown.size, 2);
  store.setFilter((f) => f.verdict === 'DROPPED');
  assert.equal(store.shown.size, 1);
  assert.equal(store.all.size, 2);
  const edges = store.topology.snapshot('workload', store.nowMs());
  assert.deepEqual(edges.map((e) => e.to), ['shop/payment']);
  store.ingest({ kind: 'flow', flow: mkFlow({ t: T0 + 2 }) });
  assert.equal(store.shown.size, 1, 'non-matching new flow is not shown');
  const c = store.counters.snapshot();
  assert.equal(c.total, 3);
  assert.equal(c.dropped, 1);
  assert.equal(c.lost, 7);
  assert.ok(store.names.pods.has('payment-6c9b8d7f5c-fghij'));
});

test('ring buffer bound holds under a flood', () => {
  const store = new FlowStore(50);
  for (let i = 0; i < 1000; i++) store.ingest({ kind: 'flow', flow: mkFlow({ t: T0 + i }) });
  assert.equal(store.all.size, 50);
  assert.equal(store.shown.size, 50);
  assert.equal(store.counters.total, 1000);
});

test('counters rate counts whole past seconds only', () => {
  const c = new Counters(5000);
  for (let i = 0; i < 100; i++) c.addFlow(mkFlow({}), T0 + i * 50); // 20/s for 5 s
  const s = c.snapshot(T0 + 5000);
  assert.equal(s.rate, 20);
});

test('frames redraw at the period only when the state changed', () => {
  const ts = new TestScheduler((a, b) => assert.deepEqual(a, b));
  ts.run(({ expectObservable }) => {
    let v = 0;
    // state changes at 150 ms and 420 ms; frames every 100 ms for 600 ms
    ts.schedule(() => (v = 1), 150);
    ts.schedule(() => (v = 2), 420);
    const f = frames(() => v, 100, ts);
    expectObservable(f, '^ 650ms !').toBe('100ms a 99ms b 299ms c', { a: 0, b: 1, c: 2 });
  });
});

test('flow times: nanosecond UTC fast path agrees with Date.parse; other forms still parse', () => {
  const store = new FlowStore(10);
  const times = ['2026-01-02T03:04:05.678901234Z', '2026-01-02T03:04:05.999Z', '2026-01-02T03:04:06.000000001Z', '2026-01-02T05:04:07.5+02:00', '2026-01-02T03:04:08Z'];
  for (const time of times) {
    store.ingest({ kind: 'flow', flow: { ...mkFlow({}), time } });
    assert.equal(store.nowMs(), Date.parse(time), time);
  }
});

test('an event the store cannot take is counted and skipped; the stream goes on', () => {
  const store = new FlowStore(10);
  const events: SourceEvent[] = [
    { kind: 'flow', flow: mkFlow({ t: T0 }) },
    // Malformed: labels is not an array (a broken exporter).
    { kind: 'flow', flow: { ...mkFlow({ t: T0 + 1 }), source: { namespace: 'shop', pod_name: 'x-1', labels: 42 as unknown as string[] } } },
    { kind: 'flow', flow: mkFlow({ t: T0 + 2 }) },
  ];
  let completed = false;
  from(events).pipe(ingestInto(store)).subscribe({ complete: () => (completed = true) });
  assert.equal(completed, true);
  assert.equal(store.badEvents, 1);
  assert.match(store.status.message ?? '', /skipped 1 malformed event/);
  assert.equal(store.counters.total, 3);
  assert.equal(store.all.bySeq(2)?.time, events[2].kind === 'flow' ? events[2].flow.time : '', 'the flow after the bad one is kept');
});

test('clearing a filter brings back the aggregates of all flows, beyond what the ring holds', () => {
  const store = new FlowStore(10);
  for (let i = 0; i < 200; i++) {
    const t = T0 + i * 1000;
    store.ingest({ kind: 'flow', flow: mkFlow({ t, svc: 'cart', http: { latencyMs: 5 } }) });
  }
  const full = store.red.snapshot(95, store.nowMs())[0].series.filter((x) => x !== undefined).length;
  assert.ok(full >= 39, `series points ${full}`);
  store.setFilter((f) => f.verdict === 'DROPPED');
  assert.equal(store.red.snapshot(95, store.nowMs()).length, 0);
  assert.equal(store.shown.size, 0);
  store.setFilter(() => true, true);
  assert.equal(store.red.snapshot(95, store.nowMs())[0].series.filter((x) => x !== undefined).length, full);
  assert.equal(store.shown, store.all);
  // A filter that matches everything but is a real filter rebuilds from the ring only.
  store.setFilter(() => true);
  assert.ok(store.red.snapshot(95, store.nowMs())[0].series.filter((x) => x !== undefined).length < full);
});
