// The printers on the golden input, in-process (TZ fixed to UTC for this test file).
process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { decodeHubbleLine } from '../../../src/codec/hubble-json-decode.ts';
import { createPrinter, type PrinterOptions } from '../../../src/printer/index.ts';

const GOLDEN = new URL('../../integration/observe/golden', import.meta.url).pathname;

function render(opts: Partial<PrinterOptions>): { out: string; err: string } {
  let out = '';
  let err = '';
  const p = createPrinter(
    { output: 'compact', color: false, timeFormat: 'StampMilli', nodeName: false, ipTranslation: true, ...opts },
    { out: (t) => (out += t), err: (t) => (err += t) },
  );
  for (const line of fs.readFileSync(`${GOLDEN}/flows.jsonl`, 'utf8').trimEnd().split('\n')) p.print(decodeHubbleLine(line)!);
  p.finish();
  return { out, err };
}

const cases: [string, Partial<PrinterOptions>][] = [
  ['hubble-compact.txt', { output: 'compact' }],
  ['hubble-compact-node-name.txt', { output: 'compact', nodeName: true }],
  ['hubble-dict.txt', { output: 'dict' }],
  ['hubble-table.txt', { output: 'table' }],
  ['hubble-jsonpb.txt', { output: 'jsonpb' }],
];

for (const [file, opts] of cases) {
  test(`${file}: byte for byte`, () => {
    const { out, err } = render(opts);
    assert.equal(out, fs.readFileSync(`${GOLDEN}/${file}`, 'utf8'));
    assert.equal(err, '');
  });
}
