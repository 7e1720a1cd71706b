// The frame clock: redraws happen at a bounded rate and only when the state changed, so
// ingestion never waits on the terminal and an idle screen costs nothing.
import { Observable, type SchedulerLike, asyncScheduler, interval } from 'rxjs';
import { distinctUntilChanged, map } from 'rxjs/operators';
import type { SourceEvent } from '../model/source.ts';
import type { FlowStore } from './flow-store.ts';

/** Emits the state version at most once per `periodMs`, only when it differs from the last emitted. */
export function frames(version: () => number, periodMs: number, scheduler: SchedulerLike = asyncScheduler): Observable<number> {
  return interval(periodMs, scheduler).pipe(
    map(() => version()),
    distinctUntilChanged(),
  );
}

/**
 * Feeds every event of a source into the store (O(1) each); completes with the source.
 * An event the store cannot take (malformed data from the wire) is counted and skipped,
 * never allowed to end the stream.
 */
export function ingestInto(store: FlowStore) {
  return (source: Observable<SourceEvent>): Observable<SourceEvent> =>
    new Observable<SourceEvent>((sub) =>
      source.subscribe({
        next: (ev) => {
          try {
            store.ingest(ev);
          } catch (err) {
            store.noteBadEvent(err);
          }
          sub.next(ev);
        },
        error: (err: unknown) => sub.error(err),
        complete: () => sub.complete(),
      }),
    );
}
