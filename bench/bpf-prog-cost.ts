// Kernel cost of each netscope eBPF program per TCP_CRR transaction, from the
// kernel's own accounting (sysctl kernel.bpf_stats_enabled: run_time_ns and
// run_cnt per program). Much less sensitive to other load on the machine than
// throughput, so it shows whether a program change made the hooks cheaper.
//   node bench/bpf-prog-cost.ts [--seconds 5] [--threads 2] [--collector]
// --collector: the full collector (records decoded into flows in this process, as
// `netscope --local` does) instead of the loader alone with its records discarded,
// after a run without it. Then it also prints the collector's whole CPU per
// transaction (programs, loader, decoding) next to the load's own CPU per
// transaction, and the throughput share that CPU alone takes from a load that keeps
// every core busy: a floor under the throughput loss bpf-crr.ts measures, which moves
// far less from run to run (cache and scheduling effects come on top of it).
// Needs root. Creates and removes its own namespaces; restores the sysctl.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { cpus } from 'node:os';
import { attachCollector, attachLoaderOnly, runAsync } from './collector-attach.ts';
import { busyUsPerTx, machineTicks, threadCpuNs } from './cpu-time.ts';
import { startCrrLab } from './crr-lab.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}
const SECONDS = Number(arg('--seconds', '5'));
const THREADS = Number(arg('--threads', '2'));
const COLLECTOR = process.argv.includes('--collector');

const STATS = '/proc/sys/kernel/bpf_stats_enabled';
const statsBefore = readFileSync(STATS, 'utf8').trim();
process.on('exit', () => execFileSync('sysctl', ['-q', '-w', `kernel.bpf_stats_enabled=${statsBefore}`]));
const { server, clientArgs } = await startCrrLab();

/** Program ids held by a process, from its bpf-prog fds. */
function progIds(pid: number): number[] {
  const ids: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:bpf-prog') continue;
      const m = /prog_id:\s*(\d+)/.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (m) ids.push(Number(m[1]));
    } catch {
      // fd closed meanwhile
    }
  }
  return [...new Set(ids)];
}

interface ProgStat {
  name: string;
  run_time_ns: number;
  run_cnt: number;
}
function progStats(ids: number[]): Map<number, ProgStat> {
  const out = new Map<number, ProgStat>();
  for (const id of ids) {
    const p = JSON.parse(execFileSync('bpftool', ['prog', 'show', 'id', String(id), '--json'], { encoding: 'utf8' })) as ProgStat & { id: number };
    out.set(id, { name: p.name, run_time_ns: p.run_time_ns ?? 0, run_cnt: p.run_cnt ?? 0 });
  }
  return out;
}

interface ClientResult {
  transactions: number;
  tps: number;
}

/** The load, in a child process so that this one stays free to decode. */
async function runClient(seconds = SECONDS): Promise<ClientResult> {
  return JSON.parse(await runAsync(clientArgs(THREADS, seconds))) as ClientResult;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Without the collector: the load's own CPU per transaction (the whole machine's busy time).
let baseline: { tps: number; busyUs: number; busyShare: number } | undefined;
if (COLLECTOR) {
  const t0 = machineTicks();
  const r = await runClient();
  const busyUs = busyUsPerTx(t0, r.transactions);
  baseline = { tps: r.tps, busyUs, busyShare: (busyUs * r.transactions) / (SECONDS * 1e6 * cpus().length) };
}

execFileSync('sysctl', ['-q', '-w', 'kernel.bpf_stats_enabled=1']);
let flows = 0;
const { pid: loaderPid, detach } = COLLECTOR
  ? await attachCollector((e) => {
      if (e.kind === 'flow') flows++;
    })
  : await attachLoaderOnly();
await sleep(1000); // attaching takes ~0.2 s; the first second costs more than the rest
// With the full collector, a first load before measuring: V8 compiles the decoder
// while it runs (0.8 us per transaction of its helper threads' time in a first run,
// 0.07 after), and a collector that stays attached pays that once.
if (COLLECTOR) await runClient(2);
const ids = progIds(loaderPid);
const before = progStats(ids);
const main0 = threadCpuNs(process.pid);
const flows0 = flows;
const node0 = process.cpuUsage();
const loader0 = threadCpuNs(loaderPid);
const res = await runClient();
await sleep(300); // the last 50 ms poll batches
const after = progStats(ids);
const node = process.cpuUsage(node0);
const mainNs = threadCpuNs(process.pid) - main0;
const loaderNs = threadCpuNs(loaderPid) - loader0;
await detach();

console.log(`${res.transactions} transactions (${res.tps.toFixed(0)} tps); kernel time per transaction by program:`);
let total = 0;
let runs = 0;
for (const [id, a] of after) {
  const b = before.get(id)!;
  const ns = a.run_time_ns - b.run_time_ns;
  const cnt = a.run_cnt - b.run_cnt;
  total += ns;
  runs += cnt;
  console.log(`  ${a.name.padEnd(16)} ${(ns / res.transactions).toFixed(0).padStart(6)} ns/tx  ${(cnt / res.transactions).toFixed(1).padStart(5)} runs/tx  ${cnt ? (ns / cnt).toFixed(0) : '-'} ns/run`);
}
console.log(`  ${'total'.padEnd(16)} ${(total / res.transactions).toFixed(0).padStart(6)} ns/tx  ${(runs / res.transactions).toFixed(1).padStart(5)} runs/tx`);
if (baseline) {
  const tx = Math.max(1, res.transactions);
  const kernelUs = total / 1000 / tx;
  const loaderUs = loaderNs / 1000 / tx;
  const nodeUs = (node.user + node.system) / tx;
  const mainUs = mainNs / 1000 / tx;
  const sum = kernelUs + loaderUs + nodeUs;
  console.log(
    `collector CPU per transaction: kernel programs ${kernelUs.toFixed(2)} us (bpf_stats, whose own clock reads are in it), loader ${loaderUs.toFixed(2)} us, decoding in node ${nodeUs.toFixed(2)} us (main thread ${mainUs.toFixed(2)}, V8's helper threads ${Math.max(0, nodeUs - mainUs).toFixed(2)}; ${((flows - flows0) / tx).toFixed(2)} flows per transaction): ${sum.toFixed(2)} us`,
  );
  console.log(`the load's own CPU per transaction, without the collector: ${baseline.busyUs.toFixed(1)} us (${baseline.tps.toFixed(0)} tps; the ${cpus().length} CPUs ${(baseline.busyShare * 100).toFixed(0)}% busy)`);
  console.log(
    `on a machine the load keeps busy, the collector's CPU alone takes ${((sum / (baseline.busyUs + sum)) * 100).toFixed(1)}% of throughput (target: loss <= 5%); this run, bpf_stats on: ${(((res.tps - baseline.tps) / baseline.tps) * 100).toFixed(1)}%`,
  );
}
server.kill('SIGKILL');
process.exit(0);
