// Runs the eBPF collector around some lab work and keeps the flows between lab
// addresses: what the collector integration tests share.
import { runCollector, type CollectorOptions } from '../../src/bpf-bridge/loader-process.ts';
import type { Flow } from '../../src/model/flow.ts';

const LAB_NET = '10.231.0.'; // lab.ts: pods are 10.231.0.<n>/24

/** A flow between two lab addresses (the host's own traffic is not the test's). */
export function isLabFlow(f: Flow): boolean {
  return (f.IP?.source?.startsWith(LAB_NET) ?? false) && (f.IP?.destination?.startsWith(LAB_NET) ?? false);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Collected<T> {
  flows: Flow[];
  /** The collector's 'connected' status message (names the attached programs). */
  attached: string;
  result: T;
}

/**
 * Starts the collector, runs `work` once it is attached, waits for the loader's
 * last read batch, stops it; a collector that fails ends the wait for attachment
 * and its error is thrown after `work`.
 */
export async function collectAround<T>(opts: CollectorOptions, work: () => Promise<T>): Promise<Collected<T>> {
  const flows: Flow[] = [];
  let attached = '';
  let failure: unknown;
  let ready!: () => void;
  const connected = new Promise<void>((r) => (ready = r));
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const sub = runCollector(opts).subscribe({
    next: (e) => {
      if (e.kind === 'status' && e.state === 'connected') {
        attached = e.message ?? '';
        ready();
      }
      if (e.kind === 'flow' && isLabFlow(e.flow)) flows.push(e.flow);
    },
    error: (err: unknown) => {
      failure = err;
      ready();
      finished();
    },
    complete: () => finished(),
  });
  await connected;
  const result = await work();
  await sleep(400); // the loader reads every 50 ms
  sub.unsubscribe();
  await Promise.race([done, sleep(2000)]);
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
  return { flows, attached, result };
}
