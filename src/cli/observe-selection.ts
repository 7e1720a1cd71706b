// Which events `observe` prints, in what order: the time window (--since/--until),
// the filter, then --first N (stop after N), --last N (a ring of the newest N, printed
// when the history ends) or everything. Pure: events in, events out through `emit`.
import type { Flow } from '../model/flow.ts';
import type { SourceEvent } from '../model/source.ts';
import { compareTimestamps, parseTimestamp, type Timestamp } from '../codec/timestamp.ts';

export type SelectionMode = { kind: 'all' } | { kind: 'first'; n: number } | { kind: 'last'; n: number };

export interface SelectionOptions {
  mode: SelectionMode;
  since?: Timestamp;
  until?: Timestamp;
  /** The flow filter (compiled FilterSet). */
  pass: (flow: Flow) => boolean;
  /**
   * Following a live source: events from this time on are live and printed as they
   * come; --last applies to what came before.
   */
  liveFrom?: Timestamp;
}

type Emit = (ev: SourceEvent) => void;

function eventTime(ev: SourceEvent): string | undefined {
  return ev.kind === 'flow' ? ev.flow.time : ev.kind === 'lost' || ev.kind === 'node-status' ? ev.time : undefined;
}

export class Selection {
  private readonly opts: SelectionOptions;
  private ring: SourceEvent[] = [];
  private ringStart = 0;
  private printed = 0;
  private historyDone = false;

  constructor(opts: SelectionOptions) {
    this.opts = opts;
  }

  /** True once --first N flows were printed: the caller can stop the source. */
  get satisfied(): boolean {
    return this.opts.mode.kind === 'first' && this.printed >= this.opts.mode.n;
  }

  /** Offers one source event (flow, lost events, node status; status and node lists are ignored). */
  offer(ev: SourceEvent, emit: Emit): void {
    if (ev.kind === 'status' || ev.kind === 'nodes' || this.satisfied) return;
    const o = this.opts;
    let ts: Timestamp | undefined;
    if (o.since !== undefined || o.until !== undefined || (o.liveFrom !== undefined && !this.historyDone)) {
      const t = eventTime(ev);
      ts = t === undefined ? undefined : parseTimestamp(t);
    }
    if (ev.kind === 'flow') {
      if (o.since !== undefined && (ts === undefined || compareTimestamps(ts, o.since) < 0)) return;
      // --until bounds history only; live events are newer by definition.
      if (o.until !== undefined && o.liveFrom === undefined && (ts === undefined || compareTimestamps(ts, o.until) > 0)) return;
      if (!o.pass(ev.flow)) return;
    }
    if (o.mode.kind === 'last' && !this.historyDone) {
      if (o.liveFrom !== undefined && ts !== undefined && compareTimestamps(ts, o.liveFrom) >= 0) {
        this.endHistory(emit);
      } else {
        this.remember(ev, o.mode.n);
        return;
      }
    }
    if (ev.kind === 'flow') this.printed++;
    emit(ev);
  }

  private remember(ev: SourceEvent, n: number): void {
    if (n === 0) return;
    if (this.ring.length < n) {
      this.ring.push(ev);
    } else {
      this.ring[this.ringStart] = ev;
      this.ringStart = (this.ringStart + 1) % n;
    }
  }

  /** Prints the remembered --last events (history is over: live data begins or the source ended). */
  endHistory(emit: Emit): void {
    if (this.historyDone) return;
    this.historyDone = true;
    const ring = this.ring;
    const start = this.ringStart;
    this.ring = [];
    this.ringStart = 0;
    for (let i = 0; i < ring.length; i++) {
      const ev = ring[(start + i) % ring.length]!;
      if (ev.kind === 'flow') this.printed++;
      emit(ev);
    }
  }

  /** The source completed. */
  finish(emit: Emit): void {
    this.endHistory(emit);
  }
}
