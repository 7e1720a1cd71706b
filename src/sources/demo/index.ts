// The embedded demo cluster as a Source: Online Boutique on a three-node
// Cilium cluster, its traffic generated deterministically from a seed. History
// (flows timestamped in the recent past) comes first, then, with `follow`, live
// flows in real time at `rate` flows/s, emitted in small batches on a timer.

import { Observable } from 'rxjs';
import type { Source, SourceEvent } from '../../model/source.ts';
import { buildCluster } from './cluster.ts';
import { msToUs, rfc3339Nanos } from './flow-time.ts';
import { toK8sObjects } from './k8s-objects.ts';
import type { DemoClusterObjects } from './k8s-types.ts';
import { DemoSimulator } from './simulator.ts';

export type { DemoClusterObjects } from './k8s-types.ts';
export { DemoSimulator } from './simulator.ts';
export { buildCluster } from './cluster.ts';

export interface DemoOptions {
  /** Seeds the cluster layout and all traffic. Default 1. */
  seed?: number;
  /** Flows per second, history and live. Default 20; 50,000/s is fine. */
  rate?: number;
  /**
   * Seconds of recent past to pre-generate (timestamps before now). Default 300.
   * Shortened to at most `maxHistoryFlows` flows' worth (a status warning says so).
   */
  historySeconds?: number;
  /** Upper bound on history flows. Default MAX_HISTORY_FLOWS (250,000). */
  maxHistoryFlows?: number;
  /** After history, keep generating live in real time at `rate`. Default false. */
  follow?: boolean;
  /** Seconds of live running after which productcatalogservice gets slow. Default 180. */
  slowdownAfterSeconds?: number;
  /** Namespace of the application. Default `shop`. */
  namespace?: string;
  /** Clock in ms since the epoch; injectable for tests. Default Date.now. */
  now?: () => number;
}

/** Far above what one Hubble Relay delivers; the generator itself tops out around 200,000 flows/s per core. */
export const MAX_RATE = 1_000_000;
/** Hubble's own ring buffer holds far less; more history would only cost memory and start-up time. */
export const MAX_HISTORY_FLOWS = 250_000;
/** Live batches: one every TICK_MS of wall time. */
const TICK_MS = 25;
/**
 * Behind the wall clock (history took a while, the consumer was slow) the
 * generator catches up at most CATCHUP_SLICE_US of virtual time per tick (10x
 * real time); beyond MAX_LAG_US (a suspended laptop, a long-blocked loop) it
 * skips ahead and reports the gap as lost events instead of bursting.
 */
const CATCHUP_SLICE_US = 250_000;
const MAX_LAG_US = 10_000_000;
/** ...and never more than about this many flows in one tick, so a tick stays short at high rates. */
const CATCHUP_MAX_FLOWS = 20_000;
/** History is generated in slices of this much virtual time, yielding to the event loop between big chunks. */
const HISTORY_SLICE_US = 250_000;
const HISTORY_CHUNK_FLOWS = 20_000;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** An invalid demo option; the message names the option and the value (CLIs map it to a usage error). */
export class DemoOptionError extends RangeError {
  override name = 'DemoOptionError';
}

interface ResolvedOptions {
  seed: number;
  rate: number;
  historySeconds: number;
  maxHistoryFlows: number;
  follow: boolean;
  slowdownAfterSeconds: number;
  namespace: string;
  now: () => number;
}

/** One rule for the seed and namespace, for the traffic and for the cluster objects alike. */
function checkSeedAndNamespace(seed: number, namespace: string): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new DemoOptionError(`demo: seed must be a non-negative integer (got ${seed})`);
  if (!DNS_LABEL.test(namespace) || namespace === 'kube-system' || namespace === 'default') {
    throw new DemoOptionError(`demo: namespace must be a DNS label other than default/kube-system (got "${namespace}")`);
  }
}

function resolveOptions(o: DemoOptions): ResolvedOptions {
  const seed = o.seed ?? 1;
  const rate = o.rate ?? 20;
  const historySeconds = o.historySeconds ?? 300;
  const slowdownAfterSeconds = o.slowdownAfterSeconds ?? 180;
  const namespace = o.namespace ?? 'shop';
  const maxHistoryFlows = o.maxHistoryFlows ?? MAX_HISTORY_FLOWS;
  if (!Number.isSafeInteger(maxHistoryFlows) || maxHistoryFlows < 0) throw new DemoOptionError(`demo: maxHistoryFlows must be a non-negative integer (got ${maxHistoryFlows})`);
  checkSeedAndNamespace(seed, namespace);
  if (!Number.isFinite(rate) || rate <= 0 || rate > MAX_RATE) {
    throw new DemoOptionError(`demo: rate must be a positive number of flows per second, at most ${MAX_RATE} (got ${rate})`);
  }
  if (!Number.isFinite(historySeconds) || historySeconds < 0) throw new DemoOptionError(`demo: historySeconds must be >= 0 (got ${historySeconds})`);
  if (!(slowdownAfterSeconds >= 0)) throw new DemoOptionError(`demo: slowdownAfterSeconds must be >= 0 (got ${slowdownAfterSeconds})`);
  return { seed, rate, historySeconds, maxHistoryFlows, follow: o.follow ?? false, slowdownAfterSeconds, namespace, now: o.now ?? Date.now };
}

