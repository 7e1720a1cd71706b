// Where each box of the map goes, as a layered (Sugiyama-style) layout in logical units:
// a layer (column, callers left of callees), a band (its namespace) and a slot (row
// within the band). Fresh: cycles broken by depth-first search, layers by longest path,
// long edges split into dummy slots in the layers they cross, order within each band and
// layer by barycenter sweeps. Incremental (given the previous layout): boxes and edge
// paths that still exist keep their slots exactly; only new boxes and new edges are
// placed, in free slots next to their neighbours, and column widths are kept, so a new
// edge never moves a box it does not touch. Pure and deterministic: the same graph (in
// any input order) lays out the same way.
import { edgeKey, type MapGraph } from './graph.ts';

export interface Place {
  layer: number;
  group: string;
  slot: number;
}

/**
 * An edge's path from its left end to its right end. `forward`: left is the caller;
 * `reversed`: the edge goes right to left (it closes a cycle), the arrow is at the left
 * end; `flat`: both ends in one layer, drawn through the gap on their right.
 */
export interface Chain {
  from: string;
  to: string;
  kind: 'forward' | 'reversed' | 'flat';
  left: string;
  right: string;
  /** Slots the edge passes through, one per layer strictly between its ends, left to right. */
  dummies: Place[];
}

export interface LogicalLayout {
  /** Bands top to bottom: namespaces by name, "(outside the cluster)" last. */
  groups: string[];
  nodes: Map<string, Place>;
  chains: Map<string, Chain>;
  /** Label width (characters) per layer; kept by incremental layouts so columns do not shift. */
  widths: number[];
  /** Slots in use per band (one past the deepest). */
  depth: Map<string, number>;
}

const OUTSIDE = '(outside the cluster)';
export const MAX_LABEL = 24;
const MIN_LABEL = 4;

function groupOrder(a: string, b: string): number {
  if (a === b) return 0;
  if (a === OUTSIDE) return 1;
  if (b === OUTSIDE) return -1;
  return a < b ? -1 : 1;
}

const labelWidth = (s: string) => Math.min(MAX_LABEL, Math.max(MIN_LABEL, Array.from(s).length));

/** Which slots of each band and layer are taken. */
class Occupancy {
  #taken = new Map<string, Set<number>>();
  #key = (group: string, layer: number) => `${group}\u0000${layer}`;
  take(p: Place): void {
    const k = this.#key(p.group, p.layer);
    let s = this.#taken.get(k);
    if (!s) this.#taken.set(k, (s = new Set()));
    s.add(p.slot);
  }
  free(group: string, layer: number, slot: number): boolean {
    return !this.#taken.get(this.#key(group, layer))?.has(slot);
  }
  /** The free slot nearest `want` (ties: the lower one). */
  nearest(group: string, layer: number, want: number): number {
    const w = Math.max(0, Math.round(want));
    for (let d = 0; ; d++) {
      if (w - d >= 0 && this.free(group, layer, w - d)) return w - d;
      if (this.free(group, layer, w + d)) return w + d;
    }
  }
}

interface Adjacency {
  ids: string[];
  group: Map<string, string>;
  label: Map<string, string>;
  out: Map<string, string[]>;
}

function adjacency(g: MapGraph): Adjacency {
  const ids = g.boxes.map((b) => b.id).sort();
  const group = new Map(g.boxes.map((b) => [b.id, b.group]));
  const label = new Map(g.boxes.map((b) => [b.id, b.label]));
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of g.edges) if (e.from !== e.to && group.has(e.from) && group.has(e.to)) out.get(e.from)!.push(e.to);
  for (const list of out.values()) list.sort();
  return { ids, group, label, out };
}

/** Lays out `g`; with `prev`, incrementally (what still exists stays where it was). */
export function layoutGraph(input: MapGraph, prev?: LogicalLayout): LogicalLayout {
  // Whatever order the graph comes in, the layout sees one.
  const g: MapGraph = { boxes: [...input.boxes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), edges: [...input.edges].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0)) };
  const adj = adjacency(g);
  return prev ? incremental(adj, g, prev) : fresh(adj, g);
}

