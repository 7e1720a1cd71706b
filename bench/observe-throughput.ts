// Throughput of `netscope observe --input-file`: parse -> filter -> compact print.
// Generates a Hubble JSON export of realistic flows (the demo cluster's traffic:
// TCP, HTTP/gRPC, DNS, policy drops and verdicts, encoded exactly as hubble writes
// it), then measures
//   1. in-process parse + filter (file source with its line prefilter + compiled
//      FilterSet, no printing): the figure the >= 300,000 flows/s target is about;
//   2. the real CLI end to end (bin/netscope observe ... -o compact > /dev/null),
//      pinned to one core with taskset, peak RSS from /usr/bin/time;
//   3. peak RSS for a 200k-line vs the full file, to show memory does not grow with it.
// Usage: npm run bench:observe [-- --flows 1000000 --keep]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { filter as rxFilter, firstValueFrom, toArray } from 'rxjs';
import { encodeEvent } from '../src/codec/hubble-json-encode.ts';
import { linePrefilter } from '../src/filter/line-prefilter.ts';
import { FilterBuilder, compileFilterSet } from '../src/filter/index.ts';
import type { SourceEvent } from '../src/model/source.ts';
import { createDemoSource } from '../src/sources/demo/index.ts';
import { createFileSource } from '../src/sources/file.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const BIN = path.join(ROOT, 'bin/netscope');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const TOTAL = arg('--flows', 1_000_000);
const KEEP = process.argv.includes('--keep');

const FILTERS: { name: string; args: string[] }[] = [
  { name: 'no filter', args: [] },
  { name: '--namespace shop --verdict DROPPED --to-port 6379', args: ['--namespace', 'shop', '--verdict', 'DROPPED', '--to-port', '6379'] },
  { name: '--to-namespace shop --protocol http --verdict FORWARDED', args: ['--to-namespace', 'shop', '--protocol', 'http', '--verdict', 'FORWARDED'] },
];

async function demoLines(seed: number, count: number): Promise<string[]> {
  const events = await firstValueFrom(
    createDemoSource({ seed, rate: 1000, historySeconds: Math.ceil(count / 1000) + 1, now: () => Date.parse('2026-01-01T12:00:00Z') + seed * 3_600_000 }).pipe(
      rxFilter((ev): ev is Extract<SourceEvent, { kind: 'flow' }> => ev.kind === 'flow'),
      toArray(),
    ),
  );
  return events.slice(0, count).map((ev) => encodeEvent(ev)!);
}

/** Writes `total` flows to `file`, and the first `smallCount` of them to `small` too. */
async function generate(file: string, total: number, small: string, smallCount: number): Promise<void> {
  const fd = fs.openSync(file, 'w');
  const smallFd = fs.openSync(small, 'w');
  let written = 0;
  for (let seed = 1; written < total; seed++) {
    const lines = await demoLines(seed, Math.min(200_000, total - written));
    for (let i = 0; i < lines.length; i += 10_000) {
      const text = lines.slice(i, i + 10_000).join('\n') + '\n';
      fs.writeSync(fd, text);
      if (written + i < smallCount) fs.writeSync(smallFd, text);
    }
    written += lines.length;
  }
  fs.closeSync(fd);
  fs.closeSync(smallFd);
}

function filterSet(args: string[]) {
  const fb = new FilterBuilder();
  for (let i = 0; i < args.length; ) i = fb.consume(args, i);
  return fb.build();
}

async function parseAndFilter(file: string, args: string[]): Promise<{ seconds: number; cpu: number; matched: number; lines: number }> {
  const set = filterSet(args);
  const pass = compileFilterSet(set);
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  let matched = 0;
  let lines = 0;
  await new Promise<void>((resolve, reject) => {
    createFileSource({ path: file, linePrefilter: linePrefilter(set) }).subscribe({
      next: (ev) => {
        if (ev.kind === 'flow' && pass(ev.flow)) matched++;
        else if (ev.kind === 'status' && ev.state === 'done') lines = Number(/(\d+) lines/.exec(ev.message ?? '')?.[1] ?? 0);
      },
      error: reject,
      complete: resolve,
    });
  });
  const cpu = process.cpuUsage(cpu0);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, cpu: (cpu.user + cpu.system) / 1e6, matched, lines };
}

