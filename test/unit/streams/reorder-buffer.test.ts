// The fan-in's building blocks: time keys with nanoseconds, and the k-way reorder buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyLess, timeKey } from '../../../src/streams/flow-time-key.ts';
import { NodeQueue, ReorderBuffer, type Keyed } from '../../../src/streams/reorder-buffer.ts';

test('timeKey: milliseconds plus the nanoseconds within them, for every RFC 3339 layout', () => {
  const ms = Date.parse('2026-01-01T00:00:00Z');
  assert.deepEqual(timeKey('2026-01-01T00:00:00.123456789Z'), { ms: ms + 123, ns: 456_789 });
  assert.deepEqual(timeKey('2026-01-01T00:00:00.5Z'), { ms: ms + 500, ns: 0 });
  assert.deepEqual(timeKey('2026-01-01T00:00:00Z'), { ms, ns: 0 });
  assert.deepEqual(timeKey('2026-01-01T01:00:00.000000042+01:00'), { ms, ns: 42 });
  assert.equal(timeKey('yesterday'), undefined);
  assert.equal(timeKey('2026-01-01T00:00:00.12x4Z'), undefined);
  // Ordered by the sub-millisecond digits too, which one float could not hold.
  assert.ok(keyLess(timeKey('2026-01-01T00:00:00.123456788Z')!, timeKey('2026-01-01T00:00:00.123456789Z')!));
  assert.ok(!keyLess(timeKey('2026-01-01T00:00:00.123456789Z')!, timeKey('2026-01-01T00:00:00.123456789Z')!));
});

interface Item extends Keyed {
  name: string;
}

test('reorder buffer: the oldest of all queues first; out-of-order arrivals within a node are placed; ties keep arrival order', () => {
  const buf = new ReorderBuffer<Item>();
  const a = new NodeQueue<Item>();
  const b = new NodeQueue<Item>();
  let seq = 0;
  const put = (q: NodeQueue<Item>, ms: number, name: string, ns = 0): void => buf.push(q, { ms, ns, seq: seq++, name });
  put(a, 10, 'a10');
  put(a, 30, 'a30');
  put(b, 20, 'b20');
  put(a, 15, 'a15'); // out of order within a
  put(b, 5, 'b5'); // b's new first, older than everything
  put(b, 20, 'b20-second'); // tie with b20: after it
  put(a, 20, 'a20'); // tie with b20 (from another node): after both, it came later
  put(a, 20, 'a20-ns', 1);
  assert.equal(buf.size, 8);
  assert.equal(buf.peek()?.name, 'b5');
  const out: string[] = [];
  while (buf.size > 0) out.push(buf.pop()!.name);
  assert.deepEqual(out, ['b5', 'a10', 'a15', 'b20', 'b20-second', 'a20', 'a20-ns', 'a30']);
  assert.equal(buf.pop(), undefined);
  // Emptied queues left the heap and can come back.
  put(b, 1, 'again');
  assert.equal(buf.pop()?.name, 'again');
});

test('reorder buffer: matches a sort of everything pushed, over many nodes and random arrival', () => {
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const buf = new ReorderBuffer<Item>();
  const queues = Array.from({ length: 13 }, () => new NodeQueue<Item>());
  const all: Item[] = [];
  for (let i = 0; i < 5000; i++) {
    const it: Item = { ms: Math.floor(rnd() * 1000), ns: Math.floor(rnd() * 3), seq: i, name: String(i) };
    all.push(it);
    buf.push(queues[Math.floor(rnd() * queues.length)]!, it);
    if (rnd() < 0.3) {
      // Interleave pops: whatever is popped must be the minimum of what is held.
      const held = all.filter((x) => !(x as { out?: boolean }).out);
      const min = held.reduce((m, x) => (x.ms < m.ms || (x.ms === m.ms && (x.ns < m.ns || (x.ns === m.ns && x.seq < m.seq))) ? x : m));
      const got = buf.pop()!;
      assert.equal(got, min);
      (got as { out?: boolean }).out = true;
    }
  }
});
