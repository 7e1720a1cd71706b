// Attaching the collector around a bench's load, shared by the eBPF benches: the full
// collector (records decoded into flows in this process), or its kernel programs and
// loader alone (records discarded).
import { spawn } from 'node:child_process';
import { collectorPaths, runCollector } from '../src/bpf-bridge/loader-process.ts';
import type { SourceEvent } from '../src/model/source.ts';

export interface Attached {
  /** The loader's pid. */
  pid: number;
  /** Stops the loader (it detaches its programs) and waits for it to exit. */
  detach: () => Promise<void>;
}

/** Attaches the full collector, resolving once it is attached; its events go to onEvent. */
export async function attachCollector(onEvent: (e: SourceEvent) => void, noL7 = false): Promise<Attached> {
  let ready!: () => void;
  const attached = new Promise<void>((r) => (ready = r));
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  let pid = 0;
  runCollector({ onSpawn: (p) => (pid = p), noL7 }).subscribe({
    next: (e) => {
      if (e.kind === 'status' && e.state === 'connected') ready();
      onEvent(e);
    },
    error: (err: unknown) => {
      console.error(`collector failed: ${String(err)}`);
      process.exit(1);
    },
    complete: () => finished(),
  });
  await attached;
  return {
    pid,
    detach: async () => {
      process.kill(pid, 'SIGTERM'); // the loader detaches and exits; the stream completes
      await done;
    },
  };
}

/** Starts the kernel programs and loader only, records discarded. */
export async function attachLoaderOnly(noL7 = false): Promise<Attached> {
  const { loaderPath, objDir } = collectorPaths();
  const loader = spawn(loaderPath, noL7 ? [objDir, '--no-l7'] : [objDir], { stdio: ['pipe', 'ignore', 'inherit'] });
  await new Promise((r) => setTimeout(r, 300)); // attaching takes ~0.2 s
  return {
    pid: loader.pid ?? 0,
    detach: async () => {
      loader.kill('SIGTERM');
      await new Promise((r) => loader.once('exit', r));
    },
  };
}

/**
 * Runs `ip ARGS` (the load's client in its namespace) in a child process, so that this
 * one stays free to decode the collector's records meanwhile; resolves with its stdout.
 */
export function runAsync(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('ip', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`client exited ${code}`))));
  });
}
