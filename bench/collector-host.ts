// One build's collector in a process of its own, for bench/collector-compare.ts:
// imports runCollector from the build's own checkout (ROOT/src/bpf-bridge), so its
// loader, objects and Node.js decoder are that build's, and the process's CPU time is
// that decoder's alone. Prints one JSON line when attached ({loaderPid, programs,
// warnings}); on each "count" line on stdin prints {flows, lost}; detaches when stdin
// closes.
//   node bench/collector-host.ts ROOT [--consume none|tui] [--eager]
// --consume none (default): flows are counted and dropped, nothing reads them: an
//   agent with no client, whose ring holds flows nobody asks for.
// --consume tui: every event goes into the build's own FlowStore (src/streams: the ring,
//   counters, topology and RED aggregation the TUI's ingestion does per flow), and ten
//   times a second the newest 40 flows are formatted as the flows pane's rows
//   (src/views/flow-format.ts: time, endpoints, protocol, summary) and the time read.
// --eager: the build's mapper gives plain flow objects (FlowMapper eager), for builds
//   with lazy flows; older builds ignore it.
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Ev {
  kind: string;
  state?: string;
  message?: string;
  lost?: { num_events_lost: number };
}
interface Collector {
  runCollector(opts: { onSpawn?: (pid: number) => void; eager?: boolean }): { subscribe(o: { next(e: Ev): void; error(e: unknown): void; complete(): void }): { unsubscribe(): void } };
}
interface Ring {
  endSeq: number;
  startSeq: number;
  bySeq(seq: number): Flowish | undefined;
}
type Flowish = { time?: string };
interface Store {
  ingest(ev: Ev): void;
  shown: Ring;
}
interface Format {
  endpointLabel(f: Flowish, side: 'source' | 'destination'): string;
  protocolOf(f: Flowish): string;
  flowSummary(f: Flowish): string;
}

function option(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}
const root = process.argv[2];
if (!root) {
  console.error('usage: node bench/collector-host.ts ROOT [--consume none|tui] [--eager]');
  process.exit(2);
}
const consume = option('--consume', 'none');
if (consume !== 'none' && consume !== 'tui') {
  console.error(`collector-host: --consume ${consume}: want none or tui`);
  process.exit(2);
}
const load = async <T>(...path: string[]): Promise<T> => (await import(pathToFileURL(join(root, 'src', ...path)).href)) as T;
const mod = await load<Collector>('bpf-bridge', 'loader-process.ts');
let store: Store | undefined;
if (consume === 'tui') {
  const { FlowStore } = await load<{ FlowStore: new () => Store }>('streams', 'flow-store.ts');
  const fmt = await load<Format>('views', 'flow-format.ts');
  const tuiStore = new FlowStore();
  store = tuiStore;
  let chars = 0;
  // The flows pane at 10 frames a second: its visible rows, newest first.
  setInterval(() => {
    const ring = tuiStore.shown;
    for (let seq = ring.endSeq - 1; seq >= Math.max(ring.startSeq, ring.endSeq - 40); seq--) {
      const f = ring.bySeq(seq);
      if (f) chars += (f.time ?? '').length + fmt.endpointLabel(f, 'source').length + fmt.endpointLabel(f, 'destination').length + fmt.protocolOf(f).length + fmt.flowSummary(f).length;
    }
  }, 100).unref();
  process.on('exit', () => void chars);
}
let loaderPid = 0;
let flows = 0;
let lost = 0;
const warnings: string[] = [];
let announced = false;
const sub = mod.runCollector({ onSpawn: (p) => (loaderPid = p), eager: process.argv.includes('--eager') }).subscribe({
  next(e) {
    store?.ingest(e);
    if (e.kind === 'flow') flows++;
    else if (e.kind === 'lost') lost += e.lost?.num_events_lost ?? 0;
    else if (e.kind === 'status' && e.state === 'warning') warnings.push(e.message ?? '');
    else if (e.kind === 'status' && e.state === 'connected' && !announced) {
      announced = true;
      console.log(JSON.stringify({ loaderPid, programs: e.message ?? '', warnings }));
    }
  },
  error(err) {
    console.error(`collector failed: ${String(err)}`);
    process.exit(1);
  },
  complete() {
    process.exit(0);
  },
});
const rl = createInterface({ input: process.stdin });
rl.on('line', (l) => {
  if (l.trim() === 'count') console.log(JSON.stringify({ flows, lost }));
});
rl.on('close', () => {
  sub.unsubscribe(); // SIGTERM: the loader detaches its programs and exits
  const gone = setInterval(() => {
    try {
      process.kill(loaderPid, 0);
    } catch {
      clearInterval(gone);
      process.exit(0);
    }
  }, 20);
});
