// Two (or more) builds of the collector side by side on one TCP_CRR load: each
// build's own CPU per transaction, in parts: its kernel programs (bpf_stats), its
// loader (schedstat) and its Node.js decoding (schedstat of every thread of the
// process hosting its decoder, bench/collector-host.ts), with the runs of each
// program per transaction, and the ratio of the totals, build by build against the
// first. Builds take turns, in rotating order, --rounds times; a run without any
// collector in each round gives the load's own CPU per transaction.
//   node bench/collector-compare.ts [--build NAME=ROOT]... [--node-flags NAME=FLAGS]... [--rounds 3] [--seconds 5] [--threads 2]
// ROOT is a checkout with its objects and loader built (scripts/build-bpf.sh) and
// node_modules (a symlink will do), e.g. from `git worktree add /tmp/ns-main main`.
// Default builds: base=$NETSCOPE_BASE_ROOT (required without --build) and this=this checkout.
// --node-flags NAME=FLAGS: V8/Node flags for that build's decoding process (space-separated);
// the same ROOT may be given twice under two names to compare flags.
// --host-args NAME=ARGS: arguments for that build's bench/collector-host.ts (e.g. "--eager");
// --consume none|tui: what every host does with the flows (collector-host.ts; default none).
// Needs root. Creates and removes its own namespaces; restores kernel.bpf_stats_enabled.
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { join } from 'node:path';
import { runAsync } from './collector-attach.ts';
import { busyUsPerTx, machineTicks, threadCpuNs } from './cpu-time.ts';
import { startCrrLab } from './crr-lab.ts';
import { REPO_ROOT } from '../test/lab/lab.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}
const ROUNDS = Number(arg('--rounds', '3'));
const SECONDS = Number(arg('--seconds', '5'));
const THREADS = Number(arg('--threads', '2'));
const CONSUME = arg('--consume', 'none');
const builds: { name: string; root: string; flags: string[]; hostArgs: string[] }[] = [];
const nodeFlags = new Map<string, string[]>();
const hostArgs = new Map<string, string[]>();
process.argv.forEach((a, i) => {
  if (a !== '--build' && a !== '--node-flags' && a !== '--host-args') return;
  const m = /^([^=]+)=(.+)$/.exec(process.argv[i + 1] ?? '');
  if (!m) {
    console.error(`${a}: "${process.argv[i + 1] ?? ''}" is not NAME=${a === '--build' ? 'ROOT' : 'FLAGS'}`);
    process.exit(2);
  }
  const words = m[2]!.split(' ').filter((f) => f !== '');
  if (a === '--build') builds.push({ name: m[1]!, root: m[2]!, flags: [], hostArgs: [] });
  else (a === '--node-flags' ? nodeFlags : hostArgs).set(m[1]!, words);
});
for (const b of builds) {
  b.flags = nodeFlags.get(b.name) ?? [];
  b.hostArgs = [...(hostArgs.get(b.name) ?? []), '--consume', CONSUME];
}
if (builds.length === 0) {
  const base = process.env['NETSCOPE_BASE_ROOT'];
  if (!base) {
    console.error('collector-compare: give --build NAME=ROOT (twice), or NETSCOPE_BASE_ROOT for the build to compare this checkout with');
    process.exit(2);
  }
  builds.push({ name: 'base', root: base, flags: [], hostArgs: ['--consume', CONSUME] }, { name: 'this', root: REPO_ROOT, flags: [], hostArgs: ['--consume', CONSUME] });
}

const STATS = '/proc/sys/kernel/bpf_stats_enabled';
const statsBefore = readFileSync(STATS, 'utf8').trim();
process.on('exit', () => execFileSync('sysctl', ['-q', '-w', `kernel.bpf_stats_enabled=${statsBefore}`]));
process.on('SIGINT', () => process.exit(130));
const { server, clientArgs } = await startCrrLab();
execFileSync('sysctl', ['-q', '-w', 'kernel.bpf_stats_enabled=1']);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface ClientResult {
  transactions: number;
  tps: number;
}
async function load(seconds: number): Promise<ClientResult> {
  return JSON.parse(await runAsync(clientArgs(THREADS, seconds))) as ClientResult;
}

/** CPU time of every thread of a process so far, ns (schedstat: the scheduler's clock). */
function processCpuNs(pid: number): number {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // thread gone meanwhile
    }
  }
  return ns;
}

