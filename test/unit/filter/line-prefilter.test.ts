import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseFilterArgs, compileFilterSet, compileLinePrefilter } from '../../../src/filter/index.ts';
import type { Flow } from '../../../src/model/flow.ts';
import { cases, base } from './fixtures.ts';

const golden = readFileSync(new URL('../../../../shared/hubble-golden/flows.jsonl', import.meta.url), 'utf8').trim().split('\n');
const corpus: { line: string; flow: Flow }[] = [
  ...golden.map((line) => ({ line, flow: (JSON.parse(line) as { flow: Flow }).flow })),
  ...cases.flatMap(([, yes, no]) => [yes, no]).map((flow) => ({ line: JSON.stringify({ flow, node_name: flow.node_name }), flow })),
];
const filters: string[][] = [
  ...cases.map(([args]) => args),
  ['--namespace', 'shop', '--verdict', 'DROPPED', '--protocol', 'tcp'],
  ['--from-pod', 'demo/frontend', '--to-port', '8080'],
  ['--pod', 'frontend', '--pod', 'shop/'],
  ['--label', 'k8s:app in (frontend, db)'],
  ['--verdict', 'FORWARDED', '--verdict', 'DROPPED', '--to-ip', '10.96.0.10'],
  ['--from-namespace', 'demo', '--to-namespace', 'shop'],
  ['--label', 'app=', '--to-service', 'demo/backend'],
];

test('the line prefilter never rejects a line whose flow matches (all flags x all sample flows)', () => {
  let rejected = 0;
  for (const args of filters) {
    const set = parseFilterArgs(args);
    const pred = compileFilterSet(set);
    const pre = compileLinePrefilter(set);
    for (const { line, flow } of corpus) {
      const passes = pre(line);
      if (pred(flow)) assert.equal(passes, true, `${args.join(' ')} rejected a matching line: ${line}`);
      if (!passes) rejected++;
    }
  }
  assert.ok(rejected > 0, 'the prefilter rejects something');
});

test('the line prefilter rejects lines that cannot match and keeps non-flow lines', () => {
  const pre = compileLinePrefilter(parseFilterArgs(['--verdict', 'DROPPED', '-n', 'shop']));
  assert.equal(pre(JSON.stringify({ flow: base })), false);
  assert.equal(pre(JSON.stringify({ flow: { ...base, verdict: 'DROPPED' } })), true);
  assert.equal(pre('{"lost_events":{"source":"PERF_EVENT_RING_BUFFER","num_events_lost":"3"}}'), true);
  assert.equal(compileLinePrefilter(parseFilterArgs([]))('{"flow":{}}'), true);
  // a deny-only set gives nothing to look for
  assert.equal(compileLinePrefilter(parseFilterArgs(['--not', '--verdict', 'DROPPED']))('{"flow":{}}'), true);
});
