// gRPC's length-prefixed messages cut out of arbitrary chunks. The expected frames are
// built here byte by byte (not with frameMessage), and every way of cutting a stream of
// them into chunks must give back the same messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameMessage, MessageDeframer } from '../../../../src/grpc/http2/framing.ts';
import { GrpcCallError } from '../../../../src/grpc/http2/status.ts';

const frame = (flag: number, body: number[]): number[] => [flag, (body.length >>> 24) & 255, (body.length >>> 16) & 255, (body.length >>> 8) & 255, body.length & 255, ...body];
const bodies = [[1, 2, 3], [], Array.from({ length: 300 }, (_, i) => i & 255), [9]];
const wire = Buffer.from(bodies.flatMap((b) => frame(0, b)));

test('frameMessage writes the 5-byte prefix (flag 0, big-endian length) and the message', () => {
  assert.deepEqual([...frameMessage(Uint8Array.from([7, 8]))], frame(0, [7, 8]));
  assert.deepEqual([...frameMessage(new Uint8Array(0))], [0, 0, 0, 0, 0]);
});

test('one chunk with several messages gives them all at once, as views into the chunk', () => {
  const d = new MessageDeframer(1 << 20);
  const out = d.push(wire);
  assert.deepEqual(out.map((b) => [...b]), bodies);
  assert.equal(out[0]!.buffer, wire.buffer, 'no copy for a message inside one chunk');
  assert.equal(d.partial, false);
});

test('every split of the stream into two or three chunks gives the same messages', () => {
  for (let i = 0; i <= wire.length; i++) {
    for (const j of [i, Math.min(wire.length, i + 1), Math.min(wire.length, i + 4), Math.min(wire.length, i + 200)]) {
      const d = new MessageDeframer(1 << 20);
      const got = [...d.push(wire.subarray(0, i)), ...d.push(wire.subarray(i, j)), ...d.push(wire.subarray(j))].map((b) => [...b]);
      assert.deepEqual(got, bodies, `split at ${i}, ${j}`);
      assert.equal(d.partial, false);
    }
  }
});

test('byte by byte', () => {
  const d = new MessageDeframer(1 << 20);
  const got: number[][] = [];
  // Message boundaries (after each whole frame): the only places where nothing is held.
  const ends = new Set<number>();
  let end = 0;
  for (const b of bodies) ends.add((end += 5 + b.length));
  for (let i = 0; i < wire.length; i++) {
    for (const m of d.push(wire.subarray(i, i + 1))) got.push([...m]);
    assert.equal(d.partial, !ends.has(i + 1), `partial after byte ${i}`);
  }
  assert.deepEqual(got, bodies);
});

test('a stream cut in the middle of a message is partial', () => {
  const d = new MessageDeframer(1 << 20);
  assert.equal(d.push(wire.subarray(0, 10)).length, 1);
  assert.equal(d.partial, true);
});

test('a compressed message, a bad flags byte and an oversized length are errors, before the body arrives', () => {
  const compressed = new MessageDeframer(1 << 20, 'gzip');
  assert.throws(() => compressed.push(Buffer.from(frame(1, [1, 2]))), (e: GrpcCallError) => e.code === 13 && /compressed message \(grpc-encoding: gzip\)/.test(e.details));
  assert.throws(() => new MessageDeframer(100).push(Buffer.from(frame(2, [1]))), (e: GrpcCallError) => e.code === 13 && /flags byte \(2\)/.test(e.details));
  // Only the prefix of a 5 MiB message: refused without waiting for (or holding) its body.
  const big = Buffer.from([0, 0, 0x50, 0, 0]);
  assert.throws(() => new MessageDeframer(4 * 1024 * 1024).push(big), (e: GrpcCallError) => e.code === 8 && e.details === 'Received message larger than max (5242880 vs 4194304)');
  // The same prefix split over two chunks.
  const d = new MessageDeframer(4 * 1024 * 1024);
  d.push(big.subarray(0, 2));
  assert.throws(() => d.push(big.subarray(2)), (e: GrpcCallError) => e.code === 8);
});

test('good messages before a bad prefix in the same chunk are returned first; the error then stays', () => {
  const d = new MessageDeframer(1 << 20, 'gzip');
  const out = d.push(Buffer.from([...frame(0, [1]), ...frame(0, [2]), ...frame(1, [3])]));
  assert.deepEqual(out.map((b) => [...b]), [[1], [2]]);
  assert.ok(d.failure instanceof GrpcCallError && /compressed/.test(d.failure.details));
  assert.throws(() => d.push(Buffer.from(frame(0, [4]))), /compressed/);
});
