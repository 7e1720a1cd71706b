// Fan-in: N per-node flow streams merged into one stream in time order.
//
// Each node's stream (an agent read over gRPC, one per DaemonSet pod) is only roughly in
// time order and the nodes deliver with different delays, so flows are held in a reorder
// buffer (a k-way merge of per-node queues, reorder-buffer.ts) and released in order once
// they are safe to release:
//   - event time: a flow more than `windowMs` older than the newest flow seen from any
//     node is released (no node is expected to deliver something older any more);
//   - wall time: no flow waits longer than `windowMs` (a quiet cluster still shows its
//     flows; Hubble Relay's sort-buffer-drain-timeout);
//   - count: more than `maxBuffered` held flows release the oldest (bounds memory at high
//     rates; Relay's sort-buffer-len-max).
// The window: 1 s. A node's own stream is out of order by up to ~250 ms (the collector
// writes a connection's open record from an iterator run every 200 ms, 50 ms after the
// connection opened), port-forward through the API server adds tens of ms of jitter, and
// NTP keeps node clocks within a few ms; 1 s covers that with room, and is what Relay
// uses. The count: 50,000 flows (about 75 MB at ~1.5 KB a flow): at 100,000 flows/s (50
// nodes x 2,000/s) that still leaves a 500 ms window.
// A flow that arrives after younger flows were already released ("late") is passed
// through at once, out of order, and counted per node: never dropped.
//
// Per node: a failing or ended stream is retried with backoff (resuming `since` the last
// flow's time), its state travels as `node-status` events (NODE_CONNECTED,
// NODE_UNAVAILABLE, NODE_GONE, NODE_ERROR, as Hubble names them) and as one aggregate
// `status` line, its lost events carry its node name, and flows it replays after a
// reconnect are dropped as duplicates by (node, time, uuid) in a bounded set.
import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { backoffDelay, delayText, type BackoffOptions } from '../k8s/backoff.ts';
import type { Flow } from '../model/flow.ts';
import { sanitize } from '../model/sanitize.ts';
import type { SourceEvent } from '../model/source.ts';
import { FanInStats, moreNodes, type NodeStats } from './fan-in-stats.ts';
import { RecentFlows } from './recent-flows.ts';
import { NodeQueue, ReorderBuffer, type Keyed } from './reorder-buffer.ts';
import { keyLess, timeKey, type TimeKey } from './flow-time-key.ts';
import { copyFlow } from '../model/plain-flow.ts';

export { FanInStats, type NodeState, type NodeStats } from './fan-in-stats.ts';

/** Where a reconnecting stream should start: after the last flow received from the node. */
export interface ResumeFrom {
  /** RFC 3339 time of the newest flow already received from this node. */
  since?: string;
}

export interface NodeTarget {
  /** Unique per stream (e.g. the agent pod's namespace/name). */
  id: string;
  /** The node's name, for status and flows that lack one. */
  node: string;
  /** Opens the node's stream; called again (with `since`) on every retry. */
  connect(resume: ResumeFrom): Observable<SourceEvent>;
}

export type TargetChange = { type: 'add'; target: NodeTarget } | { type: 'remove'; id: string };

export interface FanInOptions {
  /** Reorder window in time (ms). */
  windowMs: number;
  /** Reorder window in flows held. */
  maxBuffered: number;
  /** (time, uuid) keys remembered per node to drop replayed flows. */
  dedupePerNode: number;
  backoff: BackoffOptions;
  /** Retry streams that end or fail (a live view); otherwise an ended node is done. */
  follow: boolean;
  /** Name of the aggregate status line, e.g. `agents`. */
  source: string;
  scheduler: SchedulerLike;
  random: () => number;
  /** Filled in as the stream runs (per-node counters), for views and benchmarks. */
  stats?: FanInStats;
}

export const DEFAULT_FAN_IN: Omit<FanInOptions, 'scheduler' | 'random'> = {
  windowMs: 1000,
  maxBuffered: 50_000,
  dedupePerNode: 4096,
  backoff: { initialMs: 1000, maxMs: 30_000, jitter: 0.2 },
  follow: true,
  source: 'agents',
};

/** A stream that stayed up this long resets its backoff (a crash loop does not). */
const STABLE_MS = 10_000;
/** Late-flow counts refresh the aggregate status at most this often. */
const STATUS_EVERY_MS = 1000;

