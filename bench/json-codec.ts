// Per-flow cost of the Hubble JSON codec (src/codec/hubble-json-*.ts) on the demo
// cluster's traffic (TCP, HTTP, DNS, drops), in this process, on one core:
//   - encodeEvent on the demo's own Flow objects (what `observe --demo -o json` and
//     `observe --server -o json` print);
//   - decodeHubbleLine (the file source's per-line work), and decode then encode of each
//     line (`observe --input-file F -o json`'s codec work per flow: the encoder on objects
//     straight from JSON.parse);
//   - JSON.stringify / JSON.parse of the same values, as a floor for comparison.
// Each figure is CPU time (process.cpuUsage, user + system) per flow, after a warm-up
// pass, over RUNS runs: median with min..max. The encoded line is flattened (as writing
// it does) inside the timed part. CPU time rather than wall clock because the
// machine is shared; the load average is printed with the figures.
// Usage: node bench/json-codec.ts [--flows 100000] [--runs 3]
import os from 'node:os';
import { filter as rxFilter, firstValueFrom, toArray } from 'rxjs';
import { decodeHubbleLine } from '../src/codec/hubble-json-decode.ts';
import { encodeEvent } from '../src/codec/hubble-json-encode.ts';
import type { SourceEvent } from '../src/model/source.ts';
import { createDemoSource } from '../src/sources/demo/index.ts';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const FLOWS = arg('--flows', 100_000);
const RUNS = arg('--runs', 3);

async function demoEvents(count: number): Promise<SourceEvent[]> {
  const events = await firstValueFrom(
    createDemoSource({ seed: 1, rate: 1000, historySeconds: Math.ceil(count / 1000) + 1, now: () => Date.parse('2026-01-01T12:00:00Z') }).pipe(
      rxFilter((ev): ev is Extract<SourceEvent, { kind: 'flow' }> => ev.kind === 'flow'),
      toArray(),
    ),
  );
  return events.slice(0, count);
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * us of CPU per item for `work` over the items `prepare` returns (called untimed before
 * the warm-up pass and before each of RUNS runs): median, min and max of the runs.
 */
function measure<T>(prepare: () => T[], work: (x: T) => unknown): { median: number; min: number; max: number } {
  let sink = 0;
  for (const x of prepare()) sink += work(x) === undefined ? 0 : 1;
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const items = prepare();
    const t0 = cpuUs();
    for (const x of items) sink += work(x) === undefined ? 0 : 1;
    runs.push((cpuUs() - t0) / items.length);
  }
  if (sink < 0) console.log(sink); // keeps the results observable
  runs.sort((a, b) => a - b);
  return { median: runs[Math.floor(runs.length / 2)]!, min: runs[0]!, max: runs[runs.length - 1]! };
}

const fmt = (m: { median: number; min: number; max: number }): string =>
  `${m.median.toFixed(2).padStart(6)} us/flow (${m.min.toFixed(2)}..${m.max.toFixed(2)}), ${Math.round(1e6 / m.median).toLocaleString('en-US').padStart(9)} flows/s`;

async function main(): Promise<void> {
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const events = await demoEvents(FLOWS);
  const lines = events.map((ev) => encodeEvent(ev)!);
  const bytes = lines.reduce((a, l) => a + l.length, 0) / lines.length;
  // The line is flattened as writing it to stdout would (Buffer.byteLength walks it).
  const encodeFlat = (ev: SourceEvent): number => Buffer.byteLength(encodeEvent(ev)!);
  console.log(`${events.length.toLocaleString('en-US')} demo flows, ${Math.round(bytes)} bytes of JSON each; median (min..max) CPU time of ${RUNS} runs`);
  console.log(`  encodeEvent, demo Flow objects        ${fmt(measure(() => events, encodeFlat))}`);
  console.log(`  decodeHubbleLine                      ${fmt(measure(() => lines, decodeHubbleLine))}`);
  console.log(`  decodeHubbleLine, then encodeEvent    ${fmt(measure(() => lines, (l) => encodeFlat(decodeHubbleLine(l)!)))}`);
  console.log(`  for comparison: JSON.stringify(event) ${fmt(measure(() => events, (ev) => Buffer.byteLength(JSON.stringify(ev))))}`);
  console.log(`  for comparison: JSON.parse(line)      ${fmt(measure(() => lines, (l) => JSON.parse(l) as unknown))}`);
  console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

await main();
