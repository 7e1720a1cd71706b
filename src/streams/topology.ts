// Per-edge traffic for the service map (client -> server: replies count on their request's edge) at the three levels at once (namespace,
// workload, pod), so switching level is instant. add() is O(1) per flow; snapshot()
// sums the recent buckets once per frame.
import type { Flow } from '../model/flow.ts';
import { LEVELS, endpointIds, idAt, isDrop, isError, isInfraTraffic, sides, type Level } from './flow-keys.ts';
import { TimeBuckets } from './time-buckets.ts';

interface Counts {
  flows: number;
  drops: number;
  errors: number;
}

interface EdgeMeta {
  from: string;
  to: string;
  infra: boolean;
  lastSeenMs: number;
}

export interface Edge {
  from: string;
  to: string;
  /** Flows per second over the rate window. */
  rate: number;
  /** Flows, drops and errors (5xx, DNS errors, drops) within the rate window. */
  flows: number;
  drops: number;
  errors: number;
  /** Drops / errors seen on this edge at any time within the horizon: the edge is marked. */
  recentDrops: number;
  recentErrors: number;
  infra: boolean;
  lastSeenMs: number;
}

export interface TopologyOptions {
  bucketMs?: number;
  /** Window for the per-edge rate. */
  rateWindowMs?: number;
  /** How long an edge stays on the map after its last flow (also the marks' memory). */
  horizonMs?: number;
}

type LevelCounts = Map<EdgeMeta, Counts>;

export class TopologyAggregator {
  readonly rateWindowMs: number;
  readonly horizonMs: number;
  #buckets: TimeBuckets<Record<Level, LevelCounts>>;
  // from -> to -> edge: nested maps so no key string is built per flow.
  #meta: Record<Level, Map<string, Map<string, EdgeMeta>>> = { namespace: new Map(), workload: new Map(), pod: new Map() };

  constructor(opts: TopologyOptions = {}) {
    const bucketMs = opts.bucketMs ?? 1000;
    this.rateWindowMs = opts.rateWindowMs ?? 10_000;
    this.horizonMs = opts.horizonMs ?? 120_000;
    this.#buckets = new TimeBuckets(bucketMs, Math.ceil(this.horizonMs / bucketMs) + 1, () => ({ namespace: new Map(), workload: new Map(), pod: new Map() }));
  }

  get latestMs(): number {
    return this.#buckets.latestMs;
  }

  add(flow: Flow, tMs: number): void {
    const bucket = this.#buckets.at(tMs);
    const drop = isDrop(flow);
    const error = isError(flow);
    const { client, server } = sides(flow);
    // Each side's ids are looked up once per flow and reused for all three levels.
    const clientIds = endpointIds(flow, client);
    const serverIds = endpointIds(flow, server);
    const infra = clientIds.infra || serverIds.infra || isInfraTraffic(flow);
    for (const level of LEVELS) {
      const from = idAt(clientIds, level);
      const to = idAt(serverIds, level);
      let outs = this.#meta[level].get(from);
      if (outs === undefined) {
        outs = new Map();
        this.#meta[level].set(from, outs);
      }
      let meta = outs.get(to);
      if (meta) {
        if (tMs > meta.lastSeenMs) meta.lastSeenMs = tMs;
        if (infra) meta.infra = true;
      } else {
        meta = { from, to, infra, lastSeenMs: tMs };
        outs.set(to, meta);
      }
      if (!bucket) continue;
      const m = bucket[level];
      let c = m.get(meta);
      if (!c) {
        c = { flows: 0, drops: 0, errors: 0 };
        m.set(meta, c);
      }
      c.flows++;
      if (drop) c.drops++;
      if (error) c.errors++;
    }
  }

  /** Edges seen within the horizon before `nowMs` (default: latest flow time), busiest first. */
  snapshot(level: Level, nowMs: number = this.latestMs): Edge[] {
    const metas = this.#meta[level];
    const since = nowMs - this.horizonMs;
    const rateSince = nowMs - this.rateWindowMs;
    const recent = new Map<EdgeMeta, Counts>();
    const windowed = new Map<EdgeMeta, Counts>();
    for (const b of this.#buckets.range(since, nowMs + 1)) {
      for (const [meta, c] of b.data[level]) {
        accumulate(recent, meta, c);
        if (b.start + this.#buckets.widthMs > rateSince) accumulate(windowed, meta, c);
      }
    }
    const out: Edge[] = [];
    for (const [from, outs] of metas) {
      for (const [to, meta] of outs) {
        if (meta.lastSeenMs < since) {
          outs.delete(to); // forgotten: keeps memory bounded by the horizon
          continue;
        }
        const w = windowed.get(meta);
        const r = recent.get(meta);
        out.push({
          from: meta.from,
          to: meta.to,
          rate: (w?.flows ?? 0) / (this.rateWindowMs / 1000),
          flows: w?.flows ?? 0,
          drops: w?.drops ?? 0,
          errors: w?.errors ?? 0,
          recentDrops: r?.drops ?? 0,
          recentErrors: r?.errors ?? 0,
          infra: meta.infra,
          lastSeenMs: meta.lastSeenMs,
        });
      }
      if (outs.size === 0) metas.delete(from);
    }
    out.sort((a, b) => b.rate - a.rate || (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : 1));
    return out;
  }
}

function accumulate(into: Map<EdgeMeta, Counts>, key: EdgeMeta, c: Counts): void {
  const t = into.get(key);
  if (t) {
    t.flows += c.flows;
    t.drops += c.drops;
    t.errors += c.errors;
  } else into.set(key, { flows: c.flows, drops: c.drops, errors: c.errors });
}
