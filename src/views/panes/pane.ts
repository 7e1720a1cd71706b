// What the app asks of a pane component: each pane owns its view state, draws itself
// from the store into lines, and turns its keys into state changes or an effect that
// the app carries out (open a flow's detail, focus a node or a service). Adding a pane
// adds a file like the ones beside this one; the app only composes them.
import type { Action } from '../keymap.ts';
import { initialFlowsState } from '../flows-view.ts';
import { initialLatencyState } from '../latency-view.ts';
import type { PaneEffect, PaneStates } from '../pane-keys.ts';
import { initialTopologyState } from '../topology-view.ts';

export interface Size {
  width: number;
  height: number;
}

export interface PaneDraw {
  title: string;
  lines: string[];
}

export interface PaneComponent {
  /** This frame's content for a pane of `size` (inside its border). */
  draw(size: Size): PaneDraw;
  /** A pane key: true when it meant something here, with the effect to carry out, if any. */
  key(action: Action, pageSize: number): { handled: boolean; effect: PaneEffect };
}

/**
 * paneKey() (pane-keys.ts, pure and tested on its own) takes every pane's state; a
 * component passes its own and these for the others, which paneKey leaves alone.
 */
export const OTHER_PANES: PaneStates = { flows: initialFlowsState(), topo: initialTopologyState(), lat: initialLatencyState(), detailScroll: 0 };
