// `npm run bench:binary`: what an SRE pays for the single binary. Prints its size, the
// median wall time of `netscope --version`, and the median time from launching the TUI
// on the demo cluster (in tmux, like a real terminal) to its first drawn frame.
// Targets from the issue: --version < 150 ms, first frame < 600 ms. Prints figures only.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBinary } from '../scripts/sea/freshness.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

const { values } = parseArgs({
  options: {
    exe: { type: 'string' },
    runs: { type: 'string', default: '20' },
    'frame-runs': { type: 'string', default: '7' },
    'tui-args': { type: 'string', default: '--demo' },
    // Text that only a drawn frame contains: the first pane's title.
    marker: { type: 'string', default: 'Topology' },
    // bin/netscope (a shell script) needs coreutils on PATH: use this for checkout comparisons.
    'host-path': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(`Usage: npm run bench:binary -- [--exe PATH] [--runs N] [--frame-runs N] [--tui-args "ARGS"] [--marker TEXT] [--host-path]

Builds dist/netscope if stale (unless --exe is given), then prints its size, the median time
of --version over --runs runs, and the median time to the first TUI frame (the first
tmux capture containing --marker) over --frame-runs runs, minus nothing: tmux's own start
is measured separately and printed as the baseline. --host-path keeps this process's PATH
(to compare with bin/netscope from a checkout, which needs coreutils).
`);
  process.exit(0);
}

const exe = values.exe ?? ensureBinary(root);
const runs = Number(values.runs);
const frameRuns = Number(values['frame-runs']);
const scratch = mkdtempSync(join(tmpdir(), 'netscope-bench-'));
const emptyBin = join(scratch, 'empty-bin');
mkdirSync(emptyBin);
// As on a jump host: no node anywhere on PATH.
const env = { PATH: values['host-path'] ? (process.env['PATH'] ?? '') : emptyBin, HOME: emptyBin, LANG: 'C.UTF-8', TERM: 'xterm-256color' };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function ms(n: number): string {
  return `${n.toFixed(1)} ms`;
}

function timeVersion(): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(exe, ['--version'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const t = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`--version exited ${r.status}`);
  return t;
}

// A private tmux server per measurement: never touches other sessions, and a new session
// never races the previous server's shutdown.
let runNo = 0;
const socketBase = join(scratch, 'tmux');

function tmux(socket: string, args: string[]): string {
  const r = spawnSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** ms from `tmux new-session` to the first capture showing the marker (polled every 2 ms). */
function timeToMarker(command: string[], marker: string): number {
  const socket = `${socketBase}-${runNo++}`;
  const t0 = process.hrtime.bigint();
  tmux(socket, ['new-session', '-d', '-s', 'bench', '-x', '120', '-y', '40', '/usr/bin/env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...command]);
  try {
    for (;;) {
      const pane = tmux(socket, ['capture-pane', '-p', '-t', 'bench']);
      if (pane.includes(marker)) return Number(process.hrtime.bigint() - t0) / 1e6;
      if (Number(process.hrtime.bigint() - t0) > 20e9) throw new Error(`no "${marker}" on screen after 20 s:\n${pane}`);
      spawnSync('sleep', ['0.002']);
    }
  } finally {
    spawnSync('tmux', ['-S', socket, 'kill-server'], { stdio: 'ignore' });
    rmSync(socket, { force: true });
  }
}

function hasCommand(name: string): boolean {
  const r = spawnSync(exe, ['--help'], { env, encoding: 'utf8' });
  return new RegExp(`^  ${name}\\b`, 'm').test(r.stdout);
}

try {
  const size = statSync(exe).size;
  process.stdout.write(`binary: ${exe}\n`);
  process.stdout.write(`size: ${(size / 1e6).toFixed(1)} MB (${size} bytes)\n`);
  process.stdout.write(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);

  timeVersion(); // warm the page cache: a jump host runs it more than once
  const v = Array.from({ length: runs }, timeVersion);
  process.stdout.write(`--version: median ${ms(median(v))} over ${runs} runs (min ${ms(Math.min(...v))}, max ${ms(Math.max(...v))}); target < 150 ms\n`);

  const baseline = median(Array.from({ length: frameRuns }, () => timeToMarker(['/bin/sh', '-c', `printf '%s' '${values.marker}'; exec /bin/sleep 30`], values.marker)));
  process.stdout.write(`tmux baseline (printf of the marker): median ${ms(baseline)}\n`);
  if (hasCommand('tui')) {
    // The demo replays --history seconds of traffic before its first frame; the second
    // figure (no history) is the start-up cost of the binary and the TUI alone.
    for (const argLine of [values['tui-args'], values['tui-args'] + ' --history 0']) {
      const args = argLine.split(' ').filter((a) => a !== '');
      const f = Array.from({ length: frameRuns }, () => timeToMarker([exe, ...args], values.marker));
      process.stdout.write(
        `first TUI frame (${['netscope', ...args].join(' ')}): median ${ms(median(f))} over ${frameRuns} runs (min ${ms(Math.min(...f))}, max ${ms(Math.max(...f))}), ${ms(median(f) - baseline)} above the tmux baseline; target < 600 ms\n`,
      );
    }
  } else {
    process.stdout.write('first TUI frame: not measured, this binary has no tui command\n');
  }
  process.stdout.write(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
