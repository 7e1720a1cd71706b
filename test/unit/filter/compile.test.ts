import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseFilterArgs, compileFilterSet } from '../../../src/filter/index.ts';
import type { FlowFilter } from '../../../src/filter/index.ts';
import type { Flow } from '../../../src/model/flow.ts';
import { cases, base, with_, tcp } from './fixtures.ts';

function matches(args: string[], flow: Flow): boolean {
  return compileFilterSet(parseFilterArgs(args))(flow);
}

for (const [args, yes, no] of cases) {
  test(`${args.join(' ')}: matches and rejects`, () => {
    assert.equal(matches(args, yes), true, 'expected a match');
    assert.equal(matches(args, no), false, 'expected no match');
  });
}

test('different flags AND together', () => {
  const args = ['--verdict', 'DROPPED', '--protocol', 'tcp'];
  assert.equal(matches(args, with_({ verdict: 'DROPPED' })), true);
  assert.equal(matches(args, with_({ verdict: 'FORWARDED' })), false);
  assert.equal(matches(args, with_({ verdict: 'DROPPED', l4: { UDP: {} } })), false);
});

test('repeated values of one flag OR together', () => {
  const args = ['--verdict', 'DROPPED', '--verdict', 'ERROR'];
  assert.equal(matches(args, with_({ verdict: 'DROPPED' })), true);
  assert.equal(matches(args, with_({ verdict: 'ERROR' })), true);
  assert.equal(matches(args, with_({ verdict: 'FORWARDED' })), false);
  assert.equal(matches(['--to-port', '80', '--to-port', '7070'], base), true);
});

test('--not excludes; allow and deny together', () => {
  assert.equal(matches(['--not', '--verdict', 'FORWARDED'], base), false);
  assert.equal(matches(['--not', '--verdict', 'FORWARDED'], with_({ verdict: 'DROPPED' })), true);
  const args = ['--namespace', 'shop', '--not', '--to-port', '7070'];
  assert.equal(matches(args, base), false);
  assert.equal(matches(args, with_({ l4: tcp(1, 8080) })), true);
  assert.equal(matches(args, with_({ l4: tcp(1, 8080), source: { namespace: 'x' }, destination: { namespace: 'y' } })), false);
});

test('negated flags form one deny filter (hubble): a flow is excluded only when it matches all of them', () => {
  const args = ['--not', '--verdict', 'DROPPED', '--not', '--protocol', 'udp'];
  assert.equal(matches(args, with_({ verdict: 'DROPPED' })), true); // dropped but tcp
  assert.equal(matches(args, with_({ l4: { UDP: {} } })), true); // udp but forwarded
  assert.equal(matches(args, with_({ verdict: 'DROPPED', l4: { UDP: {} } })), false);
});

test('either-side flags match the source or the destination, not a mix across flags', () => {
  // --pod X --label Y: X and Y on the same side (left: both source, right: both destination)
  const args = ['--pod', 'shop/frontend', '--label', 'app=cartservice'];
  assert.equal(matches(args, base), false); // frontend is the source, cartservice label on the destination
  assert.equal(matches(['--pod', 'shop/frontend', '--label', 'app=frontend'], base), true);
  assert.equal(matches(['--pod', 'shop/cart', '--label', 'app=cartservice'], base), true);
});

test('unknown non-empty fields are refused, empty ones ignored (a gRPC FlowFilter with defaults)', () => {
  const withUnknown = { verdict: ['DROPPED'], experimental: { cel_expression: ['true'] } } as unknown as FlowFilter;
  assert.throws(() => compileFilterSet({ allow: [withUnknown], deny: [] }), /unsupported filter field "experimental"/);
  const defaults = { verdict: ['DROPPED'], ip_trace_id: [], experimental: { cel_expression: [] } } as unknown as FlowFilter;
  assert.equal(compileFilterSet({ allow: [defaults], deny: [] })(with_({ verdict: 'DROPPED' })), true);
  assert.throws(() => compileFilterSet({ allow: [{ trace_id: ['abc'] }], deny: [] }), /trace_id filters are not supported/);
});

test('empty filter set accepts everything', () => {
  assert.equal(compileFilterSet({ allow: [], deny: [] })(base), true);
  assert.equal(compileFilterSet({ allow: [], deny: [] })({}), true);
});

test('flows missing the filtered field do not match (and do not throw)', () => {
  const empty: Flow = {};
  for (const [args] of cases) {
    // these match on absence: no is_reply on a drop, label not present, not encrypted
    if (args[0] === '--reply=false' || args[0] === '--unencrypted') continue;
    if (args[1]?.includes('notin') || args[1]?.startsWith('!')) continue;
    assert.equal(matches(args, empty), false, args.join(' '));
  }
});

test('reply on dropped flows without is_reply counts as not a reply (hubble)', () => {
  const dropped = with_({ verdict: 'DROPPED', is_reply: undefined });
  assert.equal(matches(['--reply=false'], dropped), true);
  assert.equal(matches(['--reply=false'], with_({ is_reply: undefined })), false);
});

test('golden: --namespace shop selects the flows hubble printed', () => {
  const lines = readFileSync(new URL('../../integration/observe/golden/flows.jsonl', import.meta.url), 'utf8').trim().split('\n');
  const flows = lines.map((l) => (JSON.parse(l) as { flow: Flow }).flow);
  const pred = compileFilterSet(parseFilterArgs(['--namespace', 'shop']));
  // hubble-compact-namespace-shop.txt holds three lines: flows 5, 6 (the DNS reply, shop pod as destination) and 7.
  assert.deepEqual(flows.filter(pred).map((f) => f.uuid), ['e1', 'e2', 'e3']);
  const dropped = flows.filter(compileFilterSet(parseFilterArgs(['--verdict', 'DROPPED'])));
  assert.deepEqual(dropped.map((f) => f.uuid), ['00000000-0000-0000-0000-000000000003', 'e3']);
});
