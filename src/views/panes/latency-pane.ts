// The latency pane: per-service rate, errors, drops and percentiles with sparklines;
// sort keys; Enter asks to focus the service.
import type { FlowStore } from '../../streams/flow-store.ts';
import type { Action } from '../keymap.ts';
import { initialLatencyState, latencyView, sortServices, type LatencyState } from '../latency-view.ts';
import { paneKey } from '../pane-keys.ts';
import type { Theme } from '../theme.ts';
import { OTHER_PANES, type PaneComponent, type PaneDraw, type Size } from './pane.ts';

export interface LatencyPane extends PaneComponent {
  readonly state: LatencyState;
  /** Services seen in the last frame. */
  readonly services: readonly string[];
  select(service: string): void;
  /** Computes the services without drawing (the pane is hidden). */
  refresh(): void;
}

export function createLatencyPane(store: FlowStore, theme: Theme): LatencyPane {
  let st: LatencyState = initialLatencyState();
  let services: string[] = [];
  // The rows in the order the pane shows them, without drawing it.
  const ordered = (): string[] => sortServices(store.red.snapshot(st.percentile, store.nowMs()), st.sort, st.percentile).map((s) => s.service);
  return {
    get state() {
      return st;
    },
    get services() {
      return services;
    },
    select(service) {
      st = { ...st, selected: service };
    },
    refresh() {
      services = store.red.snapshot(st.percentile, store.nowMs()).map((s) => s.service);
    },
    draw(size: Size): PaneDraw {
      const stats = store.red.snapshot(st.percentile, store.nowMs());
      services = stats.map((s) => s.service);
      const v = latencyView(stats, st, size, theme);
      st = { ...st, scrollTop: v.scrollTop };
      return { title: v.title, lines: v.lines };
    },
    key(action: Action, pageSize: number) {
      const r = paneKey('latency', action, { ...OTHER_PANES, lat: st }, { ring: store.shown, nodes: [], services: ordered, pageSize });
      const handled = r.st.lat !== st || r.effect !== null;
      st = r.st.lat;
      return { handled, effect: r.effect };
    },
  };
}
