// Where each pane goes for a terminal size (pure, so 120x40 and 80x24 are unit tested).
// Split: topology | latency on top; below: flows | detail (detail only at 160+ columns;
// narrower, key 4 shows it zoomed); then the status line and the filter/palette bar.
// Below SPLIT_MIN_WIDTH x SPLIT_MIN_HEIGHT four panes cannot be read (at 80x24 the map
// showed three services and the latency header was cut): one pane fills the screen
// under a one-line tab bar (1 Topology 2 Flows 3 Latency 4 Detail). Zoom gives one pane
// the whole area, without the tab bar.
import type { Pane } from './keymap.ts';

export interface Rect {
  top: number;
  left: number;
  width: number;
  height: number;
}

export interface Layout {
  panes: Partial<Record<Pane, Rect>>;
  status: Rect;
  bar: Rect;
  main: Rect;
  /** The tab bar, in single-pane mode. */
  tabs?: Rect;
}

/** Smallest terminal that shows the panes side by side. */
export const SPLIT_MIN_WIDTH = 100;
export const SPLIT_MIN_HEIGHT = 30;

/** Whether a terminal of this size shows one pane at a time under a tab bar. */
export function tabbed(cols: number, rows: number): boolean {
  return cols < SPLIT_MIN_WIDTH || rows < SPLIT_MIN_HEIGHT;
}

/** `focused` is the pane shown when the terminal is too small to split. */
export function layout(cols: number, rows: number, zoom: Pane | null, focused: Pane = 'flows'): Layout {
  const width = Math.max(cols, 1);
  const height = Math.max(rows, 3);
  const mainH = height - 2;
  const main: Rect = { top: 0, left: 0, width, height: mainH };
  const status: Rect = { top: mainH, left: 0, width, height: 1 };
  const bar: Rect = { top: mainH + 1, left: 0, width, height: 1 };
  if (zoom) return { panes: { [zoom]: main }, status, bar, main };
  if (tabbed(cols, rows)) {
    if (mainH < 2) return { panes: { [focused]: main }, status, bar, main };
    const tabs: Rect = { top: 0, left: 0, width, height: 1 };
    return { panes: { [focused]: { top: 1, left: 0, width, height: mainH - 1 } }, status, bar, main, tabs };
  }
  const topH = Math.max(6, Math.floor(mainH * 0.45));
  const flowsH = mainH - topH;
  // The latency table needs more room than the map once there is room to give.
  const topoW = Math.floor(width * 0.4);
  const panes: Partial<Record<Pane, Rect>> = {
    topology: { top: 0, left: 0, width: topoW, height: topH },
    latency: { top: 0, left: topoW, width: width - topoW, height: topH },
  };
  if (width >= 160) {
    const detailW = Math.floor(width * 0.3);
    panes.flows = { top: topH, left: 0, width: width - detailW, height: flowsH };
    panes.detail = { top: topH, left: width - detailW, width: detailW, height: flowsH };
  } else {
    panes.flows = { top: topH, left: 0, width, height: flowsH };
  }
  return { panes, status, bar, main };
}