function fresh(adj: Adjacency, g: MapGraph): LogicalLayout {
  // Cycles are broken with the greedy heuristic of Eades, Lin and Smyth: peel sinks to
  // the end and sources to the front, else the box with the most outgoing over incoming
  // edges; edges against the resulting order are laid out reversed (few, on real meshes).
  const topo = greedyOrder(adj);
  const rank = new Map(topo.map((id, i) => [id, i]));
  const reversed = new Set<string>();
  for (const [from, outs] of adj.out) for (const to of outs) if (rank.get(to)! < rank.get(from)!) reversed.add(edgeKey(from, to));
  const preds = new Map<string, string[]>(adj.ids.map((id) => [id, []]));
  for (const [from, outs] of adj.out) {
    for (const to of outs) {
      if (reversed.has(edgeKey(from, to))) preds.get(from)!.push(to);
      else preds.get(to)!.push(from);
    }
  }
  const layer = new Map<string, number>();
  for (const v of topo) {
    let l = 0;
    for (const u of preds.get(v)!) l = Math.max(l, layer.get(u)! + 1);
    layer.set(v, l);
  }
  const maxLayer = Math.max(0, ...layer.values());

  // Items per band and layer: boxes (by id) and dummies (`edge#layer`), in topological order.
  const groups = [...new Set(adj.ids.map((id) => adj.group.get(id)!))].sort(groupOrder);
  const gIndex = new Map(groups.map((x, i) => [x, i]));
  const lists = new Map<string, string[]>();
  const listOf = (group: string, l: number) => {
    const k = `${group}\u0000${l}`;
    let a = lists.get(k);
    if (!a) lists.set(k, (a = []));
    return a;
  };
  const itemGroup = new Map<string, string>();
  const itemLayer = new Map<string, number>();
  for (const v of topo) {
    listOf(adj.group.get(v)!, layer.get(v)!).push(v);
    itemGroup.set(v, adj.group.get(v)!);
    itemLayer.set(v, layer.get(v)!);
  }
  const leftN = new Map<string, string[]>();
  const rightN = new Map<string, string[]>();
  const linkedPairs = new Set<string>();
  const link = (a: string, b: string) => {
    const k = `${a}\u0001${b}`;
    if (linkedPairs.has(k)) return;
    linkedPairs.add(k);
    (leftN.get(b) ?? leftN.set(b, []).get(b)!).push(a);
    (rightN.get(a) ?? rightN.set(a, []).get(a)!).push(b);
  };
  const chainItems = new Map<string, string[]>();
  for (const e of g.edges) {
    if (e.from === e.to || !layer.has(e.from) || !layer.has(e.to)) continue;
    const key = edgeKey(e.from, e.to);
    const rev = reversed.has(key);
    const left = rev ? e.to : e.from;
    const right = rev ? e.from : e.to;
    const items = [left];
    // Long edges from one box share their dummies: one line leaves the box and branches
    // where its edges part, instead of a bundle of parallel lines.
    for (let l = layer.get(left)! + 1; l < layer.get(right)!; l++) {
      const d = `${left}\u0000#${l}`;
      const grp = adj.group.get(left)!;
      if (!itemLayer.has(d)) {
        listOf(grp, l).push(d);
        itemGroup.set(d, grp);
        itemLayer.set(d, l);
      }
      items.push(d);
    }
    items.push(right);
    for (let i = 1; i < items.length; i++) link(items[i - 1], items[i]);
    chainItems.set(key, items);
  }

  // Barycenter sweeps, down then up, twice; items without neighbours on the swept side
  // keep their place. Positions rank bands first, so order follows the bands.
  const pos = new Map<string, number>();
  const setPos = () => {
    for (const [k, list] of lists) {
      const gi = gIndex.get(k.slice(0, k.indexOf('\u0000')))!;
      list.forEach((it, i) => pos.set(it, gi * 1e6 + i));
    }
  };
  setPos();
  // Only neighbours in the same band pull (bands are stacked; another band's rows say
  // nothing about the order within this one): computed once for all sweeps.
  const sameBand = (m: Map<string, string[]>) => {
    const out = new Map<string, string[]>();
    for (const [it, ns] of m) out.set(it, ns.filter((n) => itemGroup.get(n) === itemGroup.get(it)));
    return out;
  };
  const sameLeft = sameBand(leftN);
  const sameRight = sameBand(rightN);
  for (let iter = 0; iter < 4; iter++) {
    const down = iter % 2 === 0;
    const side = down ? sameLeft : sameRight;
    for (let step = 0; step <= maxLayer; step++) {
      const l = down ? step : maxLayer - step;
      for (const grp of groups) {
        const list = lists.get(`${grp}\u0000${l}`);
        if (!list || list.length < 2) continue;
        const keyed = list.map((it) => {
          const ns = side.get(it);
          const p = pos.get(it)!;
          if (!ns || ns.length === 0) return { it, bc: p, p };
          let sum = 0;
          for (const n of ns) sum += pos.get(n)!;
          return { it, bc: sum / ns.length, p };
        });
        keyed.sort((a, b) => a.bc - b.bc || a.p - b.p);
        const gi = gIndex.get(grp)!;
        keyed.forEach((k, i) => {
          list[i] = k.it;
          pos.set(k.it, gi * 1e6 + i);
        });
      }
    }
  }

  // One Place object per item, so chains sharing a dummy share its Place.
  const places = new Map<string, Place>();
  const slotOf = (it: string): Place => {
    let p = places.get(it);
    if (!p) places.set(it, (p = { layer: itemLayer.get(it)!, group: itemGroup.get(it)!, slot: pos.get(it)! % 1e6 }));
    return p;
  };
  const nodes = new Map<string, Place>();
  for (const id of adj.ids) nodes.set(id, slotOf(id));
  const chains = new Map<string, Chain>();
  for (const e of g.edges) {
    const key = edgeKey(e.from, e.to);
    const items = chainItems.get(key);
    if (!items) continue;
    const rev = reversed.has(key);
    chains.set(key, { from: e.from, to: e.to, kind: rev ? 'reversed' : 'forward', left: items[0], right: items[items.length - 1], dummies: items.slice(1, -1).map(slotOf) });
  }
  const widths: number[] = new Array(maxLayer + 1).fill(MIN_LABEL);
  for (const id of adj.ids) {
    const l = layer.get(id)!;
    widths[l] = Math.max(widths[l], labelWidth(adj.label.get(id)!));
  }
  return finish(groups, nodes, chains, widths);
}