interface Entry extends Keyed {
  /** Wall-clock time it was buffered (scheduler.now()). */
  arrival: number;
  ev: SourceEvent;
  released: boolean;
}

/** What is remembered about a node across its streams (retries, pod recreated). */
interface NodeMemory {
  lastTime?: string;
  lastKey?: TimeKey;
  seen: RecentFlows;
  /** Its flows waiting in the reorder buffer. */
  queue: NodeQueue<Entry>;
}

interface Run {
  target: NodeTarget;
  stats: NodeStats;
  memory: NodeMemory;
  sub?: Subscription;
  retry?: Subscription;
  attempt: number;
  connectedAt?: number;
}

function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return sanitize(msg.split('\n')[0] ?? '');
}

/** Merges the node streams `targets` adds (and removes) into one time-ordered stream. */
export function fanIn(targets: Observable<TargetChange>, options: Partial<FanInOptions> = {}): Observable<SourceEvent> {
  const o: FanInOptions = { ...DEFAULT_FAN_IN, scheduler: asyncScheduler, random: Math.random, ...options };
  return new Observable<SourceEvent>((out) => {
    const stats = o.stats ?? new FanInStats();
    const heap = new ReorderBuffer<Entry>();
    /** Buffered entries in arrival order, for the wall-time bound. */
    let fifo: Entry[] = [];
    let fifoHead = 0;
    let seq = 0;
    let newest: TimeKey | undefined;
    /** Key of the newest flow released so far (-Infinity: none yet). */
    let lastOutMs = Number.NEGATIVE_INFINITY;
    let lastOutNs = 0;
    let timer: Subscription | undefined;
    const runs = new Map<string, Run>();
    const memory = new Map<string, NodeMemory>();
    let targetsDone = false;
    let closed = false;
    let lastStatus = '';
    let lastStatusAt = Number.NEGATIVE_INFINITY;
    const now = (): number => o.scheduler.now();

    let statusTimer: Subscription | undefined;
    /** Targets come in bursts (discovery lists every pod at once): one status line for the burst, not one per node. */
    let addedStatus: Subscription | undefined;
    /** History only: how many nodes' streams ended well, and which nodes failed. */
    let nodesRead = 0;
    const nodesFailed: string[] = [];
    const emitStatus = (force: boolean): void => {
      if (closed) return;
      if (!force && now() - lastStatusAt < STATUS_EVERY_MS) {
        // Say it a little later (once), so the last count is never left unsaid.
        statusTimer ??= o.scheduler.schedule(() => {
          statusTimer = undefined;
          emitStatus(true);
        }, lastStatusAt + STATUS_EVERY_MS - now());
        return;
      }
      statusTimer?.unsubscribe();
      statusTimer = undefined;
      const s = stats.summary();
      const line = `${s.state}|${s.message}`;
      if (line === lastStatus) return;
      lastStatus = line;
      lastStatusAt = now();
      // Node names come from the cluster: control characters are made visible.
      out.next({ kind: 'status', source: o.source, state: s.state, message: sanitize(s.message) });
    };

    const nodeStatus = (run: Run, state_change: string, message?: string): void => {
      if (closed) return;
      // Timed like Hubble's node status events, so `observe` prints them as hubble does.
      const time = new Date(now()).toISOString();
      out.next({ kind: 'node-status', node_name: run.target.node, time, status: { state_change, node_names: [run.target.node], ...(message ? { message } : {}) } });
    };

    const releaseMin = (): void => {
      const e = heap.pop()!;
      e.released = true;
      if (e.ms > lastOutMs || (e.ms === lastOutMs && e.ns > lastOutNs)) {
        lastOutMs = e.ms;
        lastOutNs = e.ns;
      }
      out.next(e.ev);
    };

    const schedule = (): void => {
      if (timer || heap.size === 0 || closed) return;
      while (fifoHead < fifo.length && fifo[fifoHead]!.released) fifoHead++;
      const head = fifo[fifoHead];
      if (!head) return;
      timer = o.scheduler.schedule(() => {
        timer = undefined;
        release();
        maybeComplete();
      }, Math.max(0, head.arrival + o.windowMs - now()));
    };

    const release = (t: number = now()): void => {
      while (heap.size > o.maxBuffered) releaseMin();
      if (newest) {
        const limitMs = newest.ms - o.windowMs;
        while (heap.size > 0 && heap.peek()!.ms <= limitMs) releaseMin();
      }
      while (fifoHead < fifo.length) {
        const head = fifo[fifoHead]!;
        if (head.released) {
          fifoHead++;
          continue;
        }
        if (head.arrival + o.windowMs > t) break;
        while (!head.released) releaseMin();
      }
      if (fifoHead > 1024 && fifoHead * 2 > fifo.length) {
        fifo = fifo.slice(fifoHead);
        fifoHead = 0;
      }
      schedule();
    };

    const flushAll = (): void => {
      while (heap.size > 0) releaseMin();
      fifo = [];
      fifoHead = 0;
    };

    const onFlow = (run: Run, ev: SourceEvent & { kind: 'flow' }): void => {
      let flow: Flow = ev.flow;
      if (flow.node_name === undefined || flow.node_name === '') {
        flow = copyFlow(flow);
        flow.node_name = run.target.node;
        ev = { kind: 'flow', flow };
      }
      const key = flow.time === undefined ? undefined : timeKey(flow.time);
      if (key === undefined) {
        // No time to order by: it is shown as it comes.
        run.stats.flows++;
        out.next(ev);
        return;
      }
      const mem = run.memory;
      const newer = mem.lastKey === undefined || keyLess(mem.lastKey, key);
      if (mem.seen.armed) {
        // Replaying after a reconnect: only a flow no newer than the newest seen before can be a duplicate.
        if (newer) mem.seen.disarm();
        else if (flow.uuid && mem.seen.has(flow.uuid, flow.time!)) {
          run.stats.duplicates++;
          return;
        }
      }
      if (flow.uuid) mem.seen.add(flow.uuid, flow.time!);
      run.stats.flows++;
      if (newer) {
        mem.lastKey = key;
        mem.lastTime = flow.time;
      }
      if (key.ms < lastOutMs || (key.ms === lastOutMs && key.ns < lastOutNs)) {
        run.stats.late++;
        out.next(ev);
        emitStatus(false);
        return;
      }
      const t = now();
      const e: Entry = { ms: key.ms, ns: key.ns, seq: seq++, arrival: t, ev, released: false };
      heap.push(mem.queue, e);
      fifo.push(e);
      if (newest === undefined || keyLess(newest, key)) newest = key;
      release(t);
    };

    const connected = (run: Run): void => {
      if (run.stats.state === 'connected') return;
      run.stats.state = 'connected';
      run.stats.lastError = undefined;
      run.stats.retryInMs = undefined;
      run.connectedAt = now();
      nodeStatus(run, 'NODE_CONNECTED');
      emitStatus(true);
    };

    const onEvent = (run: Run, ev: SourceEvent): void => {
      switch (ev.kind) {
        case 'flow':
          connected(run);
          onFlow(run, ev);
          return;
        case 'lost':
          connected(run);
          run.stats.lost += ev.lost.num_events_lost ?? 0;
          out.next(ev.node_name ? ev : { ...ev, node_name: run.target.node });
          return;
        case 'node-status':
          connected(run);
          out.next(ev);
          return;
        case 'status':
          // The connector's own progress folds into this node's state: one aggregate line
          // for the status bar rather than fifty competing ones.
          if (ev.state === 'connected') connected(run);
          else if (ev.state === 'error' || ev.state === 'warning') {
            run.stats.lastError = ev.message ?? ev.state;
            emitStatus(true);
          }
          return;
      }
    };

    const start = (run: Run): void => {
      if (closed) return;
      const resume: ResumeFrom = run.memory.lastTime !== undefined ? { since: run.memory.lastTime } : {};
      // Whatever this node sent before may come again.
      if (run.memory.lastTime !== undefined) run.memory.seen.arm();
      let stream: Observable<SourceEvent>;
      try {
        stream = run.target.connect(resume);
      } catch (err) {
        failed(run, err);
        return;
      }
      let ended = false;
      const sub = stream.subscribe({
        next: (ev) => onEvent(run, ev),
        error: (err: unknown) => {
          ended = true;
          failed(run, err);
        },
        complete: () => {
          ended = true;
          finished(run);
        },
      });
      // A stream that failed synchronously has already been handed to failed().
      if (!ended) run.sub = sub;
    };

    const failed = (run: Run, err: unknown): void => {
      run.sub = undefined;
      if (closed || !runs.has(run.target.id)) return;
      const msg = oneLine(err) || 'stream failed';
      if (!o.follow) {
        run.stats.state = 'done';
        run.stats.lastError = msg;
        nodesFailed.push(run.target.node);
        nodeStatus(run, 'NODE_ERROR', msg);
        runs.delete(run.target.id);
        emitStatus(true);
        maybeComplete();
        return;
      }
      if (run.connectedAt !== undefined && now() - run.connectedAt >= STABLE_MS) run.attempt = 0;
      run.connectedAt = undefined;
      run.attempt++;
      run.stats.retries++;
      const delay = backoffDelay(run.attempt, o.backoff, o.random);
      run.stats.state = 'unavailable';
      run.stats.lastError = msg;
      run.stats.retryInMs = delay;
      nodeStatus(run, 'NODE_UNAVAILABLE', `${msg}; retrying in ${delayText(delay)}`);
      emitStatus(true);
      run.retry = o.scheduler.schedule(() => {
        run.retry = undefined;
        start(run);
      }, delay);
    };

    const finished = (run: Run): void => {
      if (o.follow) {
        failed(run, new Error('stream ended'));
        return;
      }
      run.sub = undefined;
      if (!runs.has(run.target.id)) return;
      run.stats.state = 'done';
      nodesRead++;
      runs.delete(run.target.id);
      emitStatus(true);
      maybeComplete();
    };

    const add = (target: NodeTarget): void => {
      if (runs.has(target.id)) remove(target.id);
      let mem = memory.get(target.node);
      if (!mem) {
        mem = { seen: new RecentFlows(o.dedupePerNode), queue: new NodeQueue<Entry>() };
        memory.set(target.node, mem);
      }
      const st: NodeStats = { id: target.id, node: target.node, state: 'connecting', flows: 0, late: 0, duplicates: 0, lost: 0, retries: 0 };
      stats.nodes.set(target.id, st);
      const run: Run = { target, stats: st, memory: mem, attempt: 0 };
      runs.set(target.id, run);
      addedStatus ??= o.scheduler.schedule(() => {
        addedStatus = undefined;
        emitStatus(true);
      });
      start(run);
    };

    const remove = (id: string): void => {
      const run = runs.get(id);
      if (!run) return;
      runs.delete(id);
      run.sub?.unsubscribe();
      run.retry?.unsubscribe();
      run.stats.state = 'gone';
      nodeStatus(run, 'NODE_GONE');
      // Counters of a removed stream stay in the totals; its row leaves the summary.
      stats.retire(id);
      // What a node sent is kept for its next stream (a recreated pod), but nodes that come
      // and go (autoscaling) must not grow it forever: forget those with no stream now.
      if (memory.size > 2 * runs.size + 16) {
        const inUse = new Set([...runs.values()].map((r) => r.target.node));
        for (const n of [...memory.keys()]) if (!inUse.has(n) && memory.get(n)!.queue.length === 0) memory.delete(n);
      }
      emitStatus(true);
    };

    const maybeComplete = (): void => {
      if (closed || o.follow || !targetsDone || runs.size > 0) return;
      flushAll();
      closed = true;
      addedStatus?.unsubscribe();
      // History from nodes that all failed is no answer: say so (each node's own line came before).
      if (nodesRead === 0 && nodesFailed.length > 0) {
        const names = nodesFailed.slice(0, 3).join(', ') + moreNodes(nodesFailed.length - 3);
        out.error(new Error(`${o.source}: no node could be read (${nodesFailed.length} failed: ${sanitize(names)})`));
        return;
      }
      out.complete();
    };

    const targetSub = targets.subscribe({
      next: (c) => (c.type === 'add' ? add(c.target) : remove(c.id)),
      error: (err: unknown) => {
        flushAll();
        out.error(err);
      },
      complete: () => {
        targetsDone = true;
        maybeComplete();
      },
    });

    return () => {
      closed = true;
      targetSub.unsubscribe();
      timer?.unsubscribe();
      statusTimer?.unsubscribe();
      addedStatus?.unsubscribe();
      for (const run of runs.values()) {
        run.sub?.unsubscribe();
        run.retry?.unsubscribe();
      }
      runs.clear();
    };
  });
}
