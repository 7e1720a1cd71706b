// CPU time readings the eBPF benches share: the whole machine's busy time and one
// process's own CPU time, from /proc.
import { readFileSync } from 'node:fs';

/** Busy and stolen jiffies of all CPUs so far (/proc/stat: user nice system idle iowait irq softirq steal; USER_HZ = 100). */
export function machineTicks(): { busy: number; steal: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { busy: f[0]! + f[1]! + f[2]! + f[5]! + f[6]!, steal: f[7]! };
}

/** The whole machine's busy CPU per transaction since t0 (a machineTicks() reading), us. */
export function busyUsPerTx(t0: { busy: number }, transactions: number): number {
  return ((machineTicks().busy - t0.busy) * 1e4) / Math.max(1, transactions); // a tick is 10 ms
}

/**
 * CPU time of a process's main thread so far, in ns (/proc/PID/schedstat: the
 * scheduler's own clock, not ticks). The loader is single-threaded.
 */
export function threadCpuNs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
}
