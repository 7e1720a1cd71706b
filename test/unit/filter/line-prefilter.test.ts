import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { firstValueFrom, toArray, filter } from 'rxjs';
import { linePrefilter } from '../../../src/filter/line-prefilter.ts';
import { decodeHubbleLine } from '../../../src/codec/hubble-json-decode.ts';
import { encodeEvent } from '../../../src/codec/hubble-json-encode.ts';
import { FilterBuilder, compileFilterSet } from '../../../src/filter/index.ts';
import { createDemoSource } from '../../../src/sources/demo/index.ts';

const GOLDEN = new URL('../../integration/observe/golden', import.meta.url).pathname;

function filterSet(args: string[]) {
  const fb = new FilterBuilder();
  for (let i = 0; i < args.length; ) i = fb.consume(args, i);
  return fb.build();
}

async function corpus(): Promise<string[]> {
  const golden = fs.readFileSync(`${GOLDEN}/flows.jsonl`, 'utf8').trimEnd().split('\n');
  const events = await firstValueFrom(
    createDemoSource({ seed: 7, rate: 200, historySeconds: 30, now: () => Date.parse('2026-01-01T10:00:00Z') }).pipe(
      filter((ev) => ev.kind === 'flow'),
      toArray(),
    ),
  );
  return [...golden, ...events.map((ev) => encodeEvent(ev)!)];
}

const FILTERS: string[][] = [
  ['--namespace', 'shop', '--verdict', 'DROPPED', '--to-port', '8080'],
  ['--namespace', 'shop'],
  ['--verdict', 'DROPPED'],
  ['--verdict', 'FORWARDED', '--verdict', 'DROPPED'],
  ['--from-pod', 'shop/frontend'],
  ['--to-pod', 'demo/backend'],
  ['--port', '53'],
  ['--protocol', 'udp'],
  ['--protocol', 'icmp'],
  ['--protocol', 'http', '--to-namespace', 'shop'],
  ['--ip', '10.244.1.10'],
  ['--from-ip', '10.0.0.0/8'],
  ['--traffic-direction', 'ingress'],
  ['--identity', '2'],
  ['--uuid', 'e3'],
  ['--not', '--namespace', 'shop'],
  ['--http-status', '5+'],
];

test('never rejects a line the real filter would pass', async () => {
  const lines = await corpus();
  assert.ok(lines.length > 1000);
  let rejectedSomewhere = 0;
  for (const args of FILTERS) {
    const set = filterSet(args);
    const pass = compileFilterSet(set);
    const pre = linePrefilter(set);
    for (const line of lines) {
      const ev = decodeHubbleLine(line)!;
      assert.equal(ev.kind, 'flow');
      const wanted = ev.kind === 'flow' && pass(ev.flow);
      const kept = pre === undefined || pre(line);
      assert.equal(pre === undefined || pre(Buffer.from(line, 'utf8')), kept, 'bytes and text agree');
      if (wanted) assert.ok(kept, `${args.join(' ')} would lose: ${line}`);
      if (!kept) rejectedSomewhere++;
    }
  }
  assert.ok(rejectedSomewhere > 1000, 'the prefilter does save work');
});

test('rejects lines that cannot match, but leaves escaped, numeric-enum and malformed lines to the parser', () => {
  const prefilter = linePrefilter(filterSet(['--namespace', 'shop', '--verdict', 'DROPPED']))!;
  assert.ok(prefilter);
  const pre = (line: string): boolean => {
    const text = prefilter(line);
    assert.equal(prefilter(Buffer.from(line, 'utf8')), text, line);
    return text;
  };
  assert.equal(pre('{"flow":{"verdict":"FORWARDED","source":{"namespace":"shop"}}}'), false);
  assert.equal(pre('{"flow":{"verdict":"DROPPED","source":{"namespace":"demo"}}}'), false);
  assert.equal(pre('{"flow":{"verdict":"DROPPED","source":{"namespace":"shop"}}}'), true);
  assert.equal(pre('{"flow":{"verdict":2,"source":{"namespace":"shop"}}}'), true, 'enum as a number');
  assert.equal(pre('{"flow":{"verdict" : 2,"source":{"namespace":"shop"}}}'), true, 'enum as a number, spaced');
  assert.equal(pre('{"flow":{"verdict":"DROPPED","source":{"namespace":"\\u0073hop"}}}'), true, 'escaped text');
  assert.equal(pre('{"flow":{"verdict":"FORWARDED"'), true, 'truncated line goes to the decoder to be reported');
});

test('no prefilter when a filter needs no particular value', () => {
  assert.equal(linePrefilter({ allow: [], deny: [] }), undefined);
  assert.equal(linePrefilter(filterSet(['--http-method', 'get'])), undefined);
  assert.equal(linePrefilter(filterSet(['--not', '--verdict', 'DROPPED'])), undefined);
});
