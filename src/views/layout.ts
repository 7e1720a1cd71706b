// Where each pane goes for a terminal size (pure, so 120x40 and 80x24 are unit tested).
// Top: topology | latency; below: flows | detail
// (detail only at 160+ columns; narrower, key 4 shows it zoomed); then the status line
// and the filter/palette bar. Zoom gives one pane the whole area.
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
}

/** Below this size the panes cannot share the screen: only the focused one is shown. */
export const MIN_WIDTH = 60;
export const MIN_HEIGHT = 16;

/** `focused` is shown alone when the terminal is too small to split. */
export function layout(cols: number, rows: number, zoom: Pane | null, focused: Pane = 'flows'): Layout {
  const width = Math.max(cols, 1);
  const height = Math.max(rows, 3);
  const mainH = height - 2;
  const main: Rect = { top: 0, left: 0, width, height: mainH };
  const status: Rect = { top: mainH, left: 0, width, height: 1 };
  const bar: Rect = { top: mainH + 1, left: 0, width, height: 1 };
  if (zoom) return { panes: { [zoom]: main }, status, bar, main };
  if (cols < MIN_WIDTH || rows < MIN_HEIGHT) return { panes: { [focused]: main }, status, bar, main };
  const topH = Math.max(6, Math.floor(mainH * (rows >= 30 ? 0.45 : 0.42)));
  const flowsH = mainH - topH;
  // The latency table needs more room than the map once there is room to give.
  const topoW = Math.floor(width * (width >= 100 ? 0.4 : 0.5));
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
