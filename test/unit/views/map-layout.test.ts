// The map's layout as values: boxes never overlap, edges leave and reach their boxes'
// borders as connected lines that never cross a box, the same graph lays out the same
// way, and adding an edge moves no box it does not touch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DETAILS, drawing, type Drawing } from '../../../src/views/map/geometry.ts';
import type { MapGraph } from '../../../src/views/map/graph.ts';
import { layoutGraph } from '../../../src/views/map/layered.ts';
import { prng, randomGraph, shopGraph, shuffled, withEdge } from './map-fixtures.ts';

const GRAPHS: [string, MapGraph][] = [
  ['the shop', shopGraph()],
  ['40 services, 120 calls', randomGraph(7, 40, 120)],
  ['200 services, 1000 calls', randomGraph(11, 200, 1000, 8)],
];

function overlaps(a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Every cell a line of the drawing covers, with the edges on it. */
function lineCells(d: Drawing): Map<string, Set<number>> {
  const cells = new Map<string, Set<number>>();
  const add = (x: number, y: number, es: number[]) => {
    const k = `${x},${y}`;
    let s = cells.get(k);
    if (!s) cells.set(k, (s = new Set()));
    for (const e of es) s.add(e);
  };
  for (const l of d.lines) {
    if (l.kind === 'h') for (let x = l.x0; x <= l.x1; x++) add(x, l.y, l.edges);
    else for (let y = l.y0; y <= l.y1; y++) add(l.x, y, l.edges);
  }
  return cells;
}

for (const [name, g] of GRAPHS) {
  for (const detail of DETAILS) {
    test(`${name} at detail ${detail}: no two boxes overlap, no line crosses a box, all inside the drawing`, () => {
      const d = drawing(g, layoutGraph(g), detail);
      assert.equal(d.boxes.length, g.boxes.length);
      const sorted = [...d.boxes].sort((a, b) => a.x - b.x || a.y - b.y);
      for (let i = 0; i < sorted.length; i++) {
        const a = sorted[i];
        assert.ok(a.x >= 0 && a.y >= 0 && a.x + a.w <= d.width && a.y + a.h <= d.height, `${a.id} outside the drawing`);
        for (let j = i + 1; j < sorted.length && sorted[j].x < a.x + a.w; j++) assert.ok(!overlaps(a, sorted[j]), `${a.id} overlaps ${sorted[j].id}`);
      }
      const cells = lineCells(d);
      for (const b of d.boxes) {
        for (let x = b.x; x < b.x + b.w; x++) for (let y = b.y; y < b.y + b.h; y++) assert.ok(!cells.has(`${x},${y}`), `a line crosses ${b.id} at ${x},${y}`);
      }
      for (const k of cells.keys()) {
        const [x, y] = k.split(',').map(Number);
        assert.ok(x >= 0 && x < d.width && y >= 0 && y < d.height, `line cell ${k} outside the drawing`);
      }
    });

    test(`${name} at detail ${detail}: every edge is one connected line from its caller's border to an arrowhead at its callee's border`, () => {
      const d = drawing(g, layoutGraph(g), detail);
      const cells = lineCells(d);
      const linesOf = new Map<number, Drawing['lines']>();
      for (const l of d.lines) for (const e of l.edges) (linesOf.get(e) ?? linesOf.set(e, []).get(e)!).push(l);
      d.edges.forEach((e, ei) => {
        const from = d.byId.get(e.from)!;
        const to = d.byId.get(e.to)!;
        // The arrowhead touches the callee's left or right border on its port row.
        const arrow = d.arrows.find((a) => a.edges.includes(ei));
        assert.ok(arrow, `${e.from} -> ${e.to} has no arrowhead`);
        assert.equal(arrow.y, to.portY);
        assert.equal(arrow.x, arrow.dir === 'right' ? to.x - 1 : to.x + to.w, `${e.from} -> ${e.to}: arrowhead not at ${e.to}'s border`);
        // The line starts right next to the caller's border on its port row.
        const starts = [`${from.x - 1},${from.portY}`, `${from.x + from.w},${from.portY}`].filter((k) => cells.get(k)?.has(ei));
        assert.ok(starts.length > 0, `${e.from} -> ${e.to} does not start at ${e.from}'s border`);
        // Connected: flood over the cells carrying this edge, from the start to the arrowhead.
        const mine = new Set<string>();
        for (const l of linesOf.get(ei) ?? []) {
          if (l.kind === 'h') for (let x = l.x0; x <= l.x1; x++) mine.add(`${x},${l.y}`);
          else for (let y = l.y0; y <= l.y1; y++) mine.add(`${l.x},${y}`);
        }
        const seen = new Set([starts[0]]);
        const queue = [starts[0]];
        while (queue.length > 0) {
          const [x, y] = queue.pop()!.split(',').map(Number);
          for (const n of [`${x + 1},${y}`, `${x - 1},${y}`, `${x},${y + 1}`, `${x},${y - 1}`]) {
            if (mine.has(n) && !seen.has(n)) {
              seen.add(n);
              queue.push(n);
            }
          }
        }
        assert.ok(seen.has(`${arrow.x},${arrow.y}`), `${e.from} -> ${e.to}: the line does not reach the arrowhead`);
      });
    });
  }

  test(`${name}: the same graph lays out the same way, in any input order and when updated with itself`, () => {
    const positions = (x: MapGraph, lay = layoutGraph(x)) => {
      const d = drawing(x, lay, 'boxes');
      return { boxes: Object.fromEntries(d.boxes.map((b) => [b.id, [b.x, b.y]])), width: d.width, height: d.height, lines: d.lines.length };
    };
    const first = positions(g);
    assert.deepEqual(positions(g), first);
    assert.deepEqual(positions(shuffled(g, 3)), first);
    assert.deepEqual(positions(g, layoutGraph(g, layoutGraph(g))), first);
  });
}

test('adding one edge between existing boxes moves no other box: same slot, and on screen the same cell', () => {
  const g = randomGraph(5, 60, 180, 4);
  const lay = layoutGraph(g);
  const rnd = prng(9);
  let cellChecks = 0;
  for (let i = 0; i < 40; i++) {
    const a = g.boxes[Math.floor(rnd() * g.boxes.length)].id;
    const b = g.boxes[Math.floor(rnd() * g.boxes.length)].id;
    if (a === b || g.edges.some((e) => e.from === a && e.to === b)) continue;
    const g2 = withEdge(g, a, b);
    const next = layoutGraph(g2, lay);
    for (const [id, p] of lay.nodes) if (id !== a && id !== b) assert.deepEqual(next.nodes.get(id), p, `${id} moved when ${a} -> ${b} was added`);
  }
  // Between neighbouring layers of one band the new line fits the gap's spare room:
  // nothing moves on screen either.
  const d1 = drawing(g, lay, 'labels');
  for (const [a, pa] of lay.nodes) {
    for (const [b, pb] of lay.nodes) {
      if (cellChecks >= 12 || pb.layer !== pa.layer + 1 || pa.group !== pb.group || g.edges.some((e) => e.from === a && e.to === b)) continue;
      const g2 = withEdge(g, a, b);
      const d2 = drawing(g2, layoutGraph(g2, lay), 'labels', d1);
      for (const r of d1.boxes) {
        const r2 = d2.byId.get(r.id)!;
        assert.deepEqual([r2.x, r2.y], [r.x, r.y], `${r.id} moved on screen when ${a} -> ${b} was added`);
      }
      cellChecks++;
    }
  }
  assert.equal(cellChecks, 12);
});

test('a new box with an edge is placed next to its neighbour; the others stay; a box that lost its last edge keeps its slot', () => {
  const g = shopGraph();
  const lay = layoutGraph(g);
  const extra: MapGraph = { boxes: [...g.boxes, { id: 'shop/fraud', group: 'shop', label: 'fraud', idle: false, marked: false }], edges: [...g.edges, { from: 'shop/paymentservice', to: 'shop/fraud', rate: 1, drops: 0, errors: 0 }] };
  const next = layoutGraph(extra, lay);
  for (const [id, p] of lay.nodes) assert.deepEqual(next.nodes.get(id), p, `${id} moved`);
  assert.equal(next.nodes.get('shop/fraud')!.layer, lay.nodes.get('shop/paymentservice')!.layer + 1);
  const fewer: MapGraph = { boxes: g.boxes, edges: g.edges.filter((e) => e.from !== 'shop/toolbox') };
  const after = layoutGraph(fewer, lay);
  for (const [id, p] of lay.nodes) assert.deepEqual(after.nodes.get(id), p, `${id} moved when toolbox's edges went away`);
});

test('layers follow the calls: callers left of callees; a cycle is drawn with one edge reversed', () => {
  const g = shopGraph();
  const lay = layoutGraph(g);
  const layer = (s: string) => lay.nodes.get(`shop/${s}`)!.layer;
  assert.ok(layer('loadgenerator') < layer('frontend'));
  assert.ok(layer('frontend') < layer('checkoutservice'));
  assert.ok(layer('checkoutservice') < layer('paymentservice'));
  assert.ok(layer('cartservice') < layer('redis-cart'));
  const cyc = withEdge(g, 'shop/redis-cart', 'shop/frontend');
  const lc = layoutGraph(cyc);
  const kinds = [...lc.chains.values()].map((c) => c.kind);
  assert.equal(kinds.filter((k) => k === 'reversed').length, 1);
  // Drawn all the same (arrowhead at the callee's border): checked on the drawing.
  const d = drawing(cyc, lc, 'labels');
  const ei = d.edges.findIndex((e) => e.from === 'shop/redis-cart' && e.to === 'shop/frontend');
  const arrow = d.arrows.find((a) => a.edges.includes(ei))!;
  const fe = d.byId.get('shop/frontend')!;
  assert.equal(arrow.x, arrow.dir === 'right' ? fe.x - 1 : fe.x + fe.w);
});

test('namespaces are bands: every box lies inside its namespace band, outside the cluster last', () => {
  const g = shopGraph();
  const d = drawing(g, layoutGraph(g), 'boxes');
  assert.deepEqual(d.bands.map((b) => b.group), ['kube-system', 'shop', '(outside the cluster)']);
  for (const b of d.boxes) {
    const band = d.bands.find((x) => x.group === b.box.group)!;
    assert.ok(b.y > band.y && b.y + b.h <= band.y + band.h, `${b.id} outside band ${band.group}`);
  }
});
