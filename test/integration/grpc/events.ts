// Collects a Source's events for a test, with bounded waits that fail naming what did not arrive.
import type { Source, SourceEvent } from '../../../src/model/source.ts';

export interface Collected {
  events: SourceEvent[];
  flows(): string[];
  error?: unknown;
  completed: boolean;
  waitFor(what: string, pred: (events: SourceEvent[]) => boolean, ms?: number): Promise<void>;
  stop(): void;
}

export function collect(source: Source): Collected {
  const c: Collected = {
    events: [],
    completed: false,
    flows: () => c.events.flatMap((e) => (e.kind === 'flow' ? [e.flow.uuid ?? '?'] : [])),
    waitFor: (what, pred, ms = 10_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const tick = (): void => {
          if (pred(c.events)) return resolve();
          if (c.error !== undefined) return reject(new Error(`${what}: the source failed first: ${String(c.error)}`));
          if (Date.now() - started > ms) {
            const seen = c.events.map((e) => (e.kind === 'flow' ? `flow ${e.flow.uuid}` : e.kind === 'status' ? `status ${e.state} ${e.message ?? ''}` : e.kind)).join('; ');
            return reject(new Error(`timed out after ${ms} ms waiting for ${what}; got: ${seen.slice(-1500)}`));
          }
          setTimeout(tick, 10);
        };
        tick();
      }),
    stop: () => sub.unsubscribe(),
  };
  const sub = source.subscribe({
    next: (e) => c.events.push(e),
    error: (err: unknown) => (c.error = err),
    complete: () => (c.completed = true),
  });
  return c;
}
