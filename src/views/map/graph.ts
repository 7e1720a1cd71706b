// The graph the map draws, taken from the topology's display nodes (so the level,
// only-problems, hide-infrastructure and the filter apply to the map exactly as to the
// list). Edge figures are read through edgeInfo() alone, so new per-edge facts (a
// policy's "denied by") reach the map in one place.
import type { Edge } from '../../streams/topology.ts';
import type { MapNode } from '../topology-view.ts';

export interface MapBox {
  id: string;
  /** Namespace (or "(outside the cluster)", "namespaces" at the namespace level). */
  group: string;
  /** Name inside its group. */
  label: string;
  idle: boolean;
  /** Carries drops or errors. */
  marked: boolean;
}

export interface MapEdgeInfo {
  /** Flows per second over the rate window. */
  rate: number;
  /** Drops and (other) errors seen recently: the edge is marked. */
  drops: number;
  errors: number;
  /** The policy that denies this edge's traffic, when the pipeline knows it. */
  deniedBy?: string;
}

export interface MapEdge extends MapEdgeInfo {
  from: string;
  to: string;
}

export interface MapGraph {
  /** Sorted by id. */
  boxes: MapBox[];
  /** Sorted by (from, to); no self-loops. */
  edges: MapEdge[];
}

/** What the map shows of one topology edge. */
export function edgeInfo(e: Edge & { deniedBy?: string }): MapEdgeInfo {
  const info: MapEdgeInfo = { rate: e.rate, drops: e.recentDrops, errors: Math.max(0, e.recentErrors - e.recentDrops) };
  if (typeof e.deniedBy === 'string' && e.deniedBy !== '') info.deniedBy = e.deniedBy;
  return info;
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function mapGraph(nodes: MapNode[]): MapGraph {
  const boxes: MapBox[] = nodes.map((n) => ({ id: n.id, group: n.group, label: n.name, idle: n.idle, marked: n.marked }));
  boxes.sort((a, b) => byId(a.id, b.id));
  const edges: MapEdge[] = [];
  for (const n of nodes) for (const e of n.out) if (e.from !== e.to) edges.push({ from: e.from, to: e.to, ...edgeInfo(e) });
  edges.sort((a, b) => byId(a.from, b.from) || byId(a.to, b.to));
  return { boxes, edges };
}

/** Identity of the graph's shape (not its figures): the layout is redone only when this changes. */
export function shapeKey(g: MapGraph): string {
  let k = '';
  for (const b of g.boxes) k += `${b.id}\u0000${b.group}\u0001`;
  k += '\u0002';
  for (const e of g.edges) k += `${e.from}\u0000${e.to}\u0001`;
  return k;
}

export const edgeKey = (from: string, to: string): string => `${from}\u0000${to}`;
