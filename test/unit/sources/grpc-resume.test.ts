// The resume point of a following gRPC stream: the text comparison of flow times is
// checked against parsing both (codec/timestamp.ts) on many random times and forms,
// and de-duplication keeps a new flow that shares the newest time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareTimestamps, parseTimestamp } from '../../../src/codec/timestamp.ts';
import { compareTimeText, ResumePoint } from '../../../src/sources/grpc-resume.ts';

function randomTime(rand: () => number): string {
  const ms = Date.parse('2026-01-01T00:00:00Z') + Math.floor(rand() * 4) * 1000 + Math.floor(rand() * 3) * 60_000;
  const base = new Date(ms).toISOString().slice(0, 19);
  const nanos = [0, 5e8, 123e6, 123_456_000, 123_456_789, 1, 999_999_999][Math.floor(rand() * 7)]!;
  const digits = [0, 1, 3, 6, 9][Math.floor(rand() * 5)]!;
  const frac = digits === 0 ? '' : '.' + String(nanos).padStart(9, '0').slice(0, digits);
  const form = rand();
  if (form < 0.1) return `${base}${frac}+00:00`; // an offset: the parsed path
  if (form < 0.15) return `${base.replace('T', 't')}${frac}z`;
  return `${base}${frac}Z`;
}

test('compareTimeText orders times as parsing them does', () => {
  let seed = 42;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 20_000; i++) {
    const a = randomTime(rand);
    const b = randomTime(rand);
    const want = Math.sign(compareTimestamps(parseTimestamp(a)!, parseTimestamp(b)!));
    assert.equal(Math.sign(compareTimeText(a, b)!), want, `${a} vs ${b}`);
  }
});

test('compareTimeText: text that is not a time compares as nothing', () => {
  assert.equal(compareTimeText('yesterday', '2026-01-01T00:00:00Z'), undefined);
  assert.equal(compareTimeText('2026-01-01T00:00:00.Z', '2026-01-01T00:00:00Z'), undefined);
  assert.equal(compareTimeText('garbage', 'garbage'), undefined);
  assert.equal(compareTimeText('2026-01-01T00:00:00.5Z', '2026-01-01T00:00:00.500Z'), 0);
});

test('a resumed stream repeats nothing already delivered and keeps what is new at the same time', () => {
  const r = new ResumePoint();
  const f = (uuid: string, time?: string) => ({ uuid, time });
  assert.equal(r.since, undefined);
  assert.ok(r.fresh(f('a', '2026-01-01T00:00:01Z')));
  assert.ok(r.fresh(f('b', '2026-01-01T00:00:02.5Z')));
  assert.ok(r.fresh(f('old', '2026-01-01T00:00:00Z')), 'out of order, never resent');
  assert.deepEqual(r.since, { seconds: Date.parse('2026-01-01T00:00:02Z') / 1000, nanos: 5e8 });
  // The resumed stream starts at `since` again:
  assert.equal(r.fresh(f('b', '2026-01-01T00:00:02.500Z')), false, 'the same flow, the same time in another spelling');
  assert.ok(r.fresh(f('c', '2026-01-01T00:00:02.5Z')), 'another flow at that time');
  assert.equal(r.fresh(f('c', '2026-01-01T00:00:02.5Z')), false);
  assert.ok(r.fresh(f('d', '2026-01-01T00:00:03Z')));
  assert.ok(r.fresh(f('no-time')));
});
