// The map as the pane shows it: painted lines, the selection moving along the edges, the
// neighbourhood mini-map, +/- detail, `m` to the list, and figures that change without
// the boxes moving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Edge } from '../../../src/streams/topology.ts';
import { drawing } from '../../../src/views/map/geometry.ts';
import { edgeInfo, mapGraph, type MapGraph } from '../../../src/views/map/graph.ts';
import { layoutGraph } from '../../../src/views/map/layered.ts';
import { createMapPane } from '../../../src/views/map/map-pane.ts';
import { neighbour } from '../../../src/views/map/navigate.ts';
import { neighbourhoodLines } from '../../../src/views/map/neighbourhood.ts';
import { paint } from '../../../src/views/map/paint.ts';
import { makeTheme } from '../../../src/views/theme.ts';
import { initialTopologyState, mapNodes, type MapNode } from '../../../src/views/topology-view.ts';
import { color, mono, plain } from './helpers.ts';
import { shopGraph } from './map-fixtures.ts';

const edge = (from: string, to: string, rate: number, extra: Partial<Edge> = {}): Edge => ({ from, to, rate, flows: rate * 10, drops: 0, errors: 0, recentDrops: 0, recentErrors: 0, infra: false, lastSeenMs: 0, ...extra });

function shopNodes(rates = 1): MapNode[] {
  const g = shopGraph();
  const edges = g.edges.map((e) => edge(e.from, e.to, e.rate * rates, e.drops > 0 ? { recentDrops: e.drops, recentErrors: e.drops } : {}));
  return mapNodes(edges, initialTopologyState(), new Set(['shop', 'kube-system']));
}

const whole = (g: MapGraph) => {
  const d = drawing(g, layoutGraph(g), 'labels');
  return { d, lines: plain(paint(d, { x: 0, y: 0, width: d.width, height: d.height }, { selected: null, theme: mono })) };
};

