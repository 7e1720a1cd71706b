// The printers on the golden input, in-process (TZ fixed to UTC for this test file).
process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { PrinterOptions } from '../../../src/printer/index.ts';
import { GOLDEN, GOLDEN_CASES, goldenEvents, renderEvents } from './render.ts';

const render = (opts: Partial<PrinterOptions>) => renderEvents(goldenEvents(), opts);
const cases = GOLDEN_CASES;

for (const [file, opts] of cases) {
  test(`${file}: byte for byte`, () => {
    const { out, err } = render(opts);
    assert.equal(out, fs.readFileSync(`${GOLDEN}/${file}`, 'utf8'));
    assert.equal(err, '');
  });
}
