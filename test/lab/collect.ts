// Runs the eBPF collector around some lab work and keeps the flows between lab
// addresses: what the collector integration tests share.
import { runCollector, type CollectorOptions } from '../../src/bpf-bridge/loader-process.ts';
import type { Flow } from '../../src/model/flow.ts';
import type { Lab } from './lab.ts';
import { within } from '../wait.ts';

/** A flow between two of the lab's addresses (the host's traffic, and other labs', is not the test's). */
export function isLabFlow(lab: Lab, f: Flow): boolean {
  return lab.owns(f.IP?.source) && lab.owns(f.IP?.destination);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Collected<T> {
  flows: Flow[];
  /** The collector's 'connected' status message (names the attached programs). */
  attached: string;
  /** Its warnings (features lost or degraded, each with why). */
  warnings: string[];
  result: T;
}

/**
 * Starts the collector, runs `work` once it is attached, waits for the loader's
 * last read batch, stops it; a collector that fails ends the wait for attachment
 * and its error is thrown after `work`.
 */
export async function collectAround<T>(lab: Lab, opts: CollectorOptions, work: () => Promise<T>): Promise<Collected<T>> {
  const flows: Flow[] = [];
  let attached = '';
  const warnings: string[] = [];
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
      if (e.kind === 'status' && e.state === 'warning') warnings.push(e.message ?? '');
      if (e.kind === 'flow' && isLabFlow(lab, e.flow)) flows.push(e.flow);
    },
    error: (err: unknown) => {
      failure = err;
      ready();
      finished();
    },
    complete: () => finished(),
  });
  try {
    await within('the eBPF collector to attach (its connected status)', 30_000, connected);
  } catch (e) {
    sub.unsubscribe();
    throw e;
  }
  const result = await work();
  await sleep(400); // the loader reads every 50 ms
  sub.unsubscribe();
  await Promise.race([done, sleep(2000)]);
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
  return { flows, attached, warnings, result };
}

/** The programs named in the collector's connected status ("... N programs (a, b, c)"). */
export function attachedPrograms(connectedMessage: string): string[] {
  const m = /\((.*)\)$/.exec(connectedMessage);
  return m ? m[1]!.split(', ') : [];
}
