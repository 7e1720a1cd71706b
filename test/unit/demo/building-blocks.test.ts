// The simulator's small pure parts: PRNG, uuid and time formatting, the flow queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../../../src/model/flow.ts';
import { FlowQueue } from '../../../src/sources/demo/flow-queue.ts';
import { rfc3339Nanos } from '../../../src/sources/demo/flow-time.ts';
import { Rng, formatUuid } from '../../../src/sources/demo/prng.ts';

test('Rng: same seed same stream, other seed or stream another; values in range', () => {
  const draw = (r: Rng) => Array.from({ length: 20 }, () => r.nextU32());
  assert.deepEqual(draw(new Rng(5)), draw(new Rng(5)));
  assert.notDeepEqual(draw(new Rng(5)), draw(new Rng(6)));
  assert.notDeepEqual(draw(new Rng(5)), draw(new Rng(5, 1)));
  const r = new Rng(9);
  for (let i = 0; i < 2000; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    const k = r.range(3, 7);
    assert.ok(Number.isInteger(k) && k >= 3 && k <= 7);
    assert.ok(r.logNormal(2, 0.5) > 0);
  }
  // Log-normal median close to the requested one.
  const xs = Array.from({ length: 4001 }, () => r.logNormal(10, 0.6)).sort((a, b) => a - b);
  assert.ok(Math.abs(xs[2000] - 10) < 1, `median ${xs[2000]}`);
});

test('formatUuid: RFC 4122 version 4 / variant 1 layout, every bit of input placed', () => {
  assert.equal(formatUuid(0, 0, 0, 0), '00000000-0000-4000-8000-000000000000');
  assert.equal(formatUuid(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff), 'ffffffff-ffff-4fff-bfff-ffffffffffff');
  assert.equal(formatUuid(0x12345678, 0x9abcdef0, 0x0fedcba9, 0x87654321), '12345678-9abc-4ef0-8fed-cba987654321');
});

test('rfc3339Nanos: protobuf JSON style (9, 6, 3 or no fraction digits), second boundaries', () => {
  const us = Date.UTC(2026, 0, 1, 10, 0, 0) * 1000;
  assert.equal(rfc3339Nanos(us, 0), '2026-01-01T10:00:00Z');
  assert.equal(rfc3339Nanos(us + 120_000, 0), '2026-01-01T10:00:00.120Z');
  assert.equal(rfc3339Nanos(us + 120_001, 0), '2026-01-01T10:00:00.120001Z');
  assert.equal(rfc3339Nanos(us + 1, 1), '2026-01-01T10:00:00.000001001Z');
  assert.equal(rfc3339Nanos(us + 123_456, 789), '2026-01-01T10:00:00.123456789Z');
  assert.equal(rfc3339Nanos(us + 999_999, 999), '2026-01-01T10:00:00.999999999Z');
  assert.equal(rfc3339Nanos(us + 1_000_000, 1), '2026-01-01T10:00:01.000000001Z');
  assert.equal(rfc3339Nanos(us - 1, 5), '2026-01-01T09:59:59.999999005Z');
});

test('FlowQueue: drains strictly before the bound, by time then insertion order', () => {
  const q = new FlowQueue();
  const f = (name: string): Flow => ({ uuid: name });
  q.push(30, 1, f('c'));
  q.push(10, 5, f('b'));
  q.push(10, 2, f('a'));
  q.push(50, 0, f('e'));
  q.push(30, 3, f('d'));
  const seen: number[] = [];
  const out: Flow[] = [];
  q.drainBefore(30, out, (us) => seen.push(us));
  assert.deepEqual(out.map((x) => x.uuid), ['a', 'b']);
  assert.deepEqual(seen, [10, 10]);
  assert.equal(q.peekTime(), 30);
  const rest: Flow[] = [];
  q.drainBefore(Number.POSITIVE_INFINITY, rest, () => {});
  assert.deepEqual(rest.map((x) => x.uuid), ['c', 'd', 'e']);
  assert.equal(q.size, 0);
  assert.equal(q.peekTime(), Number.POSITIVE_INFINITY);
});

test('FlowQueue: many random pushes come out sorted', () => {
  const q = new FlowQueue();
  const r = new Rng(3);
  for (let i = 0; i < 5000; i++) q.push(r.int(1000), i, { uuid: String(i) });
  const out: Flow[] = [];
  const times: number[] = [];
  q.drainBefore(1000, out, (us) => times.push(us));
  assert.equal(out.length, 5000);
  for (let i = 1; i < times.length; i++) assert.ok(times[i] >= times[i - 1]);
});