// Runs parseAndFilter in a child pinned to one core, so the generator's big heap does not weigh on it.
function parseAndFilterInChild(file: string, args: string[]): { seconds: number; cpu: number; matched: number; lines: number } {
  const r = spawnSync('taskset', ['-c', '0', process.execPath, new URL(import.meta.url).pathname, '--child-parse', file, ...args], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { seconds: number; cpu: number; matched: number; lines: number };
}

function cli(file: string, args: string[], nodeOptions = ''): { seconds: number; cpu: number; rssMB: number; status: number | null } {
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %U %S %M', 'taskset', '-c', '0', BIN, 'observe', '--input-file', file, '--all', '--color', 'never', '-o', 'compact', ...args],
    { encoding: 'utf8', stdio: ['ignore', fs.openSync('/dev/null', 'w'), 'pipe'], env: { ...process.env, TZ: 'UTC', NODE_OPTIONS: nodeOptions } },
  );
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [e, u, s, m] = last.split(' ').map(Number);
  return { seconds: e!, cpu: u! + s!, rssMB: m! / 1024, status: r.status };
}

const k = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netscope-bench-'));
  const file = path.join(dir, 'flows.jsonl');
  const small = path.join(dir, 'flows-200k.jsonl');
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`generating ${k(TOTAL)} flows (demo traffic, hubble JSON) in ${dir} ...`);
  const smallCount = Math.min(200_000, TOTAL);
  await generate(file, TOTAL, small, smallCount);
  const size = fs.statSync(file).size;
  console.log(`  ${(size / 1e6).toFixed(0)} MB, ${Math.round(size / TOTAL)} bytes/flow on average`);

  console.log('\n1. parse + filter, in a fresh process (file source + prefilter + compiled filter, no printing; taskset -c 0)');
  for (const f of FILTERS) {
    const r = parseAndFilterInChild(file, f.args);
    console.log(
      `  ${f.name.padEnd(58)} ${k(r.lines / r.seconds).padStart(9)} flows/s wall, ${k(r.lines / r.cpu).padStart(9)} flows/CPU-s  (${r.seconds.toFixed(2)} s, ${k(r.matched)} matched)`,
    );
  }

  console.log('\n2. CLI end to end: bin/netscope observe --input-file F --all -o compact [filter] > /dev/null (taskset -c 0)');
  for (const f of FILTERS) {
    const r = cli(file, f.args);
    console.log(
      `  ${f.name.padEnd(58)} ${k(TOTAL / r.seconds).padStart(9)} flows/s wall, ${k(TOTAL / r.cpu).padStart(9)} flows/CPU-s, peak RSS ${r.rssMB.toFixed(0)} MB, exit ${r.status}`,
    );
  }

  console.log('\n3. peak RSS vs file size (no filter, compact to /dev/null)');
  for (const [label, f, n] of [[`${k(smallCount)} flows`, small, smallCount], [`${k(TOTAL)} flows`, file, TOTAL]] as const) {
    const r = cli(f, []);
    console.log(`  ${label.padEnd(16)} peak RSS ${r.rssMB.toFixed(0)} MB  (${k(n / r.seconds)} flows/s)`);
  }
  // If anything were kept per flow, a small old generation would run out long before the end.
  const capped = cli(file, [], '--max-old-space-size=48');
  console.log(`  ${k(TOTAL)} flows with the V8 old space capped at 48 MB: exit ${capped.status}, peak RSS ${capped.rssMB.toFixed(0)} MB`);
  console.log(`\nload average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (KEEP) console.log(`kept ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}

const child = process.argv.indexOf('--child-parse');
if (child >= 0) {
  const [file, ...args] = process.argv.slice(child + 1);
  process.stdout.write(JSON.stringify(await parseAndFilter(file!, args)));
} else {
  await main();
}