/** `minDepth`: the previous layout's band depths, kept so bands below do not move up and down. */
/** A linear order of the boxes with few edges pointing backwards; deterministic. */
function greedyOrder(adj: Adjacency): string[] {
  const ins = new Map<string, string[]>(adj.ids.map((id) => [id, []]));
  for (const [from, outs] of adj.out) for (const to of outs) ins.get(to)!.push(from);
  const indeg = new Map(adj.ids.map((id) => [id, ins.get(id)!.length]));
  const outdeg = new Map(adj.ids.map((id) => [id, adj.out.get(id)!.length]));
  const left = new Set(adj.ids);
  const front: string[] = [];
  const back: string[] = [];
  const sinks: string[] = adj.ids.filter((id) => outdeg.get(id) === 0);
  const sources: string[] = adj.ids.filter((id) => indeg.get(id) === 0 && outdeg.get(id)! > 0);
  const remove = (id: string) => {
    left.delete(id);
    for (const p of ins.get(id)!) {
      if (!left.has(p)) continue;
      const o = outdeg.get(p)! - 1;
      outdeg.set(p, o);
      if (o === 0) sinks.push(p);
    }
    for (const q of adj.out.get(id)!) {
      if (!left.has(q)) continue;
      const i = indeg.get(q)! - 1;
      indeg.set(q, i);
      if (i === 0) sources.push(q);
    }
  };
  while (left.size > 0) {
    let progress = true;
    while (progress) {
      progress = false;
      while (sinks.length > 0) {
        const id = sinks.shift()!;
        if (!left.has(id)) continue;
        back.push(id);
        remove(id);
        progress = true;
      }
      while (sources.length > 0) {
        const id = sources.shift()!;
        if (!left.has(id)) continue;
        front.push(id);
        remove(id);
        progress = true;
      }
    }
    if (left.size === 0) break;
    let best: string | undefined;
    let bestD = -Infinity;
    for (const id of left) {
      const dlt = outdeg.get(id)! - indeg.get(id)!;
      if (dlt > bestD || (dlt === bestD && id < best!)) {
        best = id;
        bestD = dlt;
      }
    }
    front.push(best!);
    remove(best!);
  }
  return [...front, ...back.reverse()];
}

