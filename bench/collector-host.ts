// One build's collector in a process of its own, for bench/collector-compare.ts:
// imports runCollector from the build's own checkout (ROOT/src/bpf-bridge), so its
// loader, objects and Node.js decoder are that build's, and the process's CPU time is
// that decoder's alone. Prints one JSON line when attached ({loaderPid, programs,
// warnings}); on each "count" line on stdin prints {flows, lost}; detaches when stdin
// closes.   node bench/collector-host.ts ROOT
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
  runCollector(opts: { onSpawn?: (pid: number) => void }): { subscribe(o: { next(e: Ev): void; error(e: unknown): void; complete(): void }): { unsubscribe(): void } };
}

const root = process.argv[2];
if (!root) {
  console.error('usage: node bench/collector-host.ts ROOT');
  process.exit(2);
}
const mod = (await import(pathToFileURL(join(root, 'src', 'bpf-bridge', 'loader-process.ts')).href)) as Collector;
let loaderPid = 0;
let flows = 0;
let lost = 0;
const warnings: string[] = [];
let announced = false;
const sub = mod.runCollector({ onSpawn: (p) => (loaderPid = p) }).subscribe({
  next(e) {
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