test('the painted map shows every box by name, namespace bands, arrowheads into boxes and rates on edges', () => {
  const { lines } = whole(shopGraph());
  const text = lines.join('\n');
  const g = shopGraph();
  g.edges.find((e) => e.from === 'shop/frontend' && e.to === 'shop/adservice')!.errors = 3;
  const d = drawing(g, layoutGraph(g), 'boxes');
  const boxes = plain(paint(d, { x: 0, y: 0, width: d.width, height: d.height }, { selected: null, theme: mono })).join('\n');
  assert.match(boxes, /✖3 10\/s─+▶│ adservice/);
  assert.match(boxes, /│ frontend +├/);
  for (const name of ['frontend', 'cartservice', 'checkoutservice', 'redis-cart', 'coredns', 'world']) assert.match(text, new RegExp(`[\\[✖]${name} *\\]`), name);
  assert.match(text, /╌ shop ╌/);
  assert.match(text, /╌ kube-system ╌/);
  assert.match(text, /▶\[cartservice/);
  assert.match(text, /10\/s/);
});

test('ASCII terminals get the same map in ASCII; NO_COLOR gets no colour tags, colour gets the error colour on drops', () => {
  const g = shopGraph();
  const d = drawing(g, layoutGraph(g), 'labels');
  const ascii = makeTheme({ color: false, unicode: false });
  const lines = plain(paint(d, { x: 0, y: 0, width: d.width, height: d.height }, { selected: null, theme: ascii }));
  for (const l of lines) assert.match(l, /^[\x20-\x7e]*$/, l);
  assert.match(lines.join('\n'), />\[cartservice/);
  const tagged = paint(d, { x: 0, y: 0, width: d.width, height: d.height }, { selected: 'shop/frontend', theme: color }).join('\n');
  assert.match(tagged, /\{red-fg\}/);
  assert.match(tagged, /\{cyan-fg\}/, 'the selected box’s edges stand out');
  assert.doesNotMatch(paint(d, { x: 0, y: 0, width: d.width, height: d.height }, { selected: null, theme: mono }).join(''), /-fg\}/);
});

test('a window of the map is exactly its size, whatever the pan', () => {
  const g = shopGraph();
  const d = drawing(g, layoutGraph(g), 'boxes');
  for (const v of [{ x: 0, y: 0 }, { x: 30, y: 10 }, { x: d.width - 5, y: d.height - 3 }]) {
    const lines = plain(paint(d, { ...v, width: 40, height: 12 }, { selected: null, theme: mono }));
    assert.equal(lines.length, 12);
    for (const l of lines) assert.ok(Array.from(l).length <= 40, l);
  }
});

test('left and right move along the edges, up and down to the box above and below', () => {
  const g = shopGraph();
  const d = drawing(g, layoutGraph(g), 'labels');
  const callees = new Set(g.edges.filter((e) => e.from === 'shop/frontend').map((e) => e.to));
  const right = neighbour(d, 'shop/frontend', 'right')!;
  assert.ok(callees.has(right), `right from frontend went to ${right}`);
  assert.equal(neighbour(d, 'shop/frontend', 'left'), 'shop/loadgenerator');
  assert.equal(neighbour(d, 'shop/redis-cart', 'right'), 'shop/redis-cart', 'nothing further right along an edge or otherwise stays');
  const callers = new Set(g.edges.filter((e) => e.to === 'shop/redis-cart').map((e) => e.from));
  assert.ok(callers.has(neighbour(d, 'shop/redis-cart', 'left')!));
  const down = neighbour(d, right, 'down')!;
  assert.notEqual(down, right);
  assert.ok(d.byId.get(down)!.y > d.byId.get(right)!.y);
  assert.equal(neighbour(d, down, 'up'), right);
  assert.ok(d.byId.has(neighbour(d, null, 'down')!), 'no selection: the first box');
});

test('the neighbourhood: callers left, the box, callees right, busiest first, with drop marks, within the width', () => {
  const g = shopGraph();
  g.edges.find((e) => e.from === 'shop/checkoutservice' && e.to === 'shop/paymentservice')!.rate = 50;
  const lines = plain(neighbourhoodLines(g, 'shop/paymentservice', 70, 3, mono));
  assert.match(lines[0], /around shop\/paymentservice: 2 callers, 1 callee/);
  assert.match(lines[1], /^ +checkoutservice─┬▶\[paymentservice\]─+▶ world 10\/s$/);
  assert.match(lines[2], /^ +toolbox─┘/);
  for (const l of lines) assert.ok(Array.from(l).length <= 70, l);
  const fe = plain(neighbourhoodLines(g, 'shop/frontend', 70, 3, mono));
  assert.equal(fe.length, 4);
  assert.match(fe[3], /└─ \+6 more/); // 8 callees, 2 shown
});

test('the pane: m switches to the list and back, + and - change the detail, the title names the selection', () => {
  const pane = createMapPane();
  assert.equal(pane.mode, 'map');
  const st = { ...initialTopologyState(), selected: 'shop/frontend' };
  const big = pane.draw(shopNodes(), st, { width: 300, height: 80 }, mono);
  assert.match(big.title, /^Topology \[workload\] map:boxes ▸ shop\/frontend$/);
  pane.key('zoom-out', st);
  assert.match(pane.draw(shopNodes(), st, { width: 300, height: 80 }, mono).title, /map:labels\*/);
  pane.key('zoom-out', st);
  pane.key('zoom-out', st);
  const dots = plain(pane.draw(shopNodes(), st, { width: 300, height: 80 }, mono).lines).join('\n');
  assert.match(dots, /●/);
  assert.doesNotMatch(dots, /cartservice/);
  pane.key('zoom-in', st);
  assert.match(pane.draw(shopNodes(), st, { width: 300, height: 80 }, mono).title, /map:labels\*/);
  assert.equal(pane.key('level', st), undefined, 'the level key is the pane’s, not the map’s');
  const moved = pane.key('right', st)!;
  assert.notEqual(moved.topo.selected, 'shop/frontend');
  assert.deepEqual(pane.key('enter', moved.topo)!.effect, { type: 'focus-node', id: moved.topo.selected, level: 'workload' });
  pane.key('toggle-map', st);
  assert.equal(pane.mode, 'list');
  assert.equal(pane.key('right', st), undefined, 'in the list the map keys are not the map’s');
  pane.key('toggle-map', st);
  assert.equal(pane.mode, 'map');
});

test('the pane pans to keep the selection in view and adds the neighbourhood when the map does not fit', () => {
  const pane = createMapPane();
  const size = { width: 60, height: 16 };
  const st = { ...initialTopologyState(), selected: 'shop/redis-cart' };
  const v = pane.draw(shopNodes(), st, size, mono);
  const lines = plain(v.lines);
  assert.equal(lines.length, size.height);
  assert.ok(lines.some((l) => /redis-cart\]/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /around shop\/redis-cart: 2 callers, 0 callees/.test(l)), lines.join('\n'));
  for (const l of lines) assert.ok(Array.from(l).length <= size.width, l);
});

