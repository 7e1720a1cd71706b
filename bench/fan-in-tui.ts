// The TUI fed by the fan-in of N simulated agents (run inside tmux by bench/fan-in.ts).
// Each simulated agent emits RATE flows/s in 20 ms batches, in its own time order but
// delivered with a per-node delay (0-200 ms, so the fan-in has to reorder), and now and
// then "loses" a few flows the way an agent's ring buffer does: they are not sent, a lost
// event says how many. A node more than 100 ms behind (the TUI process too busy to take
// its batches) skips ahead and reports the skipped flows lost, as a Hubble agent does when
// a slow reader falls behind its ring buffer. Flows are shallow copies of demo-cluster
// flows (real shapes, cheap to make), each with its own time, uuid and node name.
//
// Env: NODES (50), RATE (2000 per node), LOSS (0.001 of flows), WINDOW_MS and MAX_BUFFERED
// (default: the fan-in's), STATS_FILE (JSON written on SIGUSR2: the simulators stop, the
// window drains, then the counts are written).
import { writeFileSync } from 'node:fs';
import * as tty from 'node:tty';
import v8 from 'node:v8';
import { from, lastValueFrom, Observable, tap, toArray } from 'rxjs';
import type { Flow } from '../src/model/flow.ts';
import type { SourceEvent } from '../src/model/source.ts';
import { createDemoSource } from '../src/sources/demo/index.ts';
import { DEFAULT_FAN_IN, fanIn, FanInStats, type NodeTarget, type TargetChange } from '../src/streams/fan-in.ts';
import { runApp } from '../src/views/app.ts';
import { chooseTerminal } from '../src/views/terminal.ts';
import { makeTheme } from '../src/views/theme.ts';

const NODES = Number(process.env.NODES ?? 50);
const RATE = Number(process.env.RATE ?? 2000);
const LOSS = Number(process.env.LOSS ?? 0.001);
const STATS_FILE = process.env.STATS_FILE ?? '';
const WINDOW_MS = Number(process.env.WINDOW_MS ?? DEFAULT_FAN_IN.windowMs);
const MAX_BUFFERED = Number(process.env.MAX_BUFFERED ?? DEFAULT_FAN_IN.maxBuffered);
const BATCH_MS = 20;

// Templates: a few seconds of the demo cluster's traffic (HTTP, DNS, TCP, drops).
const templates = (
  await Promise.all(
    [1, 2, 3, 4, 5].map(async (seed) =>
      (await lastValueFrom(createDemoSource({ seed, rate: 2000, historySeconds: 2, follow: false }).pipe(toArray()))).flatMap((e) => (e.kind === 'flow' ? [e.flow] : [])),
    ),
  )
).flat();

const counts = { generated: 0, notSent: 0, readerLost: 0, delivered: 0, lostReported: 0 };
let stopped = false;

// One ISO string per millisecond, shared by the flows of that millisecond: making a
// string per flow would bill the simulators' cost to the TUI being measured.
const isoCache = new Map<number, string>();
function isoAt(ms: number): string {
  const whole = Math.floor(ms);
  let text = isoCache.get(whole);
  if (text === undefined) {
    if (isoCache.size >= 4096) isoCache.clear(); // the last few seconds are all that is asked for
    text = new Date(whole).toISOString();
    isoCache.set(whole, text);
  }
  return text;
}

function simulatedAgent(node: string, index: number): Observable<SourceEvent> {
  return new Observable<SourceEvent>((sub) => {
    const delayMs = (index * 37) % 200; // 0-199 ms behind, fixed per node
    let pick = index * 101;
    let seq = 0;
    let owedLoss = 0;
    let owedFlows = 0;
    let lastMs = Date.now() - delayMs;
    const t = setInterval(() => {
      if (stopped) return;
      // As many flows as RATE says for the time since the last batch (timers run late under load).
      const endMs = Date.now() - delayMs;
      const startMs = lastMs;
      lastMs = endMs;
      owedFlows += (RATE * (endMs - startMs)) / 1000;
      let perBatch = Math.floor(owedFlows);
      owedFlows -= perBatch;
      // A reader that falls behind loses what the agent's ring buffer overwrote meanwhile, as
      // with Hubble (HUBBLE_RING_BUFFER): more than 5 batches behind is not sent but reported.
      const maxBatch = Math.ceil((RATE * BATCH_MS * 5) / 1000);
      if (perBatch > maxBatch) {
        const over = perBatch - maxBatch;
        counts.generated += over;
        counts.readerLost += over;
        perBatch = maxBatch;
        sub.next({ kind: 'lost', lost: { source: 'HUBBLE_RING_BUFFER', num_events_lost: over } });
      }
      let lost = 0;
      for (let i = 0; i < perBatch; i++) {
        counts.generated++;
        owedLoss += LOSS;
        if (owedLoss >= 1) {
          owedLoss -= 1;
          lost++;
          continue;
        }
        const tpl = templates[pick++ % templates.length]!;
        const ms = startMs + ((endMs - startMs) * (i + 1)) / perBatch;
        const flow: Flow = { ...tpl, time: isoAt(ms), uuid: `${node}-${seq++}`, node_name: node };
        sub.next({ kind: 'flow', flow });
      }
      if (lost > 0) {
        counts.notSent += lost;
        sub.next({ kind: 'lost', lost: { source: 'PERF_EVENT_RING_BUFFER', num_events_lost: lost } });
      }
    }, BATCH_MS);
    return () => clearInterval(t);
  });
}

const stats = new FanInStats();
const targets: TargetChange[] = Array.from({ length: NODES }, (_, i) => {
  const node = `node-${String(i).padStart(2, '0')}`;
  const target: NodeTarget = { id: `netscope/netscope-agent-${i}`, node, connect: () => simulatedAgent(node, i) };
  return { type: 'add', target };
});
const source = fanIn(from(targets), { stats, windowMs: WINDOW_MS, maxBuffered: MAX_BUFFERED }).pipe(
  tap((ev) => {
    if (ev.kind === 'flow') counts.delivered++;
    else if (ev.kind === 'lost') counts.lostReported += ev.lost.num_events_lost ?? 0;
  }),
);

process.on('SIGUSR2', () => {
  stopped = true;
  // Let the reorder window drain before counting.
  setTimeout(() => {
    if (STATS_FILE) {
      writeFileSync(
        STATS_FILE,
        JSON.stringify({
          ...counts,
          windowMs: WINDOW_MS,
          maxBuffered: MAX_BUFFERED,
          fanIn: { flows: stats.total('flows'), late: stats.total('late'), duplicates: stats.total('duplicates'), lost: stats.total('lost') },
        }),
      );
    }
  }, WINDOW_MS * 2 + 200);
});

// As `netscope` itself sets them (src/cli/commands/tui.ts).
v8.setFlagsFromString('--semi-space-growth-factor=1');
v8.setFlagsFromString('--heap-growing-percent=30');
const term = chooseTerminal(process.env.TERM);
const output = new tty.WriteStream(1);
const code = await runApp({
  output,
  input: process.stdin,
  source,
  bufferSize: 20_000,
  refreshHz: 10,
  filterArgs: [],
  theme: makeTheme({ color: true, unicode: true }),
  terminal: term.terminal,
});
process.exit(code);
