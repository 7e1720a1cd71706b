import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceEvent } from '../../../src/model/source.ts';
import { IngestSlices, type IngestTarget } from '../../../src/views/ingest-slices.ts';

// A clock that advances 0.1 ms per ingested event, and a scheduler whose turns the test runs.
function rig(opts: { maxQueued?: number; failOn?: number } = {}) {
  let clock = 0;
  const taken: number[] = [];
  const bad: string[] = [];
  const turns: (() => void)[] = [];
  const target: IngestTarget = {
    ingest: (ev) => {
      clock += 0.1;
      const n = ev.kind === 'lost' ? (ev.lost.num_events_lost ?? -1) : -1;
      if (n === opts.failOn) throw new Error(`bad ${n}`);
      taken.push(n);
    },
    noteBadEvent: (err) => bad.push(String(err)),
  };
  const slices = new IngestSlices(target, { sliceMs: 4, maxQueued: opts.maxQueued, schedule: (fn) => turns.push(fn), now: () => clock });
  const turn = () => {
    const fn = turns.shift();
    assert.ok(fn, 'a turn was scheduled');
    fn();
  };
  return { slices, taken, bad, turns, turn };
}

const ev = (n: number): SourceEvent => ({ kind: 'lost', lost: { num_events_lost: n } });

test('a burst is ingested in slices, one per turn of the event loop, in order', () => {
  const r = rig();
  for (let i = 0; i < 1000; i++) r.slices.push(ev(i));
  assert.equal(r.taken.length, 0, 'nothing is ingested while the source delivers');
  assert.equal(r.turns.length, 1, 'one turn scheduled for the whole burst');
  r.turn();
  // 4 ms at 0.1 ms per event: the clock is read every 64 events, so 64 x 1 > 40 events.
  assert.equal(r.taken.length, 64);
  assert.equal(r.slices.queued, 936);
  while (r.turns.length > 0) r.turn();
  assert.deepEqual(r.taken, Array.from({ length: 1000 }, (_, i) => i));
  assert.equal(r.slices.queued, 0);
});

test("a source's end is reported after every event before it is ingested", () => {
  const r = rig();
  for (let i = 0; i < 200; i++) r.slices.push(ev(i));
  let doneAt = -1;
  r.slices.whenDrained(() => (doneAt = r.taken.length));
  while (r.turns.length > 0) r.turn();
  assert.equal(doneAt, 200);
  let now = false;
  r.slices.whenDrained(() => (now = true));
  assert.ok(now, 'with nothing queued it runs at once');
});

test('an event the store rejects is counted and the rest still go in', () => {
  const r = rig({ failOn: 3 });
  for (let i = 0; i < 6; i++) r.slices.push(ev(i));
  r.turn();
  assert.deepEqual(r.taken, [0, 1, 2, 4, 5]);
  assert.deepEqual(r.bad, ['Error: bad 3']);
});

test('past maxQueued the queue is worked off at once: nothing is dropped', () => {
  const r = rig({ maxQueued: 100 });
  for (let i = 0; i <= 100; i++) r.slices.push(ev(i));
  assert.equal(r.taken.length, 101);
  assert.equal(r.slices.queued, 0);
});

test('after stop nothing more is ingested', () => {
  const r = rig();
  for (let i = 0; i < 10; i++) r.slices.push(ev(i));
  r.slices.stop();
  r.slices.push(ev(99));
  while (r.turns.length > 0) r.turn();
  assert.deepEqual(r.taken, []);
});

test('ingestNow takes an event at once, after anything still queued', () => {
  const r = rig();
  for (let i = 0; i < 100; i++) r.slices.push(ev(i));
  r.slices.ingestNow(ev(100));
  assert.deepEqual(r.taken, Array.from({ length: 101 }, (_, i) => i));
});
