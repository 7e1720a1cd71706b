// The TUI's derived state, fed one SourceEvent at a time in O(1): every flow goes into a
// bounded ring (so a new filter can be re-applied to what was already seen), flows that
// pass the filter go into a second ring and the topology / RED aggregators. Views read
// snapshots of this once per frame and never touch the source.
import type { Flow } from '../model/flow.ts';
import { flowTimeMs } from '../model/flow.ts';
import type { SourceEvent, SourceState } from '../model/source.ts';
import { Counters } from './counters.ts';
import { RingBuffer } from './ring-buffer.ts';
import { RedAggregator } from './red.ts';
import { TopologyAggregator } from './topology.ts';
import type { PolicyAnnotator } from './policy-annotate.ts';
import { TopologyPolicy } from './topology-policy.ts';
import { HubbleNodes } from './hubble-nodes.ts';

export const DEFAULT_BUFFER_SIZE = 20_000;
/** Names remembered for completion; bounded so pod churn cannot grow memory forever. */
const MAX_NAMES = 5000;

export interface SourceStatus {
  source: string;
  state: SourceState;
  message?: string;
}

export interface Names {
  namespaces: Set<string>;
  pods: Set<string>;
  services: Set<string>;
}

export class FlowStore {
  readonly all: RingBuffer<Flow>;
  /** Flows passing the filter: `all` itself while there is no filter. */
  shown: RingBuffer<Flow>;
  // Aggregates of every flow are always kept, so clearing a filter brings back the full
  // history (minutes of sparkline), not just what the ring buffer still holds. A filter
  // gets its own aggregates, rebuilt from the ring when it is set.
  #allTopology = new TopologyAggregator();
  #allRed = new RedAggregator();
  #filteredTopology: TopologyAggregator | null = null;
  #filteredRed: RedAggregator | null = null;
  readonly counters = new Counters();
  /** Expected policy verdicts (when there is a cluster model with policies) and their per-edge summary. */
  policy: PolicyAnnotator | null = null;
  readonly topologyPolicy = new TopologyPolicy();
  /** Hubble nodes behind the source (GetNodes, node-status): the :nodes view of a Hubble server. */
  readonly hubbleNodes = new HubbleNodes();
  readonly names: Names = { namespaces: new Set(), pods: new Set(), services: new Set() };
  status: SourceStatus = { source: '-', state: 'connecting' };
  /** Bumped on every change; a frame is drawn only when it moved. */
  version = 0;
  /** Flows of `shown` that involve the focused node/service (flows pane), or null. */
  focused: RingBuffer<Flow> | null = null;
  #predicate: (f: Flow) => boolean = () => true;
  #focus: ((f: Flow) => boolean) | null = null;
  #lastMs = Number.NaN;

  constructor(bufferSize: number = DEFAULT_BUFFER_SIZE) {
    this.all = new RingBuffer(bufferSize);
    this.shown = this.all;
  }

  get topology(): TopologyAggregator {
    return this.#filteredTopology ?? this.#allTopology;
  }

  get red(): RedAggregator {
    return this.#filteredRed ?? this.#allRed;
  }

  ingest(ev: SourceEvent): void {
    this.version++;
    switch (ev.kind) {
      case 'flow':
        this.#addFlow(ev.flow);
        return;
      case 'lost':
        this.counters.addLost(ev.lost.num_events_lost ?? 0);
        return;
      case 'status':
        this.status = { source: ev.source, state: ev.state, message: ev.message };
        return;
      case 'node-status':
      case 'nodes':
        this.hubbleNodes.apply(ev);
        return;
    }
  }

  #time(flow: Flow): number {
    const t = this.#parseTime(flow.time);
    if (!Number.isNaN(t)) {
      this.#lastMs = t;
      return t;
    }
    // No timestamp: it happened "now", as far as this stream knows.
    return Number.isNaN(this.#lastMs) ? Date.now() : this.#lastMs;
  }

  #lastSecond = '';
  #lastSecondMs = 0;