function finish(groups: string[], nodes: Map<string, Place>, chains: Map<string, Chain>, widths: number[], minDepth?: Map<string, number>): LogicalLayout {
  const depth = new Map<string, number>(groups.map((x) => [x, minDepth?.get(x) ?? 0]));
  const see = (p: Place) => depth.set(p.group, Math.max(depth.get(p.group) ?? 0, p.slot + 1));
  for (const p of nodes.values()) see(p);
  for (const c of chains.values()) for (const d of c.dummies) see(d);
  return { groups, nodes, chains, widths, depth };
}

function incremental(adj: Adjacency, g: MapGraph, prev: LogicalLayout): LogicalLayout {
  const occ = new Occupancy();
  const nodes = new Map<string, Place>();
  // Boxes that still exist, in the band they were in (a box that changed namespace is new).
  // A box that had no edges (an idle one) is placed again once it has some: its slot was
  // chosen knowing nothing of its callers and callees.
  const linked = new Set<string>();
  for (const c of prev.chains.values()) {
    linked.add(c.from);
    linked.add(c.to);
  }
  const called = new Set(g.edges.filter((e) => e.from !== e.to).map((e) => e.to));
  for (const id of adj.ids) {
    const p = prev.nodes.get(id);
    const wasIsolated = !linked.has(id);
    const nowLinked = (adj.out.get(id)?.length ?? 0) > 0 || called.has(id);
    if (p && p.group === adj.group.get(id) && !(wasIsolated && nowLinked)) {
      nodes.set(id, p);
      occ.take(p);
    }
  }
  const chains = new Map<string, Chain>();
  const live = g.edges.filter((e) => e.from !== e.to && adj.group.has(e.from) && adj.group.has(e.to));
  // Edge paths whose ends both stayed keep their dummies.
  for (const e of live) {
    const key = edgeKey(e.from, e.to);
    const c = prev.chains.get(key);
    if (c && nodes.get(c.left) === prev.nodes.get(c.left) && nodes.get(c.right) === prev.nodes.get(c.right) && nodes.has(c.left) && nodes.has(c.right)) {
      chains.set(key, c);
      for (const d of c.dummies) occ.take(d);
    }
  }
  // New boxes: next to the neighbours already placed (callers' layer + 1, else callees' - 1),
  // in the free slot nearest the neighbours' median; rounds until every box is placed.
  const preds = new Map<string, string[]>(adj.ids.map((id) => [id, []]));
  for (const [from, outs] of adj.out) for (const to of outs) preds.get(to)!.push(from);
  // One at a time, in id order, the first with a placed neighbour first.
  const pending = adj.ids.filter((id) => !nodes.has(id));
  while (pending.length > 0) {
    const i = Math.max(0, pending.findIndex((id) => hasPlacedNeighbour(id, preds, adj, nodes)));
    const id = pending.splice(i, 1)[0];
    const ins = preds.get(id)!.filter((p) => nodes.has(p));
    const outs = adj.out.get(id)!.filter((s) => nodes.has(s));
    const layer = ins.length > 0 ? Math.max(...ins.map((p) => nodes.get(p)!.layer)) + 1 : outs.length > 0 ? Math.max(0, Math.min(...outs.map((s) => nodes.get(s)!.layer)) - 1) : 0;
    const group = adj.group.get(id)!;
    const near = [...ins, ...outs].map((n) => nodes.get(n)!).filter((p) => p.group === group).map((p) => p.slot).sort((x, y) => x - y);
    const want = near.length > 0 ? near[Math.floor((near.length - 1) / 2)] : 0;
    const p: Place = { layer, group, slot: occ.nearest(group, layer, want) };
    nodes.set(id, p);
    occ.take(p);
  }
  // New edge paths: direction from the layers the ends are in now; their long stretches
  // join the line their left box already has through a layer (kept paths' dummies first).
  const bus = new Map<string, Place>();
  for (const c of chains.values()) c.dummies.forEach((d) => bus.set(`${c.left}\u0000${d.layer}`, d));
  for (const e of live) {
    const key = edgeKey(e.from, e.to);
    if (chains.has(key)) continue;
    const a = nodes.get(e.from)!;
    const b = nodes.get(e.to)!;
    const kind: Chain['kind'] = a.layer < b.layer ? 'forward' : a.layer > b.layer ? 'reversed' : 'flat';
    const left = kind === 'reversed' ? e.to : e.from;
    const right = kind === 'reversed' ? e.from : e.to;
    const lp = nodes.get(left)!;
    const rp = nodes.get(right)!;
    const dummies: Place[] = [];
    for (let l = lp.layer + 1; l < rp.layer; l++) {
      const shared = bus.get(`${left}\u0000${l}`);
      if (shared) {
        dummies.push(shared);
        continue;
      }
      const t = (l - lp.layer) / (rp.layer - lp.layer);
      const want = lp.group === rp.group ? lp.slot + (rp.slot - lp.slot) * t : lp.slot;
      const d: Place = { layer: l, group: lp.group, slot: occ.nearest(lp.group, l, want) };
      occ.take(d);
      bus.set(`${left}\u0000${l}`, d);
      dummies.push(d);
    }
    chains.set(key, { from: e.from, to: e.to, kind, left, right, dummies });
  }
  const groups = [...new Set(adj.ids.map((id) => adj.group.get(id)!))].sort(groupOrder);
  const maxLayer = Math.max(0, ...[...nodes.values()].map((p) => p.layer));
  const widths: number[] = [];
  for (let l = 0; l <= maxLayer; l++) widths.push(prev.widths[l] ?? MIN_LABEL);
  for (const id of adj.ids) {
    const p = nodes.get(id)!;
    if (prev.widths[p.layer] === undefined) widths[p.layer] = Math.max(widths[p.layer], labelWidth(adj.label.get(id)!));
  }
  return finish(groups, nodes, chains, widths, prev.depth);
}

function hasPlacedNeighbour(id: string, preds: Map<string, string[]>, adj: Adjacency, nodes: Map<string, Place>): boolean {
  return preds.get(id)!.some((p) => nodes.has(p)) || adj.out.get(id)!.some((s) => nodes.has(s));
}

/**
 * How much of the graph is new or gone since `prev` (boxes and edges, 0..1): the map
 * lays out afresh above a threshold rather than patching a layout that no longer fits.
 */
export function churn(g: MapGraph, prev: LogicalLayout): number {
  const ids = new Set(g.boxes.map((b) => b.id));
  let changed = 0;
  for (const id of ids) if (!prev.nodes.has(id)) changed++;
  for (const id of prev.nodes.keys()) if (!ids.has(id)) changed++;
  const keys = new Set(g.edges.map((e) => edgeKey(e.from, e.to)));
  for (const k of keys) if (!prev.chains.has(k)) changed++;
  for (const k of prev.chains.keys()) if (!keys.has(k)) changed++;
  return changed / Math.max(1, ids.size + prev.nodes.size + keys.size + prev.chains.size);
}