/**
 * A cold Observable: each subscription runs its own simulation. Emits a status
 * `connected` event, then history flows in time order, then (with `follow`) live
 * flows until unsubscribed; without `follow` it completes after history.
 * Throws a DemoOptionError (a RangeError) naming the option when an option is invalid.
 */
export function createDemoSource(opts: DemoOptions = {}): Source {
  const o = resolveOptions(opts);
  return new Observable<SourceEvent>((sub) => {
    const liveStartUs = msToUs(o.now());
    const historyUs = Math.round(Math.min(o.historySeconds, o.maxHistoryFlows / o.rate) * 1_000_000);
    const sim = new DemoSimulator({
      seed: o.seed,
      namespace: o.namespace,
      rate: o.rate,
      startUs: liveStartUs - historyUs,
      slowdownAtUs: o.follow ? liveStartUs + Math.round(o.slowdownAfterSeconds * 1_000_000) : Number.POSITIVE_INFINITY,
    });
    let immediate: NodeJS.Immediate | undefined;
    let interval: NodeJS.Timeout | undefined;

    sub.next({
      kind: 'status',
      source: 'demo',
      state: 'connected',
      message: `demo cluster: Online Boutique in namespace ${o.namespace}, seed ${o.seed}, ${o.rate} flows/s`,
    });
    if (historyUs < Math.round(o.historySeconds * 1_000_000)) {
      sub.next({
        kind: 'status',
        source: 'demo',
        state: 'warning',
        message: `demo: history limited to the last ${(historyUs / 1_000_000).toFixed(1)}s (${o.maxHistoryFlows} flows at ${o.rate} flows/s)`,
      });
    }

    const emit = (upToUs: number): number => {
      const flows = sim.advanceTo(upToUs);
      for (const flow of flows) {
        if (sub.closed) break;
        sub.next({ kind: 'flow', flow });
      }
      return flows.length;
    };

    const catchupUs = Math.max(TICK_MS * 1000, Math.min(CATCHUP_SLICE_US, (CATCHUP_MAX_FLOWS / o.rate) * 1_000_000));
    const tick = (): void => {
      const nowUs = msToUs(o.now());
      if (nowUs - sim.nowUs > MAX_LAG_US) {
        const lost = sim.skipTo(nowUs - CATCHUP_SLICE_US);
        if (lost > 0 && !sub.closed) {
          sub.next({ kind: 'lost', lost: { source: 'OBSERVER_EVENTS_QUEUE', num_events_lost: lost }, time: rfc3339Nanos(nowUs, 0) });
        }
      }
      emit(Math.min(nowUs, sim.nowUs + catchupUs));
    };

    let historyAt = liveStartUs - historyUs;
    const pumpHistory = (): void => {
      immediate = undefined;
      let n = 0;
      while (!sub.closed && historyAt < liveStartUs && n < HISTORY_CHUNK_FLOWS) {
        historyAt = Math.min(historyAt + HISTORY_SLICE_US, liveStartUs);
        n += emit(historyAt);
      }
      if (sub.closed) return;
      if (historyAt < liveStartUs) {
        immediate = setImmediate(pumpHistory);
      } else if (!o.follow) {
        sub.complete();
      } else {
        interval = setInterval(tick, TICK_MS);
      }
    };
    pumpHistory();

    return () => {
      if (immediate !== undefined) clearImmediate(immediate);
      if (interval !== undefined) clearInterval(interval);
    };
  });
}

/** The demo cluster's objects in Kubernetes API JSON shape; same seed and namespace as the source, same cluster. */
export function demoClusterObjects(opts: { seed?: number; namespace?: string; now?: () => number } = {}): DemoClusterObjects {
  const seed = opts.seed ?? 1;
  const namespace = opts.namespace ?? 'shop';
  checkSeedAndNamespace(seed, namespace);
  return toK8sObjects(buildCluster(seed, namespace), (opts.now ?? Date.now)());
}
