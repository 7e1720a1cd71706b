import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowUuidGenerator } from '../../src/bpf-bridge/flow-uuid.ts';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('flow uuids have the version-4 layout and do not repeat within a run', () => {
  const next = flowUuidGenerator();
  const seen = new Set<string>();
  for (let i = 0; i < 20000; i++) {
    const u = next();
    assert.match(u, V4);
    seen.add(u);
  }
  assert.equal(seen.size, 20000);
});

test('two runs draw different uuids', () => {
  const a = flowUuidGenerator();
  const b = flowUuidGenerator();
  const fromA = new Set(Array.from({ length: 1000 }, () => a()));
  for (let i = 0; i < 1000; i++) assert.ok(!fromA.has(b()));
});