function progIds(pid: number): number[] {
  const ids = new Set<number>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:bpf-prog') continue;
      const m = /prog_id:\s*(\d+)/.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (m) ids.add(Number(m[1]));
    } catch {
      // fd closed meanwhile
    }
  }
  return [...ids];
}

interface Prog {
  name: string;
  ns: number;
  cnt: number;
}
function progStats(ids: number[]): Map<number, Prog> {
  const out = new Map<number, Prog>();
  for (const id of ids) {
    const p = JSON.parse(execFileSync('bpftool', ['prog', 'show', 'id', String(id), '--json'], { encoding: 'utf8' })) as { name: string; run_time_ns?: number; run_cnt?: number };
    out.set(id, { name: p.name, ns: p.run_time_ns ?? 0, cnt: p.run_cnt ?? 0 });
  }
  return out;
}

interface Host {
  child: ChildProcessByStdio<Writable, Readable, null>;
  lines: Interface;
  next(): Promise<string>;
}
function startHost(root: string, flags: string[], args: string[]): Host {
  const child = spawn(process.execPath, [...flags, join(REPO_ROOT, 'bench', 'collector-host.ts'), root, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiting: ((l: string) => void)[] = [];
  lines.on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else queue.push(l);
  });
  return {
    child,
    lines,
    next: () =>
      new Promise<string>((resolve, reject) => {
        const l = queue.shift();
        if (l !== undefined) return resolve(l);
        const t = setTimeout(() => reject(new Error(`collector host for ${root} said nothing for 30 s`)), 30_000);
        waiting.push((x) => {
          clearTimeout(t);
          resolve(x);
        });
      }),
  };
}

interface Measured {
  tps: number;
  kernelUs: number;
  loaderUs: number;
  nodeUs: number;
  totalUs: number;
  flowsPerTx: number;
  lost: number;
  progs: Map<string, { nsPerTx: number; runsPerTx: number }>;
}

const attachedOnce = new Set<string>();
async function measure(b: { name: string; root: string; flags: string[]; hostArgs: string[] }): Promise<Measured> {
  const host = startHost(b.root, b.flags, b.hostArgs);
  const hello = JSON.parse(await host.next()) as { loaderPid: number; programs: string; warnings: string[] };
  if (!attachedOnce.has(b.name)) {
    attachedOnce.add(b.name);
    console.log(`${b.name} (${b.root}${b.flags.length ? ` with ${b.flags.join(' ')}` : ''}, host ${b.hostArgs.join(' ')}): ${hello.programs}`);
    for (const w of hello.warnings) console.log(`  ${b.name} warning: ${w}`);
  }
  await sleep(1000);
  await load(2); // warm-up: V8 compiles the decoder, as in a collector that stays attached
  const ids = progIds(hello.loaderPid);
  const p0 = progStats(ids);
  host.child.stdin.write('count\n');
  const c0 = JSON.parse(await host.next()) as { flows: number; lost: number };
  const node0 = processCpuNs(host.child.pid!);
  const loader0 = threadCpuNs(hello.loaderPid);
  const r = await load(SECONDS);
  await sleep(300); // the last 50 ms poll batches
  const p1 = progStats(ids);
  const loader1 = threadCpuNs(hello.loaderPid);
  host.child.stdin.write('count\n');
  const c1 = JSON.parse(await host.next()) as { flows: number; lost: number };
  const node1 = processCpuNs(host.child.pid!);
  const exited = new Promise((res) => host.child.once('exit', res));
  host.child.stdin.end();
  await exited;
  const tx = Math.max(1, r.transactions);
  const progs = new Map<string, { nsPerTx: number; runsPerTx: number }>();
  let kernelNs = 0;
  for (const [id, a] of p1) {
    const z = p0.get(id)!;
    kernelNs += a.ns - z.ns;
    const prev = progs.get(a.name) ?? { nsPerTx: 0, runsPerTx: 0 };
    progs.set(a.name, { nsPerTx: prev.nsPerTx + (a.ns - z.ns) / tx, runsPerTx: prev.runsPerTx + (a.cnt - z.cnt) / tx });
  }
  const kernelUs = kernelNs / 1000 / tx;
  const loaderUs = (loader1 - loader0) / 1000 / tx;
  const nodeUs = (node1 - node0) / 1000 / tx;
  return { tps: r.tps, kernelUs, loaderUs, nodeUs, totalUs: kernelUs + loaderUs + nodeUs, flowsPerTx: (c1.flows - c0.flows) / tx, lost: c1.lost - c0.lost, progs };
}

