// The detail pane: every field of the flow selected in the flows pane, and why the
// policies allow or deny it; scrolls on its own.
import type { Flow } from '../../model/flow.ts';
import type { FlowStore } from '../../streams/flow-store.ts';
import { flowDetailLines } from '../flow-detail.ts';
import type { Action } from '../keymap.ts';
import { paneKey } from '../pane-keys.ts';
import type { Theme } from '../theme.ts';
import { OTHER_PANES, type PaneComponent, type PaneDraw, type Size } from './pane.ts';

export function detailLines(store: FlowStore, flow: Flow, theme: Theme): string[] {
  return flowDetailLines(flow, theme, store.policy?.annotate(flow));
}

export function createDetailPane(store: FlowStore, theme: Theme, selected: () => Flow | undefined): PaneComponent {
  let scroll = 0;
  return {
    draw(size: Size): PaneDraw {
      const flow = selected();
      const all = flow ? detailLines(store, flow, theme) : [theme.dim('select a flow (2, then j/k)')];
      scroll = Math.min(scroll, Math.max(0, all.length - size.height));
      return { title: 'Detail', lines: all.slice(scroll, scroll + size.height) };
    },
    key(action: Action, pageSize: number) {
      const r = paneKey('detail', action, { ...OTHER_PANES, detailScroll: scroll }, { ring: store.shown, nodes: [], services: () => [], pageSize });
      const handled = r.st.detailScroll !== scroll;
      scroll = r.st.detailScroll;
      return { handled, effect: r.effect };
    },
  };
}
