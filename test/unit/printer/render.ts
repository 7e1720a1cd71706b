// Printing events to strings, and the golden files' cases: what the printer tests and
// the gRPC golden round trip share.
import fs from 'node:fs';
import { decodeHubbleLine } from '../../../src/codec/hubble-json-decode.ts';
import type { SourceEvent } from '../../../src/model/source.ts';
import { createPrinter, type PrinterOptions } from '../../../src/printer/index.ts';

export const GOLDEN = new URL('../../integration/observe/golden', import.meta.url).pathname;

/** The golden input's lines (a Hubble JSON export). */
export const goldenLines = (): string[] => fs.readFileSync(`${GOLDEN}/flows.jsonl`, 'utf8').trimEnd().split('\n');

/** Each golden output file and the printer options that produce it. */
export const GOLDEN_CASES: [string, Partial<PrinterOptions>][] = [
  ['hubble-compact.txt', { output: 'compact' }],
  ['hubble-compact-node-name.txt', { output: 'compact', nodeName: true }],
  ['hubble-dict.txt', { output: 'dict' }],
  ['hubble-table.txt', { output: 'table' }],
  ['hubble-jsonpb.txt', { output: 'jsonpb' }],
];

/** What the printer writes for `events` (compact, no colour, StampMilli unless `opts` says otherwise). */
export function renderEvents(events: Iterable<SourceEvent>, opts: Partial<PrinterOptions> = {}): { out: string; err: string } {
  let out = '';
  let err = '';
  const p = createPrinter(
    { output: 'compact', color: false, timeFormat: 'StampMilli', nodeName: false, ipTranslation: true, ...opts },
    { out: (t) => (out += t), err: (t) => (err += t) },
  );
  for (const ev of events) p.print(ev);
  p.finish();
  return { out, err };
}

export const goldenEvents = (): SourceEvent[] => goldenLines().map((l) => decodeHubbleLine(l)!);
