import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventRing } from '../../../src/grpc/ring.ts';
import type { SourceEvent } from '../../../src/model/source.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const ev = (n: number): SourceEvent => ({ kind: 'flow', flow: { uuid: `u${n}`, time: new Date(T0 + n * 1000).toISOString() } });
const ts = (n: number) => ({ seconds: (T0 + n * 1000) / 1000, nanos: 0 });

test('numbers entries by arrival and forgets the oldest beyond capacity', () => {
  const r = new EventRing(3);
  for (let n = 0; n < 5; n++) r.push(ev(n));
  assert.equal(r.nextSeq, 5);
  assert.equal(r.oldestSeq, 2);
  assert.equal(r.size, 3);
  assert.equal(r.at(1), undefined);
  assert.equal((r.at(2)!.ev as { flow: { uuid: string } }).flow.uuid, 'u2');
  assert.equal(r.at(5), undefined);
  assert.equal(r.evictedCount, 2);
});

test('counts what a reader resuming from a time can no longer get', () => {
  const r = new EventRing(100);
  for (let n = 0; n < 100; n++) r.push(ev(n));
  assert.equal(r.evictedSince(ts(0)), 0, 'nothing evicted yet');
  for (let n = 100; n < 1100; n++) r.push(ev(n));
  // 1000 evicted (0..999); the ring holds 1000..1099.
  assert.equal(r.evictedSince(ts(1050)), 0, 'still held');
  const lost = r.evictedSince(ts(500));
  assert.ok(lost >= 500 - 256 && lost <= 500 + 256, `about 500 evicted at or after t=500, got ${lost}`);
  assert.ok(r.evictedSince(ts(999)) >= 1, 'a gap is never reported as none');
});
