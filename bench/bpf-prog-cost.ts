// Kernel cost of each netscope eBPF program per TCP_CRR transaction, from the
// kernel's own accounting (sysctl kernel.bpf_stats_enabled: run_time_ns and
// run_cnt per program). Much less sensitive to other load on the machine than
// throughput, so it shows whether a program change made the hooks cheaper.
//   node bench/bpf-prog-cost.ts [--seconds 5] [--threads 2]
// Needs root. Creates and removes its own namespaces; restores the sysctl.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { collectorPaths } from '../src/bpf-bridge/loader-process.ts';
import { startCrrLab } from './crr-lab.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}
const SECONDS = Number(arg('--seconds', '5'));
const THREADS = Number(arg('--threads', '2'));

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

execFileSync('sysctl', ['-q', '-w', 'kernel.bpf_stats_enabled=1']);
const { loaderPath, objDir } = collectorPaths();
const loader = spawn(loaderPath, [objDir], { stdio: ['pipe', 'ignore', 'inherit'] });
await new Promise((r) => setTimeout(r, 1000)); // attaching takes ~0.2 s
const ids = progIds(loader.pid!);
const before = progStats(ids);
const res = JSON.parse(
  execFileSync('ip', clientArgs(THREADS, SECONDS), { encoding: 'utf8' }),
) as { transactions: number; tps: number };
const after = progStats(ids);
loader.kill('SIGTERM');
await new Promise((r) => loader.once('exit', r));

console.log(`${res.transactions} transactions (${res.tps.toFixed(0)} tps); kernel time per transaction by program:`);
let total = 0;
for (const [id, a] of after) {
  const b = before.get(id)!;
  const ns = a.run_time_ns - b.run_time_ns;
  const cnt = a.run_cnt - b.run_cnt;
  total += ns;
  console.log(`  ${a.name.padEnd(16)} ${(ns / res.transactions).toFixed(0).padStart(6)} ns/tx  ${(cnt / res.transactions).toFixed(1).padStart(5)} runs/tx  ${cnt ? (ns / cnt).toFixed(0) : '-'} ns/run`);
}
console.log(`  ${'total'.padEnd(16)} ${(total / res.transactions).toFixed(0).padStart(6)} ns/tx`);
server.kill('SIGKILL');
process.exit(0);
