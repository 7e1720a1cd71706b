// The topology pane's map: its state (map or list, level of detail, where the window is)
// and its keys, over the pure graph -> layout -> drawing -> paint steps. The layout is
// redone only when the graph's shape changes, incrementally (boxes stay where they were)
// unless the level, the toggles or most of the boxes changed; figures (rates, marks)
// are taken fresh each frame without touching positions.
import type { Action } from '../keymap.ts';
import type { Theme } from '../theme.ts';
import type { MapNode, TopologyState } from '../topology-view.ts';
import { DETAILS, drawing, type Detail, type Drawing } from './geometry.ts';
import { mapGraph, shapeKey, type MapGraph } from './graph.ts';
import { churn, layoutGraph, type LogicalLayout } from './layered.ts';
import { neighbour, type Direction } from './navigate.ts';
import { neighbourhoodLines } from './neighbourhood.ts';
import { paint } from './paint.ts';
import { esc, fit } from '../text.ts';

export type TopologyMode = 'map' | 'list';

export interface MapDraw {
  lines: string[];
  title: string;
}

export interface MapKeyResult {
  topo: TopologyState;
  effect?: { type: 'focus-node'; id: string; level: TopologyState['level'] };
}

export interface MapPane {
  readonly mode: TopologyMode;
  /** Detail chosen with +/- (null: the most detailed that fits, else labels). */
  readonly detail: Detail | null;
  draw(nodes: MapNode[], topo: TopologyState, size: { width: number; height: number }, theme: Theme): MapDraw;
  /** Handles a topology-pane action in map mode (and `m` in both); undefined: not a map key. */
  key(action: Action, topo: TopologyState): MapKeyResult | undefined;
}

const MOVES: Partial<Record<Action, Direction>> = { left: 'left', right: 'right', up: 'up', down: 'down' };

/** Below this share of boxes changing, the layout is updated in place rather than redone. */
const RELAYOUT_CHURN = 0.5;

