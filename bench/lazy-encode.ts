// In-process cost of encoding the collector's lazy flows as GetFlowsResponse bytes (what
// the agent's server does once per flow when a client follows: encodeGetFlowsResponse,
// src/grpc/wire/get-flows.ts), on records of the lab's TCP_CRR load:
//   node bench/lazy-encode.ts [--seconds 3] [--runs 5] [--save FILE] [--records FILE]   (root unless --records)
// Records the loader's raw output during `--seconds` of load (bench/crr-lab.ts), or reads
// a file --save wrote, then per run: decodes every record into fresh lazy flows (as the
// collector does; not timed) and encodes each once (timed, main-thread CPU from
// /proc/self/schedstat), as the agent does on its first send. Prints us per flow for
// each run, the median and the spread; and the same flows materialized (plainFlow,
// plain objects) for comparison.
import { readFileSync, writeFileSync } from 'node:fs';
import { RecordReader } from '../src/bpf-bridge/records.ts';
import { FlowMapper } from '../src/bpf-bridge/to-flow.ts';
import { plainFlow } from '../src/model/plain-flow.ts';
import type { SourceEvent } from '../src/model/source.ts';
import { encodeGetFlowsResponse } from '../src/grpc/wire/get-flows.ts';
import { threadCpuNs } from './cpu-time.ts';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
};
const SECONDS = Number(arg('--seconds', '3'));
const RUNS = Number(arg('--runs', '5'));
const SAVE = arg('--save', '');
const RECORDS = arg('--records', '');
const NODE = 'node-1';

async function record(): Promise<Buffer> {
  const { startCrrLab } = await import('./crr-lab.ts');
  const { runAsync } = await import('./collector-attach.ts');
  const { runCollector } = await import('../src/bpf-bridge/loader-process.ts');
  const { clientArgs } = await startCrrLab();
  const chunks: Buffer[] = [];
  let attached!: () => void;
  const ready = new Promise<void>((r) => (attached = r));
  const sub = runCollector({ nodeName: NODE, onChunk: (c) => chunks.push(Buffer.from(c)) }).subscribe({
    next: (e) => {
      if (e.kind === 'status' && e.state === 'connected') attached();
    },
    error: (err: unknown) => {
      console.error(`collector: ${String(err)}`);
      process.exit(1);
    },
  });
  await ready;
  await runAsync(clientArgs(2, SECONDS));
  await new Promise((r) => setTimeout(r, 1000)); // the loader's last batch
  sub.unsubscribe();
  return Buffer.concat(chunks);
}

const records = RECORDS !== '' ? readFileSync(RECORDS) : await record();
if (SAVE !== '') writeFileSync(SAVE, records);

/** Fresh lazy flows of every record, as the collector makes them. */
function decode(): SourceEvent[] {
  const m = new FlowMapper({ nodeName: NODE, sourceName: 'local' });
  const reader = new RecordReader();
  const out: SourceEvent[] = [];
  reader.feed(records, (buf, at, size) => m.mapAt(buf, at, size, (ev) => out.push(ev)));
  m.flush((ev) => out.push(ev));
  return out.filter((e) => e.kind === 'flow');
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function measure(name: string, events: () => SourceEvent[]): void {
  const us: number[] = [];
  let n = 0;
  let bytes = 0;
  for (let run = 0; run < RUNS + 1; run++) {
    const evs = events();
    const c0 = threadCpuNs(process.pid);
    for (const ev of evs) bytes += encodeGetFlowsResponse(ev, NODE).length;
    const ns = threadCpuNs(process.pid) - c0;
    n = evs.length;
    if (run > 0) us.push(ns / 1000 / evs.length); // run 0 warms V8 up
  }
  const m = median(us);
  const spread = Math.max(...us.map((x) => Math.abs(x - m)));
  console.log(`${name}: ${m.toFixed(3)} us per flow (median of ${RUNS}, spread +-${spread.toFixed(3)}; runs ${us.map((x) => x.toFixed(3)).join(' ')}) over ${n} flows, ${(bytes / (RUNS + 1) / n).toFixed(0)} bytes each`);
}

const sample = decode();
const kinds = new Map<string, number>();
for (const ev of sample) if (ev.kind === 'flow') kinds.set(ev.flow.Type ?? '?', (kinds.get(ev.flow.Type ?? '?') ?? 0) + 1);
console.log(`${records.length} bytes of records, ${sample.length} flows (${[...kinds].map(([k, v]) => `${k} ${v}`).join(', ')})`);
measure('lazy flows, encoded on first send', decode);
measure('the same flows materialized (plain objects)', () => decode().map((e) => (e.kind === 'flow' ? { kind: 'flow', flow: plainFlow(e.flow) } : e)));
process.exit(0);
