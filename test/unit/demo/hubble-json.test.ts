// Demo flows are exactly what a Hubble JSON export carries: encoding one as
// Hubble's GetFlowsResponse JSON and decoding it again gives the same value
// (no zero-valued fields protobuf JSON would drop, protojson timestamps, no
// fields outside Hubble's flow model).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeEvent } from '../../../src/codec/hubble-json-encode.ts';
import { decodeHubbleLine } from '../../../src/codec/hubble-json-decode.ts';
import { runSim } from './helpers.ts';

test('every kind of demo flow survives a Hubble JSON round trip unchanged', () => {
  const { flows } = runSim({ seconds: 60, rate: 300 });
  const kinds = new Set<string>();
  for (const flow of flows) {
    const line = encodeEvent({ kind: 'flow', flow });
    assert.ok(line !== undefined);
    const back = decodeHubbleLine(line);
    assert.ok(back !== undefined && back.kind === 'flow');
    assert.deepEqual(back.flow, JSON.parse(JSON.stringify(flow)), line);
    kinds.add(`${flow.verdict} ${flow.event_type?.type} ${flow.l7?.type ?? ''} ${flow.l7?.dns ? 'dns' : ''}`);
  }
  // Traces, drops, policy verdicts, HTTP and DNS requests and responses were all covered.
  assert.ok(kinds.size >= 8, [...kinds].join(', '));
});
