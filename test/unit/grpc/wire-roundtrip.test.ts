// The hand-written GetFlowsResponse codec against the independent reference
// (flow-mapping.ts + protobufjs), over every golden event and thousands of demo flows:
// new encoder -> reference decoder, reference encoder -> new decoder, and the bytes
// themselves (both write the fields netscope has in field-number order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceEvent } from '../../../src/model/source.ts';
import { decodeGetFlowsResponse, encodeGetFlowsResponse } from '../../../src/grpc/wire/get-flows.ts';
import { demoEvents, edgeEvents, golden, NODE, referenceBytes, referenceDecode } from './wire-fixtures.ts';

const sets: [string, SourceEvent[]][] = [
  ['golden events', golden()],
  ['demo flows', demoEvents()],
  ['hand-made edge events', edgeEvents()],
];

for (const [name, events] of sets) {
  test(`${name}: the wire encoder gives protobufjs' bytes`, () => {
    assert.ok(events.length >= 10);
    for (const [i, ev] of events.entries()) {
      const mine = encodeGetFlowsResponse(ev, NODE);
      const ref = referenceBytes(ev);
      assert.equal(mine.toString('hex'), ref.toString('hex'), `event ${i}: ${JSON.stringify(ev)}`);
    }
  });

  test(`${name}: wire encoder -> protobufjs + flowFromProto gives the reference's event`, () => {
    for (const [i, ev] of events.entries()) {
      const unknown: string[] = [];
      const back = referenceDecode(encodeGetFlowsResponse(ev, NODE), (f, v) => unknown.push(`${f}=${v}`));
      assert.deepStrictEqual(back, referenceDecode(referenceBytes(ev)), `event ${i}`);
      assert.deepEqual(unknown, []);
    }
  });

  test(`${name}: protobufjs encoding -> wire decoder gives what eventFromResponse gives`, () => {
    for (const [i, ev] of events.entries()) {
      const bytes = referenceBytes(ev);
      const unknown: string[] = [];
      assert.deepStrictEqual(decodeGetFlowsResponse(bytes, (f, v) => unknown.push(`${f}=${v}`)), referenceDecode(bytes), `event ${i}`);
      assert.deepEqual(unknown, []);
    }
  });
}

test('demo flows carry what the codec has to handle (so the round trips above cover it)', () => {
  const flows = demoEvents().flatMap((ev) => (ev.kind === 'flow' ? [ev.flow] : []));
  assert.ok(flows.some((f) => f.l7?.http !== undefined), 'HTTP');
  assert.ok(flows.some((f) => f.l7?.dns !== undefined), 'DNS');
  assert.ok(flows.some((f) => f.verdict === 'DROPPED'), 'drops');
  assert.ok(flows.some((f) => f.l4?.TCP?.flags !== undefined), 'TCP flags');
  assert.ok(flows.some((f) => f.l4?.UDP !== undefined), 'UDP');
});

test('a Uint8Array view into a larger buffer decodes like a Buffer', () => {
  const ev = demoEvents(1, 50)[0]!;
  const bytes = referenceBytes(ev);
  const big = new Uint8Array(bytes.length + 10);
  big.set(bytes, 5);
  assert.deepStrictEqual(decodeGetFlowsResponse(big.subarray(5, 5 + bytes.length)), referenceDecode(bytes));
});