export function createMapPane(initial: TopologyMode = 'map'): MapPane {
  let mode: TopologyMode = initial;
  let detail: Detail | null = null;
  let view = { x: 0, y: 0 };
  let shown: { drawing: Drawing; graph: MapGraph } | undefined;
  // The drawings of the layout this one was updated from: their column gaps are kept.
  let cache: { context: string; shape: string; lay: LogicalLayout; drawings: Map<Detail, Drawing>; prevDrawings: Map<Detail, Drawing> } | undefined;

  const drawingFor = (g: MapGraph, topo: TopologyState, d: Detail): Drawing => {
    const context = `${topo.level}|${topo.dropsOnly}|${topo.hideInfra}`;
    const shape = shapeKey(g);
    if (!cache || cache.context !== context || cache.shape !== shape) {
      const keep = cache && cache.context === context && churn(g, cache.lay) < RELAYOUT_CHURN ? cache : undefined;
      cache = { context, shape, lay: layoutGraph(g, keep?.lay), drawings: new Map(), prevDrawings: keep?.drawings ?? new Map() };
    }
    let dr = cache.drawings.get(d);
    if (!dr) cache.drawings.set(d, (dr = drawing(g, cache.lay, d, cache.prevDrawings.get(d))));
    // Same shape, new figures: boxes and edges come from this frame's graph (same order).
    const boxById = new Map(g.boxes.map((b) => [b.id, b]));
    return { ...dr, edges: g.edges, boxes: dr.boxes.map((b) => ({ ...b, box: boxById.get(b.id) ?? b.box })), byId: dr.byId };
  };

  const effective = (g: MapGraph, topo: TopologyState, size: { width: number; height: number }): Drawing => {
    if (detail !== null) return drawingFor(g, topo, detail);
    const boxes = drawingFor(g, topo, 'boxes');
    return boxes.width <= size.width && boxes.height <= size.height ? boxes : drawingFor(g, topo, 'labels');
  };

  return {
    get mode() {
      return mode;
    },
    get detail() {
      return detail;
    },
    draw(nodes, topo, size, theme) {
      const g = mapGraph(nodes);
      const flags = [topo.dropsOnly ? 'drops only' : '', topo.hideInfra ? 'infra hidden' : ''].filter(Boolean).join(', ');
      const d = effective(g, topo, size);
      const sel = topo.selected !== null && d.byId.has(topo.selected) ? topo.selected : null;
      const title = `Topology [${topo.level}] map:${d.detail}${detail === null ? '' : '*'}${flags ? ' ' + flags : ''}${sel ? ` ▸ ${sel}` : ''}`;
      shown = { drawing: d, graph: g };
      if (g.boxes.length === 0) return { lines: [theme.dim(topo.dropsOnly ? 'no edges with drops or errors' : 'no traffic yet')], title };
      const fits = d.width <= size.width && d.height <= size.height;
      // Too big for the pane: the selection's neighbourhood under the map.
      let hoodRows = 0;
      if (!fits && sel !== null && size.height >= 10) {
        const deg = g.edges.reduce((n, e) => n + (e.from === sel || e.to === sel ? 1 : 0), 0);
        hoodRows = 1 + Math.max(1, Math.min(3, deg));
      }
      // Denied edges name their deciding policy under the map (the marks on the map only
      // say ✖): the selection's, else the graph's, busiest first.
      const denied = g.edges
        .filter((e) => e.deniedBy !== undefined && (sel === null || e.from === sel || e.to === sel))
        .sort((a, b) => b.drops - a.drops || (a.from < b.from ? -1 : 1));
      const deniedRows = denied.length > 0 && size.height >= 8 ? Math.min(denied.length, size.height >= 16 ? 2 : 1) : 0;
      const mapH = Math.max(1, size.height - hoodRows - deniedRows);
      // Pan so the selection is in view (with a margin), never past the drawing's end.
      const box = sel ? d.byId.get(sel) : undefined;
      if (box) {
        const mx = Math.min(4, Math.floor((size.width - box.w) / 2));
        const my = Math.min(2, Math.floor((mapH - box.h) / 2));
        if (box.x - mx < view.x) view.x = box.x - mx;
        if (box.x + box.w + mx > view.x + size.width) view.x = box.x + box.w + mx - size.width;
        if (box.y - my < view.y) view.y = box.y - my;
        if (box.y + box.h + my > view.y + mapH) view.y = box.y + box.h + my - mapH;
      }
      view.x = Math.max(0, Math.min(view.x, d.width - size.width));
      view.y = Math.max(0, Math.min(view.y, d.height - mapH));
      const lines = paint(d, { x: view.x, y: view.y, width: size.width, height: mapH }, { selected: sel, theme });
      const label = (id: string): string => g.boxes.find((b) => b.id === id)?.label ?? id;
      for (let i = 0; i < deniedRows; i++) {
        const e = denied[i]!;
        const more = i === deniedRows - 1 && denied.length > deniedRows ? ` (+${denied.length - deniedRows} more; w: why)` : '';
        const text = `${theme.glyph.drop} ${label(e.from)} ${theme.glyph.arrow} ${label(e.to)} denied by ${e.deniedBy!.replace(/^[^/]*\//, '')}${more}`;
        lines.push(theme.bad(esc(fit(text, size.width))));
      }
      if (hoodRows > 0 && sel !== null) lines.push(...neighbourhoodLines(g, sel, size.width, hoodRows - 1, theme));
      return { lines, title };
    },
    key(action, topo) {
      if (action === 'toggle-map') {
        mode = mode === 'map' ? 'list' : 'map';
        return { topo: { ...topo, scrollTop: 0 } };
      }
      if (mode !== 'map') return undefined;
      const dir = MOVES[action];
      if (dir) {
        if (!shown) return { topo };
        return { topo: { ...topo, selected: neighbour(shown.drawing, topo.selected, dir) } };
      }
      if (action === 'zoom-in' || action === 'zoom-out') {
        const cur = DETAILS.indexOf(detail ?? shown?.drawing.detail ?? 'labels');
        detail = DETAILS[Math.max(0, Math.min(DETAILS.length - 1, cur + (action === 'zoom-in' ? 1 : -1)))];
        return { topo };
      }
      if (action === 'top' || action === 'bottom') {
        const boxes = shown?.drawing.boxes ?? [];
        if (boxes.length === 0) return { topo };
        const sorted = [...boxes].sort((a, b) => a.y - b.y || a.x - b.x);
        return { topo: { ...topo, selected: (action === 'top' ? sorted[0] : sorted[sorted.length - 1]).id } };
      }
      if (action === 'enter') return topo.selected ? { topo, effect: { type: 'focus-node', id: topo.selected, level: topo.level } } : { topo };
      return undefined;
    },
  };
}
