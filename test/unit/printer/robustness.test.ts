// Hostile or odd JSON must never crash decoding or printing: every field of the golden
// flows is replaced in turn by values of the wrong type; each line is either rejected
// with a DecodeError or printed in every format.
process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { DecodeError, decodeHubbleLine } from '../../../src/codec/hubble-json-decode.ts';
import { createPrinter, OUTPUT_FORMATS } from '../../../src/printer/index.ts';
import type { SourceEvent } from '../../../src/model/source.ts';

const GOLDEN = new URL('../../integration/observe/golden', import.meta.url).pathname;
const ODD: unknown[] = [null, 0, -1, 1.5, 'x', '', true, false, {}, [], [1, 'a', null], { a: 1 }, 'evil\u001b[2J'];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function paths(v: Json, prefix: string[] = []): string[][] {
  if (v === null || typeof v !== 'object') return [prefix];
  const keys = Array.isArray(v) ? v.map((_, i) => String(i)) : Object.keys(v);
  return [prefix, ...keys.flatMap((k) => paths((v as Record<string, Json>)[k]!, [...prefix, k]))];
}

function withValue(root: Json, path: string[], value: unknown): Json {
  const copy = structuredClone(root) as Record<string, unknown>;
  let at: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[path[path.length - 1]!] = value;
  return copy as Json;
}

test('wrong types anywhere: a DecodeError or printable output, never a crash', () => {
  const lines = fs.readFileSync(`${GOLDEN}/flows.jsonl`, 'utf8').trimEnd().split('\n');
  let printed = 0;
  let rejected = 0;
  for (const line of lines) {
    const root = JSON.parse(line) as Json;
    for (const p of paths(root)) {
      if (p.length === 0) continue;
      for (const odd of ODD) {
        const text = JSON.stringify(withValue(root, p, odd));
        let ev: SourceEvent | undefined;
        try {
          ev = decodeHubbleLine(text);
        } catch (err) {
          assert.ok(err instanceof DecodeError, `${p.join('.')}=${JSON.stringify(odd)}: ${String(err)}`);
          rejected++;
          continue;
        }
        if (ev === undefined) continue;
        for (const output of OUTPUT_FORMATS) {
          let out = '';
          const printer = createPrinter(
            { output, color: true, timeFormat: 'StampMilli', nodeName: true, ipTranslation: true },
            { out: (t) => (out += t), err: (t) => (out += t) },
          );
          assert.doesNotThrow(() => {
            printer.print(ev);
            printer.finish();
          }, `${output} ${p.join('.')}=${JSON.stringify(odd)}`);
          assert.ok(!out.includes('\u001b[2J'), `no raw escape sequence from the input: ${output} ${p.join('.')}`);
        }
        printed++;
      }
    }
  }
  assert.ok(printed > 1000 && rejected > 50, `${printed} printed, ${rejected} rejected`);
});
