// From logical places to character cells, for one level of detail: boxes get their
// rectangles, and every edge is routed orthogonally through the gaps between layers.
// In each gap the lines leaving one slot form a net (a stub from the box, a vertical in
// the net's own channel column, a branch to each slot it reaches); channels are
// assigned so that no two nets share a column where their rows overlap, and so that a
// stub leaving a row ends before a branch arriving on that row begins. Long edges pass
// straight through the layers they cross on their dummy slots. Pure.
import { edgeKey, type MapBox, type MapEdge, type MapGraph } from './graph.ts';
import type { LogicalLayout, Place } from './layered.ts';

export const DETAILS = ['dots', 'labels', 'boxes'] as const;
export type Detail = (typeof DETAILS)[number];

export interface BoxRect {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** Row of the box its edges leave and arrive on. */
  portY: number;
  box: MapBox;
  /** Characters of the label that fit (boxes, labels). */
  labelW: number;
}

export type Line = { kind: 'h'; y: number; x0: number; x1: number; edges: number[] } | { kind: 'v'; x: number; y0: number; y1: number; edges: number[] };

export interface Arrow {
  x: number;
  y: number;
  /** Which way it points: into the box on its right (`right`) or on its left (`left`). */
  dir: 'left' | 'right';
  edges: number[];
}

export interface Band {
  group: string;
  y: number;
  h: number;
}

export interface Drawing {
  detail: Detail;
  width: number;
  height: number;
  boxes: BoxRect[];
  byId: Map<string, BoxRect>;
  bands: Band[];
  lines: Line[];
  arrows: Arrow[];
  /** The graph's edges; lines and arrows refer to them by index. */
  edges: MapEdge[];
  /** Width of the gap after each layer. */
  gapWidths: number[];
}

const SHAPE: Record<Detail, { pad: number; h: number; slotH: number; portDy: number; markRoom: number }> = {
  boxes: { pad: 4, h: 3, slotH: 4, portDy: 1, markRoom: 6 },
  labels: { pad: 2, h: 1, slotH: 2, portDy: 0, markRoom: 0 },
  dots: { pad: 0, h: 1, slotH: 1, portDy: 0, markRoom: 0 },
};