test('new figures on the same graph repaint without moving a box; an idle box from the cluster model is drawn dim', () => {
  const pane = createMapPane();
  const st = initialTopologyState();
  const size = { width: 300, height: 80 };
  const before = plain(pane.draw(shopNodes(1), st, size, mono).lines);
  const after = plain(pane.draw(shopNodes(7), st, size, mono).lines);
  const at = (lines: string[], name: string) => lines.flatMap((l, y) => (l.indexOf(`[${name}`) >= 0 ? [[y, l.indexOf(`[${name}`)]] : []));
  for (const n of ['frontend', 'cartservice', 'checkoutservice', 'emailservice']) assert.deepEqual(at(after, n), at(before, n), n);
  assert.notDeepEqual(after, before, 'the rates changed');
  const idle = mapNodes([edge('shop/frontend', 'shop/cartservice', 1)], initialTopologyState(), new Set(['shop']), [{ id: 'shop/quoteservice', infra: false }]);
  const tagged = createMapPane().draw(idle, st, size, color).lines.join('\n');
  assert.match(tagged, /\{gray-fg\}quoteservice\{\/gray-fg\}/);
  // Without colour an idle box is still told apart: dashed, in parentheses, hollow.
  const monoPane = createMapPane();
  const boxes = plain(monoPane.draw(idle, st, size, mono).lines).join('\n');
  assert.match(boxes, /╎ quoteservice +╎/);
  assert.match(boxes, /│ cartservice +│/);
  monoPane.key('zoom-out', st);
  const labels = plain(monoPane.draw(idle, st, size, mono).lines).join('\n');
  assert.match(labels, /\(quoteservice *\)/);
  assert.match(labels, /\[cartservice *\]/);
  assert.doesNotMatch(tagged, /\{gray-fg\}cartservice/);
});

test('edge data is read through edgeInfo: errors apart from drops, a policy that denies the edge marks it', () => {
  assert.deepEqual(edgeInfo(edge('a', 'b', 2, { recentDrops: 3, recentErrors: 5 })), { rate: 2, drops: 3, errors: 2 });
  const denied = { ...edge('shop/toolbox', 'shop/redis-cart', 0.5), deniedBy: 'shop/redis-cart-ingress' };
  assert.equal(edgeInfo(denied).deniedBy, 'shop/redis-cart-ingress');
  const nodes: MapNode[] = [
    { id: 'shop/toolbox', group: 'shop', name: 'toolbox', out: [denied], in: [], inRate: 0, outRate: 0.5, marked: false, idle: false },
    { id: 'shop/redis-cart', group: 'shop', name: 'redis-cart', out: [], in: [denied], inRate: 0.5, outRate: 0, marked: false, idle: false },
  ];
  const text = plain(createMapPane().draw(nodes, initialTopologyState(), { width: 80, height: 10 }, mono).lines).join('\n');
  assert.match(text, /✖ 0\.5\/s/);
  assert.equal(mapGraph(nodes).edges[0].deniedBy, 'shop/redis-cart-ingress');
  // Under the map, the denied edge with its deciding policy (the mark alone says only ✖).
  assert.match(text, /^✖ toolbox → redis-cart denied by redis-cart-ingress *$/m);
  const allowed = edge('shop/toolbox', 'shop/web', 1);
  const three: MapNode[] = [
    { ...nodes[0]!, out: [denied, allowed] },
    nodes[1]!,
    { id: 'shop/web', group: 'shop', name: 'web', out: [], in: [allowed], inRate: 1, outRate: 0, marked: false, idle: false },
  ];
  const other = { ...initialTopologyState(), selected: 'shop/web' };
  const none = plain(createMapPane().draw(three, other, { width: 80, height: 12 }, mono).lines).join('\n');
  assert.doesNotMatch(none, /denied by/, 'only the selection\'s denied edges when a box is selected');
});