const f2 = (n: number): string => n.toFixed(2);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const range = (xs: number[]): string => `${f2(Math.min(...xs))}..${f2(Math.max(...xs))}`;

const results = new Map<string, Measured[]>(builds.map((b) => [b.name, []]));
const loadUs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const t0 = machineTicks();
  const bare = await load(SECONDS);
  loadUs.push(busyUsPerTx(t0, bare.transactions));
  for (let k = 0; k < builds.length; k++) {
    const b = builds[(round + k) % builds.length]!;
    const m = await measure(b);
    results.get(b.name)!.push(m);
    console.log(
      `round ${round + 1} ${b.name.padEnd(8)} ${m.tps.toFixed(0)} tps: kernel ${f2(m.kernelUs)} + loader ${f2(m.loaderUs)} + node ${f2(m.nodeUs)} = ${f2(m.totalUs)} us/tx, ${f2(m.flowsPerTx)} flows/tx, ${m.lost} lost`,
    );
  }
}

console.log(`\nthe load's own CPU per transaction, without a collector: median ${f2(median(loadUs))} us (${range(loadUs)})`);
for (const b of builds) {
  const ms = results.get(b.name)!;
  console.log(`\n${b.name} (${b.root}), medians of ${ms.length} rounds (range):`);
  const names = [...new Set(ms.flatMap((m) => [...m.progs.keys()]))].sort();
  for (const n of names) {
    const ns = ms.map((m) => m.progs.get(n)?.nsPerTx ?? 0);
    const runs = ms.map((m) => m.progs.get(n)?.runsPerTx ?? 0);
    console.log(`  ${n.padEnd(18)} ${median(ns).toFixed(0).padStart(5)} ns/tx  ${median(runs).toFixed(2).padStart(5)} runs/tx  ${median(runs) ? (median(ns) / median(runs)).toFixed(0) : '-'} ns/run`);
  }
  const runsTotal = ms.map((m) => [...m.progs.values()].reduce((s, p) => s + p.runsPerTx, 0));
  console.log(`  runs per transaction: ${f2(median(runsTotal))}`);
  for (const [label, get] of [
    ['kernel programs (bpf_stats)', (m: Measured) => m.kernelUs],
    ['loader', (m: Measured) => m.loaderUs],
    ['decoding in Node.js', (m: Measured) => m.nodeUs],
    ['total', (m: Measured) => m.totalUs],
    ['flows per transaction', (m: Measured) => m.flowsPerTx],
  ] as const) {
    const xs = ms.map(get);
    console.log(`  ${label.padEnd(28)} ${f2(median(xs))} (${range(xs)})${label === 'flows per transaction' ? '' : ' us/tx'}`);
  }
  const share = ms.map((m, i) => (m.totalUs / (loadUs[i]! + m.totalUs)) * 100);
  console.log(`  share of a saturated machine (total / (load + total)): ${f2(median(share))}% (${range(share)}); lost events: ${ms.reduce((s, m) => s + m.lost, 0)}`);
}
const first = builds[0]!;
for (const b of builds.slice(1)) {
  const a = results.get(first.name)!;
  const r = results.get(b.name)!.map((m, i) => m.totalUs / a[i]!.totalUs);
  const parts = (['kernelUs', 'loaderUs', 'nodeUs'] as const).map((k) => `${k.replace('Us', '')} ${f2(median(results.get(b.name)!.map((m) => m[k])) / median(a.map((m) => m[k])))}`);
  // Other work on the machine only adds to a round's CPU per transaction (contention for
  // caches and cores), so the least of each build's rounds is the least disturbed figure.
  const least = (ms: Measured[]): number => Math.min(...ms.map((m) => m.totalUs));
  console.log(`\n${b.name} / ${first.name}, collector CPU per transaction: median of rounds ${f2(median(r))} (rounds ${r.map(f2).join(', ')}); ratio of medians ${f2(median(results.get(b.name)!.map((m) => m.totalUs)) / median(a.map((m) => m.totalUs)))}; of the least rounds ${f2(least(results.get(b.name)!) / least(a))}; by part (medians): ${parts.join(', ')}`);
}
server.kill('SIGKILL');
process.exit(0);