interface Net {
  leftRow: number;
  /** Extra left-side rows (same-layer edges coming back to a box on the left). */
  backRows: Map<number, number[]>;
  rights: Map<number, number[]>;
  edges: Set<number>;
  /** Edges whose arrow is at the stub (reversed edges ending at the left box). */
  arrowLeft: number[];
  /** Right rows that end at a box (arrowhead) rather than a dummy, with their edges. */
  arrowRight: Map<number, number[]>;
  lo: number;
  hi: number;
  channel: number;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

/** Spare channels per gap: a new edge usually fits without widening the gap (moving the columns right of it). */
const SPARE_CHANNELS = 2;

/**
 * `prev`: the drawing of the layout this one was updated from, at the same detail; its
 * gaps are kept as they were unless they must grow, so columns stay put.
 */
export function drawing(g: MapGraph, lay: LogicalLayout, detail: Detail, prev?: Drawing): Drawing {
  const shape = SHAPE[detail];
  const layers = lay.widths.length;
  const nodeW = lay.widths.map((w) => (detail === 'dots' ? 1 : w + shape.pad));
  // Rows: each band is a header line and its slots.
  const bandY = new Map<string, number>();
  const bands: Band[] = [];
  let y = 0;
  for (const grp of lay.groups) {
    const h = 1 + (lay.depth.get(grp) ?? 0) * shape.slotH;
    bandY.set(grp, y);
    bands.push({ group: grp, y, h });
    y += h;
  }
  const height = y;
  const rowOf = (p: Place) => bandY.get(p.group)! + 1 + p.slot * shape.slotH;
  const portOf = (p: Place) => rowOf(p) + shape.portDy;

  // Nets per gap (gap i lies between layer i and i + 1).
  const gaps: Map<number, Net>[] = Array.from({ length: Math.max(0, layers) }, () => new Map());
  const netAt = (gap: number, leftRow: number): Net => {
    let n = gaps[gap].get(leftRow);
    if (!n) {
      n = { leftRow, backRows: new Map(), rights: new Map(), edges: new Set(), arrowLeft: [], arrowRight: new Map(), lo: leftRow, hi: leftRow, channel: 0 };
      gaps[gap].set(leftRow, n);
    }
    return n;
  };
  const passes: { layer: number; y: number; edge: number }[] = [];
  g.edges.forEach((e, ei) => {
    const c = lay.chains.get(edgeKey(e.from, e.to));
    const a = lay.nodes.get(e.from);
    const b = lay.nodes.get(e.to);
    if (!c || !a || !b) return;
    if (c.kind === 'flat') {
      const n = netAt(a.layer, portOf(a));
      n.edges.add(ei);
      push(n.backRows, portOf(b), ei);
      return;
    }
    const pts: Place[] = [lay.nodes.get(c.left)!, ...c.dummies, lay.nodes.get(c.right)!];
    for (let i = 0; i + 1 < pts.length; i++) {
      const n = netAt(pts[i].layer, portOf(pts[i]));
      n.edges.add(ei);
      const ry = portOf(pts[i + 1]);
      push(n.rights, ry, ei);
      if (i === 0 && c.kind === 'reversed') n.arrowLeft.push(ei);
      if (i + 1 === pts.length - 1 && c.kind === 'forward') push(n.arrowRight, ry, ei);
      if (i > 0) passes.push({ layer: pts[i].layer, y: portOf(pts[i]), edge: ei });
    }
  });

  // Channels per gap.
  const channels: number[] = [];
  for (const nets of gaps) {
    const list = [...nets.values()];
    for (const n of list) {
      for (const r of [...n.rights.keys(), ...n.backRows.keys()]) {
        n.lo = Math.min(n.lo, r);
        n.hi = Math.max(n.hi, r);
      }
    }
    list.sort((p, q) => p.lo - q.lo || p.hi - q.hi || p.leftRow - q.leftRow);
    // A stub leaving row r must end left of any branch arriving on r: its net goes first.
    const before = new Map<Net, Net[]>();
    const indeg = new Map<Net, number>(list.map((n) => [n, 0]));
    for (const n of list) {
      for (const r of n.rights.keys()) {
        const owner = nets.get(r);
        if (owner && owner !== n) {
          push(before, owner, n);
          indeg.set(n, indeg.get(n)! + 1);
        }
      }
    }
    const order: Net[] = [];
    const ready = list.filter((n) => indeg.get(n) === 0);
    const done = new Set<Net>();
    while (order.length < list.length) {
      let n = ready.shift();
      // A cycle of such constraints: take the next net in row order (its lines may touch).
      if (!n) n = list.find((m) => !done.has(m))!;
      if (done.has(n)) continue;
      done.add(n);
      order.push(n);
      for (const m of before.get(n) ?? []) {
        indeg.set(m, indeg.get(m)! - 1);
        if (indeg.get(m) === 0 && !done.has(m)) insertSorted(ready, m);
      }
    }
    const used: [number, number][][] = [];
    const minOf = new Map<Net, number>();
    for (const n of order) {
      let c = minOf.get(n) ?? 0;
      while (used[c]?.some(([lo, hi]) => n.lo <= hi && lo <= n.hi)) c++;
      n.channel = c;
      (used[c] ??= []).push([n.lo, n.hi]);
      for (const m of before.get(n) ?? []) minOf.set(m, Math.max(minOf.get(m) ?? 0, c + 1));
    }
    channels.push(used.length);
  }

  // Columns.
  const layerX: number[] = [];
  const gapX: number[] = [];
  const gapWidths: number[] = [];
  let x = 0;
  for (let l = 0; l < layers; l++) {
    layerX.push(x);
    x += nodeW[l];
    gapX.push(x);
    // The last layer has a gap only for edges between its own boxes.
    const c = channels[l] ?? 0;
    let gw = l < layers - 1 ? 3 + (c > 0 ? c + SPARE_CHANNELS + shape.markRoom : 0) : c > 0 ? c + 2 : 0;
    if (prev?.gapWidths[l] !== undefined && l < layers - 1) gw = Math.max(gw, prev.gapWidths[l]);
    gapWidths.push(gw);
    x += gw;
  }
  const width = x;

  const boxes: BoxRect[] = [];
  const byId = new Map<string, BoxRect>();
  for (const b of g.boxes) {
    const p = lay.nodes.get(b.id);
    if (!p) continue;
    const r: BoxRect = { id: b.id, x: layerX[p.layer], y: rowOf(p), w: nodeW[p.layer], h: shape.h, portY: portOf(p), box: b, labelW: Math.max(0, nodeW[p.layer] - shape.pad) };
    boxes.push(r);
    byId.set(b.id, r);
  }

  const lines: Line[] = [];
  const arrows: Arrow[] = [];
  for (let gi = 0; gi < gaps.length; gi++) {
    const g0 = gapX[gi];
    const gEnd = gi + 1 < layers ? layerX[gi + 1] - 1 : g0;
    for (const n of gaps[gi].values()) {
      const cx = g0 + 1 + n.channel;
      const all = [...n.edges];
      lines.push({ kind: 'h', y: n.leftRow, x0: g0, x1: cx, edges: all });
      if (n.hi > n.lo) lines.push({ kind: 'v', x: cx, y0: n.lo, y1: n.hi, edges: all });
      for (const [ry, es] of n.rights) lines.push({ kind: 'h', y: ry, x0: cx, x1: gEnd, edges: es });
      for (const [ry, es] of n.backRows) {
        lines.push({ kind: 'h', y: ry, x0: g0, x1: cx, edges: es });
        arrows.push({ x: g0, y: ry, dir: 'left', edges: es });
      }
      if (n.arrowLeft.length > 0) arrows.push({ x: g0, y: n.leftRow, dir: 'left', edges: n.arrowLeft });
      for (const [ry, es] of n.arrowRight) arrows.push({ x: gEnd, y: ry, dir: 'right', edges: es });
    }
  }
  // A shared dummy carries every edge through it on one line.
  const through = new Map<string, { layer: number; y: number; edges: number[] }>();
  for (const p of passes) {
    const k = `${p.layer}:${p.y}`;
    const t = through.get(k);
    if (t) t.edges.push(p.edge);
    else through.set(k, { layer: p.layer, y: p.y, edges: [p.edge] });
  }
  for (const t of through.values()) lines.push({ kind: 'h', y: t.y, x0: layerX[t.layer], x1: layerX[t.layer] + nodeW[t.layer] - 1, edges: t.edges });
  return { detail, width, height, boxes, byId, bands, lines, arrows, edges: g.edges, gapWidths };
}

function insertSorted(a: Net[], n: Net): void {
  let i = a.length;
  while (i > 0 && (a[i - 1].lo > n.lo || (a[i - 1].lo === n.lo && a[i - 1].leftRow > n.leftRow))) i--;
  a.splice(i, 0, n);
}
