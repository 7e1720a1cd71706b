// What a pane key does to the panes' view state, as a pure function: moves, toggles,
// sort keys; Enter yields an effect (open a flow's detail, focus a node or service)
// that the app carries out.
import type { Flow } from '../model/flow.ts';
import type { Level } from '../streams/flow-keys.ts';
import type { RingBuffer } from '../streams/ring-buffer.ts';
import { moveSelection, selectedFlow, toggleOrder, type FlowsState, type Move } from './flows-view.ts';
import type { Action, Pane } from './keymap.ts';
import { moveService, nextPercentile, type LatencyState } from './latency-view.ts';
import { moveNode, nextLevel, type MapNode, type TopologyState } from './topology-view.ts';

export interface PaneStates {
  flows: FlowsState;
  topo: TopologyState;
  lat: LatencyState;
  detailScroll: number;
}

export interface PaneKeyContext {
  /** The flows the flows pane shows (filtered, focused). */
  ring: RingBuffer<Flow>;
  /** Topology nodes in display order. */
  nodes: MapNode[];
  /** Latency rows in display order (computed only when needed). */
  services: () => string[];
  /** Rows per page of the focused pane. */
  pageSize: number;
}

export type PaneEffect = { type: 'flow-detail'; flow: Flow } | { type: 'focus-node'; id: string; level: Level } | { type: 'focus-service'; service: string } | null;

function moveOf(a: Action, page: number): Move | null {
  switch (a) {
    case 'down':
      return { by: 1 };
    case 'up':
      return { by: -1 };
    case 'page-down':
      return { by: page };
    case 'page-up':
      return { by: -page };
    case 'top':
      return 'top';
    case 'bottom':
      return 'bottom';
    default:
      return null;
  }
}

const step = (m: Move): number | 'top' | 'bottom' => (m === 'top' || m === 'bottom' ? m : m.by);

const LATENCY_SORTS: Partial<Record<Action, LatencyState['sort']>> = { 'sort-name': 'name', 'sort-rate': 'rate', 'sort-errors': 'errors', 'sort-latency': 'latency' };

export function paneKey(pane: Pane, action: Action, st: PaneStates, ctx: PaneKeyContext): { st: PaneStates; effect: PaneEffect } {
  const m = moveOf(action, Math.max(1, ctx.pageSize));
  const none = { st, effect: null };
  switch (pane) {
    case 'flows': {
      if (m) return { st: { ...st, flows: moveSelection(ctx.ring, st.flows, m) }, effect: null };
      if (action === 'order') return { st: { ...st, flows: toggleOrder(st.flows) }, effect: null };
      if (action === 'enter') {
        const flow = selectedFlow(ctx.ring, st.flows);
        return flow ? { st, effect: { type: 'flow-detail', flow } } : none;
      }
      return none;
    }
    case 'topology': {
      const t = st.topo;
      if (m) return { st: { ...st, topo: moveNode(ctx.nodes, t, step(m)) }, effect: null };
      if (action === 'enter') return t.selected ? { st, effect: { type: 'focus-node', id: t.selected, level: t.level } } : none;
      if (action === 'level') return { st: { ...st, topo: { ...t, level: nextLevel(t.level), selected: null, scrollTop: 0 } }, effect: null };
      if (action === 'drops-only') return { st: { ...st, topo: { ...t, dropsOnly: !t.dropsOnly, scrollTop: 0 } }, effect: null };
      if (action === 'hide-infra') return { st: { ...st, topo: { ...t, hideInfra: !t.hideInfra, scrollTop: 0 } }, effect: null };
      return none;
    }
    case 'latency': {
      const l = st.lat;
      if (m) return { st: { ...st, lat: moveService(ctx.services(), l, step(m)) }, effect: null };
      if (action === 'enter') return l.selected ? { st, effect: { type: 'focus-service', service: l.selected } } : none;
      const sort = LATENCY_SORTS[action];
      if (sort) return { st: { ...st, lat: { ...l, sort } }, effect: null };
      if (action === 'percentile') return { st: { ...st, lat: { ...l, percentile: nextPercentile(l.percentile) } }, effect: null };
      return none;
    }
    case 'detail': {
      if (!m) return none;
      const detailScroll = m === 'top' ? 0 : m === 'bottom' ? Number.MAX_SAFE_INTEGER : Math.max(0, st.detailScroll + m.by);
      return { st: { ...st, detailScroll }, effect: null };
    }
  }
}
