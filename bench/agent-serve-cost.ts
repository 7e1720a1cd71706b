// What serving costs the node agent on the lab's TCP_CRR load (issue 23's bench):
//   node bench/agent-serve-cost.ts [--seconds 10] [--threads 2] [--only client]
//        [--agent-node-options '--cpu-prof --cpu-prof-dir=/tmp/prof']   (root)
// Runs the load three times and prints CPU per transaction (process CPU of node and its
// loader child, /proc/PID/stat, all threads) against the load's own (the whole machine's
// busy time per transaction without any collector, as bench/bpf-prog-cost.ts --collector):
//   1. the collector alone: `netscope observe --local --to-port 1` (every record decoded
//      into a flow, none matches, nothing printed),
//   2. `netscope agent --no-cluster` with no client,
//   3. the same agent with one client following (`observe --server -o json > /dev/null`;
//      the client's CPU is not the agent's and is not counted).
// Kernel program time is the same in every run (same programs, same load) and left out.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { busyUsPerTx, machineTicks } from './cpu-time.ts';
import { runAsync } from './collector-attach.ts';
import { startCrrLab } from './crr-lab.ts';
import { REPO_ROOT } from '../test/lab/lab.ts';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
};
const SECONDS = Number(arg('--seconds', '10'));
const THREADS = Number(arg('--threads', '2'));
const BIN = join(REPO_ROOT, 'bin', 'netscope');
/** NODE_OPTIONS for the measured process only (not the client): e.g. --cpu-prof to profile the agent. */
const AGENT_NODE_OPTIONS = arg('--agent-node-options', '');
/** Run one case only: alone, idle or client (the load's own CPU is always measured). */
const ONLY = arg('--only', '');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const { clientArgs } = await startCrrLab();

/** utime+stime of a process and its descendants, in us (ticks of 10 ms). */
function treeCpuUs(pid: number): number {
  let ticks = 0;
  const walk = (p: number): void => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
      for (const t of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) walk(Number(t));
    } catch {
      // gone meanwhile
    }
  };
  walk(pid);
  return ticks * 1e4;
}

async function started(child: ChildProcess, re: RegExp, what: string): Promise<void> {
  let err = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: not ready in 60 s: ${err}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (re.test(err)) {
        clearTimeout(t);
        resolve();
      }
    });
  });
}

async function load(): Promise<{ transactions: number; tps: number }> {
  return JSON.parse(await runAsync(clientArgs(THREADS, SECONDS))) as { transactions: number; tps: number };
}

const t0 = machineTicks();
const base = await load();
const baseUs = busyUsPerTx(t0, base.transactions);
console.log(`the load's own CPU per transaction, nothing attached: ${baseUs.toFixed(1)} us (${base.tps.toFixed(0)} tps, ${cpus().length} CPUs)`);

async function measure(name: string, args: string[], ready: RegExp | undefined, withClient: string | undefined): Promise<number> {
  const env = AGENT_NODE_OPTIONS === '' ? process.env : { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${AGENT_NODE_OPTIONS}`.trim() };
  const proc = spawn(BIN, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  if (ready) await started(proc, ready, name);
  else await sleep(5000); // observe says nothing when attached; attaching takes well under this
  let client: ChildProcess | undefined;
  if (withClient) {
    client = spawn('sh', ['-c', `exec ${BIN} observe --server ${withClient} -o json -f > /dev/null`], { stdio: 'ignore' });
    await sleep(3000);
  }
  await load(); // warm-up: V8 compiles the decoder on the first load
  const c0 = treeCpuUs(proc.pid!);
  const r = await load();
  const us = (treeCpuUs(proc.pid!) - c0) / r.transactions;
  console.log(`${name}: ${us.toFixed(2)} us per transaction = ${((us / baseUs) * 100).toFixed(2)} points of the load's own CPU (${r.tps.toFixed(0)} tps)`);
  client?.kill('SIGTERM');
  proc.kill('SIGTERM');
  await new Promise((r2) => proc.once('exit', r2));
  return us;
}

const P = 14244;
const AGENT = ['agent', '--no-cluster', '--listen', `127.0.0.1:${P}`, '--health-listen', 'off'];
if (ONLY === 'client') {
  await measure('netscope agent --no-cluster, one client following', AGENT, /eBPF collector attached/, `127.0.0.1:${P}`);
  process.exit(0);
}
if (ONLY === 'idle') {
  await measure('netscope agent --no-cluster, no client', AGENT, /eBPF collector attached/, undefined);
  process.exit(0);
}
const alone = await measure('the collector alone (observe --local, nothing matching)', ['observe', '--local', '--to-port', '1', '-o', 'json'], undefined, undefined);
if (ONLY === 'alone') process.exit(0);
await sleep(1000);
const idle = await measure('netscope agent --no-cluster, no client', AGENT, /eBPF collector attached/, undefined);
await sleep(1000);
const one = await measure('netscope agent --no-cluster, one client following', AGENT, /eBPF collector attached/, `127.0.0.1:${P}`);
console.log(`serving, no client: +${(((idle - alone) / baseUs) * 100).toFixed(2)} points over the collector alone (target <= 0.5); one client following: +${(((one - alone) / baseUs) * 100).toFixed(2)} points (target <= 2)`);
process.exit(0);
