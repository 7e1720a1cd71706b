import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer } from '../../../src/streams/ring-buffer.ts';

test('keeps the newest items up to capacity and evicts the oldest', () => {
  const r = new RingBuffer<number>(3);
  assert.equal(r.push(1), undefined);
  r.push(2);
  r.push(3);
  assert.equal(r.push(4), 1);
  assert.deepEqual(r.toArray(), [2, 3, 4]);
  assert.equal(r.size, 3);
  assert.equal(r.startSeq, 1);
  assert.equal(r.endSeq, 4);
});

test('items stay addressable by sequence number until evicted', () => {
  const r = new RingBuffer<string>(2);
  r.push('a');
  r.push('b');
  assert.equal(r.bySeq(0), 'a');
  r.push('c');
  assert.equal(r.bySeq(0), undefined);
  assert.equal(r.bySeq(1), 'b');
  assert.equal(r.bySeq(2), 'c');
  assert.equal(r.bySeq(3), undefined);
});

test('clear empties but keeps sequence numbers increasing', () => {
  const r = new RingBuffer<number>(2);
  r.push(1);
  r.clear();
  assert.equal(r.size, 0);
  r.push(2);
  assert.equal(r.startSeq, 1);
  assert.equal(r.bySeq(1), 2);
});

test('rejects a non-positive capacity', () => {
  assert.throws(() => new RingBuffer(0), /capacity/);
});
