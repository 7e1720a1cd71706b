// The topology map's cost on a big mesh: 200 services in 8 namespaces with 1,000 calls
// (seeded, see test/unit/views/map-fixtures.ts). Prints the time of a full layout (layers,
// order, routing at one detail), of an update after one new edge, and of one frame (what
// the TUI pays on every redraw when the graph's shape did not change: graph from the
// topology's nodes, shape check, painting the pane's window). Targets: layout < 50 ms,
// frame < 10 ms.
//
//   node_modules/.bin/node bench/map-layout.ts [--services 200] [--edges 1000] [--runs 30]
import { cpus, loadavg } from 'node:os';
import type { Edge } from '../src/streams/topology.ts';
import { drawing } from '../src/views/map/geometry.ts';
import type { MapGraph } from '../src/views/map/graph.ts';
import { layoutGraph } from '../src/views/map/layered.ts';
import { createMapPane } from '../src/views/map/map-pane.ts';
import { paint } from '../src/views/map/paint.ts';
import { makeTheme } from '../src/views/theme.ts';
import { initialTopologyState, type MapNode } from '../src/views/topology-view.ts';
import { randomGraph, withEdge } from '../test/unit/views/map-fixtures.ts';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : def;
}

const services = arg('--services', 200);
const edgeCount = arg('--edges', 1000);
const runs = arg('--runs', 50);
const theme = makeTheme({ color: true, unicode: true });

// Wall time and this process's CPU time per call: on a shared machine the wall figure
// includes waiting for a core; the CPU figure is the work itself.
function time(label: string, fn: () => unknown): number[] {
  for (let i = 0; i < 10; i++) fn(); // warm up the JIT
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const med = (x: number[]) => x[Math.floor(x.length / 2)];
  console.log(`${label.padEnd(52)} wall median ${med(wall).toFixed(2)} ms (max ${wall[wall.length - 1].toFixed(2)})  cpu median ${med(cpu).toFixed(2)} ms`);
  return cpu;
}

/** The topology's display nodes for a graph, as mapNodes() would hand them to the map. */
function asNodes(g: MapGraph): MapNode[] {
  const nodes = new Map<string, MapNode>();
  for (const b of g.boxes) nodes.set(b.id, { id: b.id, group: b.group, name: b.label, out: [], in: [], inRate: 0, outRate: 0, marked: false, idle: false });
  for (const e of g.edges) {
    const edge: Edge = { from: e.from, to: e.to, rate: e.rate, flows: 10, drops: 0, errors: 0, recentDrops: 0, recentErrors: 0, infra: false, lastSeenMs: 0 };
    nodes.get(e.from)!.out.push(edge);
    nodes.get(e.to)!.in.push(edge);
  }
  return [...nodes.values()];
}

const g = randomGraph(11, services, edgeCount, 8);
const lay = layoutGraph(g);
const d = drawing(g, lay, 'labels');
console.log(`map layout benchmark: ${g.boxes.length} services, ${g.edges.length} edges, ${lay.widths.length} layers; drawing ${d.width}x${d.height} cells, ${d.lines.length} line segments; ${runs} runs each`);

time('full layout (layers + order), fresh', () => layoutGraph(g));
time('routing and geometry, labels detail', () => drawing(g, lay, 'labels'));
const full = time('full layout + routing (what a shape change costs)', () => drawing(g, layoutGraph(g), 'labels'));
const a = g.boxes[3].id;
const b = g.boxes[150].id;
const g2 = withEdge(g, a, b);
time('incremental layout + routing after one new edge', () => drawing(g2, layoutGraph(g2, lay), 'labels', d));

const viewport = { x: 200, y: 40, width: 118, height: 36 };
time('paint one 118x36 window', () => paint(d, viewport, { selected: g.boxes[10].id, theme }));

const pane = createMapPane();
const nodes = asNodes(g);
const st = { ...initialTopologyState(), selected: g.boxes[10].id };
pane.draw(nodes, st, { width: 118, height: 36 }, theme); // lays out once
const frame = time('frame: map pane draw, shape unchanged (118x36)', () => pane.draw(nodes, st, { width: 118, height: 36 }, theme));
const small = time('frame: map pane draw, shape unchanged (78x20)', () => pane.draw(nodes, st, { width: 78, height: 20 }, theme));

const med = (x: number[]) => x[Math.floor(x.length / 2)];
console.log(`targets (CPU time medians): layout < 50 ms: ${med(full) < 50 ? 'met' : 'NOT met'} (${med(full).toFixed(1)} ms); frame < 10 ms: ${Math.max(med(frame), med(small)) < 10 ? 'met' : 'NOT met'} (${med(frame).toFixed(2)} / ${med(small).toFixed(2)} ms); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores`);
