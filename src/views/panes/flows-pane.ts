// The flows pane: newest (or oldest) first, selection, pause; Enter asks for the detail.
import type { Flow } from '../../model/flow.ts';
import type { FlowStore } from '../../streams/flow-store.ts';
import type { RingBuffer } from '../../streams/ring-buffer.ts';
import { flowsView, initialFlowsState, pendingWhilePaused, selectedFlow, togglePause, type FlowsState } from '../flows-view.ts';
import type { Action } from '../keymap.ts';
import { paneKey } from '../pane-keys.ts';
import type { Theme } from '../theme.ts';
import { OTHER_PANES, type PaneComponent, type PaneDraw, type Size } from './pane.ts';

export interface FlowsPane extends PaneComponent {
  readonly state: FlowsState;
  /** The flows shown: focused, else filtered. */
  ring(): RingBuffer<Flow>;
  selected(): Flow | undefined;
  /** Back to the newest flow (the shown flows changed). */
  reset(opts?: { unpause?: boolean }): void;
  togglePause(): void;
  paused(): boolean;
  pending(): number;
}

export function createFlowsPane(store: FlowStore, theme: Theme, focusLabel: () => string | undefined): FlowsPane {
  let st: FlowsState = initialFlowsState();
  const ring = () => store.focused ?? store.shown;
  return {
    get state() {
      return st;
    },
    ring,
    selected: () => selectedFlow(ring(), st),
    reset(opts = {}) {
      st = { ...st, selectedSeq: null, scrollTop: 0, ...(opts.unpause ? { pausedAt: null } : {}) };
    },
    togglePause() {
      st = togglePause(ring(), st);
    },
    paused: () => st.pausedAt !== null,
    pending: () => pendingWhilePaused(ring(), st),
    draw(size: Size): PaneDraw {
      const v = flowsView(ring(), st, size, theme);
      st = { ...st, scrollTop: v.scrollTop };
      const focus = focusLabel();
      return { title: v.title + (focus ? ` focus:${focus}` : ''), lines: v.lines };
    },
    key(action: Action, pageSize: number) {
      const r = paneKey('flows', action, { ...OTHER_PANES, flows: st }, { ring: ring(), nodes: [], services: () => [], pageSize });
      const handled = r.st.flows !== st || r.effect !== null;
      st = r.st.flows;
      return { handled, effect: r.effect };
    },
  };
}
