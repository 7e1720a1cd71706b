// Key-to-screen latency of the TUI under load: runs `netscope --demo` in a private tmux
// server at several flow rates, presses a key that changes the screen at least 50 times
// per rate, and measures the time from sending the key until `capture-pane` shows the
// change. Also samples the process's CPU use and peak RSS. `--mode flows` (default)
// presses `o` (flows order); `--mode map` focuses the topology map and moves its
// selection between two boxes with j/k (a move, a pan and a repaint of the map).
//
//   node_modules/.bin/node bench/tui-keys.ts [--rates 1000,10000,50000] [--presses 60] [--mode flows|map] [--via-server] [--cpu-prof DIR]
//
// --cpu-prof DIR: the TUI process writes a V8 CPU profile (.cpuprofile) into DIR when it quits.
//
// --via-server: the demo runs in `netscope serve --demo --rate R` (its own process) and
// the TUI reads it with `--server` (Hubble's gRPC API on loopback).
//
// Figures include tmux's own round trip (send-keys + capture-pane, ~1-3 ms each), so
// they are an upper bound of what netscope adds. Prints one line per rate.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killTmuxServer } from './tmux-server.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}

const rates = arg('--rates', '1000,10000,50000').split(',').map(Number);
const presses = Number(arg('--presses', '60'));
const bufferSize = arg('--buffer-size', '');
const mode = arg('--mode', 'flows');
if (mode !== 'flows' && mode !== 'map') throw new Error(`--mode must be flows or map (got ${mode})`);
const viaServer = process.argv.includes('--via-server');
const cpuProfDir = arg('--cpu-prof', '');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function procStat(pid: number): { cpuTicks: number; hwmKb: number; rssKb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuTicks, hwmKb: kb('VmHWM'), rssKb: kb('VmRSS') };
}

let runs = 0;

async function runRate(rate: number): Promise<void> {
  const sock = `netscope-bench-${process.pid}-${rate}-${runs++}`;
  const tmux = (...a: string[]) => execFileSync('tmux', ['-L', sock, ...a], { encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8' } });
  const extra = bufferSize ? ` --buffer-size ${bufferSize}` : '';
  tmux('new-session', '-d', '-x', '120', '-y', '40', '-c', ROOT, `export LANG=C.UTF-8 TERM=xterm-256color; exec bash --norc --noprofile`);
  const server = viaServer ? await startDemoServer(rate) : undefined;
  try {
    const source = server ? `--server ${server.address}` : `--demo --history 5 --rate ${rate}`;
    const prof = cpuProfDir ? `NODE_OPTIONS='--cpu-prof --cpu-prof-dir=${resolve(cpuProfDir)}' ` : '';
    tmux('send-keys', '-l', '--', `${prof}exec bin/netscope ${source}${extra}`);
    tmux('send-keys', 'Enter');
    const deadline = Date.now() + 60_000;
    while (!/newest first/.test(tmux('capture-pane', '-p'))) {
      if (Date.now() > deadline) throw new Error('TUI did not start');
      await sleep(100);
    }
    const pid = Number(tmux('list-panes', '-F', '#{pane_pid}').trim()); // exec: the pane's process is node
    await sleep(5000); // warm up: history loaded, JIT settled, steady ingestion
    const t0 = Date.now();
    const s0 = procStat(pid);
    const samples: number[] = [];
    // One press: send `key`, wait until the screen shows `want`.
    const press = async (key: string, want: string, i: number) => {
      const start = performance.now();
      tmux('send-keys', key);
      for (;;) {
        if (tmux('capture-pane', '-p').includes(want)) break;
        if (performance.now() - start > 10_000) throw new Error(`no screen change after 10 s (press ${i}, waiting for ${want})`);
      }
      samples.push(performance.now() - start);
      await sleep(30 + Math.random() * 40); // not in phase with the frame clock
    };
    if (mode === 'map') {
      // Focus the map and find two boxes one above the other; then alternate between them.
      const selected = async (): Promise<string> => {
        const end = Date.now() + 10_000;
        for (;;) {
          const m = /map:\w+\*? ▸ (\S+)/.exec(tmux('capture-pane', '-p'));
          if (m) return m[1];
          if (Date.now() > end) throw new Error('the map shows no selection');
          await sleep(50);
        }
      };
      tmux('send-keys', '1');
      tmux('send-keys', 'g');
      const a = await selected();
      tmux('send-keys', 'j');
      let b = a;
      for (let t = Date.now(); b === a && Date.now() - t < 10_000; ) b = await selected();
      if (b === a) throw new Error('j did not move the selection');
      for (let i = 0; i < presses; i++) await press(i % 2 === 0 ? 'k' : 'j', `▸ ${i % 2 === 0 ? a : b} `, i);
    } else {
      let newestFirst = true;
      for (let i = 0; i < presses; i++) {
        await press('o', newestFirst ? 'oldest first' : 'newest first', i);
        newestFirst = !newestFirst;
      }
    }
    const s1 = procStat(pid);
    const wall = (Date.now() - t0) / 1000;
    const status = tmux('capture-pane', '-p').split('\n')[38] ?? '';
    const seenRate = /([\d.]+k?) flows\/s/.exec(status)?.[1] ?? '?';
    tmux('send-keys', 'q');
    // A profile is written as the process exits: give it the time to.
    for (const end = Date.now() + 15_000; cpuProfDir && Date.now() < end; await sleep(100)) {
      try {
        readFileSync(`/proc/${pid}/stat`);
      } catch {
        break;
      }
    }
    samples.sort((a, b) => a - b);
    const hz = 100; // USER_HZ on Linux
    const cpu = ((s1.cpuTicks - s0.cpuTicks) / hz / wall) * 100;
    console.log(
      `mode=${mode} rate=${rate}/s (status line: ${seenRate} flows/s) presses=${samples.length} key-to-screen median=${quantile(samples, 0.5).toFixed(1)}ms p99=${quantile(samples, 0.99).toFixed(1)}ms max=${samples[samples.length - 1].toFixed(1)}ms cpu=${cpu.toFixed(0)}% of one core peakRSS=${(s1.hwmKb / 1024).toFixed(0)}MB rss=${(s1.rssKb / 1024).toFixed(0)}MB`,
    );
  } finally {
    killTmuxServer(tmux);
    server?.child.kill('SIGTERM');
  }
}

/** `netscope serve --demo` at `rate` flows/s on a free loopback port. */
async function startDemoServer(rate: number): Promise<{ address: string; child: ChildProcess }> {
  const child = spawn(resolve(ROOT, 'bin/netscope'), ['serve', '--demo', '--rate', String(rate), '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8');
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`netscope serve did not start: ${err}`)), 60_000);
    child.stderr!.on('data', (d: string) => {
      err += d;
      const m = /listening on (127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        res({ address: m[1]!, child });
      }
    });
  });
}

console.log(`netscope TUI key-to-screen benchmark${viaServer ? ' (flows from netscope serve --demo over gRPC)' : ''}; load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}; cores: ${(await import('node:os')).cpus().length}`);
for (const r of rates) await runRate(r);
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
