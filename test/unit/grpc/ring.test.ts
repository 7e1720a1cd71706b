import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventRing, utcTime } from '../../../src/grpc/ring.ts';
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

// An independent reading of the UTC spelling: Date.parse for the seconds, the digits for the fraction.
function reference(s: string): { seconds: number; nanos: number } | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(s);
  if (m === null) return undefined;
  const ms = Date.parse(`${m[1]}Z`);
  if (Number.isNaN(ms)) return undefined;
  return { seconds: ms / 1000, nanos: m[2] === undefined ? 0 : Number(m[2].padEnd(9, '0')) };
}

test('utcTime reads the same times as a whole-string parse, with and without a shared second', () => {
  const texts = [
    '2026-12-03T12:00:01Z',
    '2026-12-03T12:00:01.5Z',
    '2026-12-03T12:00:01.123Z',
    '2026-12-03T12:00:01.123456Z',
    '2026-12-03T12:00:01.123456789Z',
    '2026-12-03T12:00:01.000000001Z',
    '2026-12-03T12:00:02.9Z',
    '2026-12-03T12:00:02Z',
    '2026-12-03T12:00:01.07Z',
  ];
  for (const s of texts) assert.deepEqual(utcTime(s), reference(s), s);
  // Same second as the last one, but not a valid time: never read as one.
  utcTime('2026-12-03T12:00:01Z');
  for (const bad of ['2026-12-03T12:00:01.Z', '2026-12-03T12:00:01.1234567890Z', '2026-12-03T12:00:01.12a4Z', '2026-12-03T12:00:01xZ']) {
    assert.equal(utcTime(bad), undefined, bad);
  }
  // Other offsets and spellings go through the full parse.
  assert.deepEqual(utcTime('2026-12-03T13:00:01.25+01:00'), { seconds: Date.parse('2026-12-03T12:00:01Z') / 1000, nanos: 250_000_000 });
  assert.deepEqual(utcTime('2026-12-03T12:00:01.25z'), { seconds: Date.parse('2026-12-03T12:00:01Z') / 1000, nanos: 250_000_000 });
});

test('an entry has the time of its event (flows, lost events, node status) and none for other kinds', () => {
  const r = new EventRing(8);
  const f = r.at(r.push({ kind: 'flow', flow: { time: '2026-12-03T12:00:01.5Z' } }))!;
  const l = r.at(r.push({ kind: 'lost', time: '2026-12-03T12:00:02Z', lost: { num_events_lost: 3 } }))!;
  const n = r.at(r.push({ kind: 'node-status', time: '2026-12-03T12:00:03.25Z', status: { state_change: 'NODE_CONNECTED', node_names: ['a'] } }))!;
  const bad = r.at(r.push({ kind: 'flow', flow: { time: 'yesterday' } }))!;
  const none = r.at(r.push({ kind: 'flow', flow: {} }))!;
  const s = Date.parse('2026-12-03T12:00:00Z') / 1000;
  assert.deepEqual(f.ts, { seconds: s + 1, nanos: 500_000_000 });
  assert.deepEqual(l.ts, { seconds: s + 2, nanos: 0 });
  assert.deepEqual(n.ts, { seconds: s + 3, nanos: 250_000_000 });
  assert.equal(bad.ts, undefined);
  assert.equal(none.ts, undefined);
  assert.equal(r.at(f.seq), f, 'the entry read back is the one pushed (its cached encoding is shared)');
  f.bytes = Buffer.from([1]);
  assert.deepEqual(r.at(f.seq)!.bytes, Buffer.from([1]));
});