  /**
   * RFC 3339 `...T04:58:22.237627077Z` in ms. Flows come in time order, so the date and
   * seconds part is parsed once per second and only the milliseconds are read per flow;
   * anything else goes through Date.parse.
   */
  #parseTime(time: string | undefined): number {
    if (time === undefined) return Number.NaN;
    if (time.length >= 24 && time.charCodeAt(19) === 46 && time.charCodeAt(time.length - 1) === 90) {
      const d0 = time.charCodeAt(20) - 48;
      const d1 = time.charCodeAt(21) - 48;
      const d2 = time.charCodeAt(22) - 48;
      if (d0 >= 0 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9) {
        if (this.#lastSecond === '' || !time.startsWith(this.#lastSecond)) {
          this.#lastSecond = time.slice(0, 19);
          this.#lastSecondMs = Date.parse(this.#lastSecond + 'Z');
        }
        if (!Number.isNaN(this.#lastSecondMs)) return this.#lastSecondMs + d0 * 100 + d1 * 10 + d2;
      }
    }
    return flowTimeMs({ time });
  }

  #addFlow(flow: Flow): void {
    const t = this.#time(flow);
    this.all.push(flow);
    this.counters.addFlow(flow, t);
    this.#remember(flow);
    this.#allTopology.add(flow, t);
    this.#allRed.add(flow, t);
    if (this.policy) {
      const note = this.policy.annotate(flow);
      if (note) this.topologyPolicy.add(flow, note);
    }
    if (this.#filteredTopology === null) {
      if (this.focused && this.#focus?.(flow)) this.focused.push(flow);
    } else if (this.#predicate(flow)) this.#accept(flow, t);
  }

  /** A flow that passed the active filter. */
  #accept(flow: Flow, t: number): void {
    this.shown.push(flow);
    if (this.focused && this.#focus?.(flow)) this.focused.push(flow);
    this.#filteredTopology?.add(flow, t);
    this.#filteredRed?.add(flow, t);
  }

  #remember(flow: Flow): void {
    // Two plain calls rather than a loop over a fresh array: this runs for every flow.
    this.#rememberEndpoint(flow.source);
    this.#rememberEndpoint(flow.destination);
    if (flow.source_service?.name) addBounded(this.names.services, flow.source_service.name);
    if (flow.destination_service?.name) addBounded(this.names.services, flow.destination_service.name);
  }

  #rememberEndpoint(ep: Flow['source']): void {
    if (!ep?.namespace) return;
    addBounded(this.names.namespaces, ep.namespace);
    if (ep.pod_name) addBounded(this.names.pods, ep.pod_name);
  }

  /**
   * Applies a new filter to everything still in the ring and to what comes next.
   * `matchesAll` (no filter) switches back to the always-kept aggregates of all flows.
   */
  setFilter(predicate: (f: Flow) => boolean, matchesAll = false): void {
    this.#predicate = predicate;
    if (matchesAll) {
      this.shown = this.all;
      this.#filteredTopology = null;
      this.#filteredRed = null;
    } else {
      this.shown = new RingBuffer(this.all.capacity);
      this.#filteredTopology = new TopologyAggregator();
      this.#filteredRed = new RedAggregator();
      let last = Number.NaN;
      for (const f of this.all.toArray()) {
        let t = flowTimeMs(f);
        if (Number.isNaN(t)) t = Number.isNaN(last) ? Date.now() : last;
        last = t;
        if (predicate(f)) this.#accept(f, t);
      }
    }
    if (this.#focus) this.setFocus(this.#focus);
    this.version++;
  }

  /** Narrows the flows pane to flows passing `focus` (already filtered ones), or widens it back. */
  setFocus(focus: ((f: Flow) => boolean) | null): void {
    this.#focus = focus;
    if (!focus) {
      this.focused = null;
    } else {
      this.focused = new RingBuffer(this.all.capacity);
      for (const f of this.shown.toArray()) if (focus(f)) this.focused.push(f);
    }
    this.version++;
  }

  /** Events skipped because they could not be aggregated, and why the last one was. */
  badEvents = 0;
  lastBadEvent = '';

  noteBadEvent(err: unknown): void {
    this.badEvents++;
    this.lastBadEvent = err instanceof Error ? err.message : String(err);
    this.status = { ...this.status, message: `skipped ${this.badEvents} malformed event(s): ${this.lastBadEvent}` };
    this.version++;
  }

  /** Event time the windows consider "now": the latest flow time seen. */
  nowMs(): number {
    return Number.isNaN(this.#lastMs) ? Date.now() : this.#lastMs;
  }
}

function addBounded(set: Set<string>, v: string): void {
  if (set.has(v) || set.size >= MAX_NAMES) return;
  set.add(v);
}
