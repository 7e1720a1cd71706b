// The service map as text: nodes grouped by namespace, each followed by its outgoing
// edges with their request rate and a mark when they carry drops or errors. Scrolls to
// keep the selected node visible, so it stays readable at 80x24. Edge data comes from
// TopologyAggregator snapshots, idle nodes from the cluster model (ModelNode values);
// this file only decides what is shown.
import type { Edge } from '../streams/topology.ts';
import type { ModelNode } from '../streams/topology-model.ts';
import type { EdgePolicy } from '../streams/topology-policy.ts';
import type { Level } from '../streams/flow-keys.ts';
import { LEVELS } from '../streams/flow-keys.ts';
import { esc, fit, fitRight, formatRate } from './text.ts';
import type { Theme } from './theme.ts';

export interface TopologyState {
  level: Level;
  dropsOnly: boolean;
  hideInfra: boolean;
  /** Selected node id (`ns`, `ns/workload`, `ns/pod` or external name). */
  selected: string | null;
  scrollTop: number;
}

export function initialTopologyState(): TopologyState {
  return { level: 'workload', dropsOnly: false, hideInfra: false, selected: null, scrollTop: 0 };
}

export function nextLevel(l: Level): Level {
  return LEVELS[(LEVELS.indexOf(l) + 1) % LEVELS.length];
}

export interface MapNode {
  id: string;
  group: string;
  /** Display name inside its group. */
  name: string;
  out: Edge[];
  /** Edges into this node (its callers). */
  in: Edge[];
  inRate: number;
  outRate: number;
  marked: boolean;
  /** Known from the cluster model, with no visible edge. */
  idle: boolean;
  /** Pod level: the service this pod is listed under. */
  service?: string;
}

const EXTERNAL = '(outside the cluster)';

function groupOf(id: string, level: Level, namespaces: Set<string>): string {
  if (level === 'namespace') return namespaces.has(id) ? 'namespaces' : EXTERNAL;
  const slash = id.indexOf('/');
  return slash > 0 ? id.slice(0, slash) : EXTERNAL;
}

function nameIn(id: string, group: string): string {
  return id.startsWith(group + '/') ? id.slice(group.length + 1) : id;
}

/** Edges after the drops-only and hide-infrastructure toggles. */
export function visibleEdges(edges: Edge[], st: TopologyState): Edge[] {
  return edges.filter((e) => (!st.dropsOnly || e.recentDrops > 0 || e.recentErrors > 0) && (!st.hideInfra || !e.infra));
}

/**
 * Nodes in display order: groups alphabetically (outside the cluster last), busiest first
 * within; at the pod level pods are listed by service first. `model` adds the nodes the
 * cluster model knows (already narrowed to the filter), idle when no visible edge reaches them.
 */
export function mapNodes(edges: Edge[], st: TopologyState, namespaces: Set<string> = new Set(), model: ModelNode[] = []): MapNode[] {
  const nodes = new Map<string, MapNode>();
  const ns = new Set(namespaces);
  if (st.level !== 'namespace') for (const e of edges) for (const id of [e.from, e.to]) if (id.includes('/')) ns.add(id.slice(0, id.indexOf('/')));
  // Idle nodes are noise when only failing edges are asked for.
  const known = st.dropsOnly ? [] : model.filter((m) => !st.hideInfra || !m.infra);
  if (st.level === 'namespace') for (const m of known) ns.add(m.id);
  const services = new Map<string, string>();
  if (st.level === 'pod') for (const m of model) if (m.service !== undefined) services.set(m.id, m.service);
  const get = (id: string): MapNode => {
    let n = nodes.get(id);
    if (!n) {
      const group = groupOf(id, st.level, ns);
      n = { id, group, name: nameIn(id, group), out: [], in: [], inRate: 0, outRate: 0, marked: false, idle: false };
      const svc = services.get(id);
      if (svc !== undefined) n.service = svc;
      nodes.set(id, n);
    }
    return n;
  };
  for (const e of visibleEdges(edges, st)) {
    const from = get(e.from);
    const to = get(e.to);
    from.out.push(e);
    to.in.push(e);
    from.outRate += e.rate;
    to.inRate += e.rate;
    if (e.recentDrops > 0 || e.recentErrors > 0) from.marked = to.marked = true;
  }
  for (const m of known) if (!nodes.has(m.id)) get(m.id).idle = true;
  const list = [...nodes.values()];
  for (const n of list) {
    n.out.sort((a, b) => b.rate - a.rate || (a.to < b.to ? -1 : 1));
    n.in.sort((a, b) => b.rate - a.rate || (a.from < b.from ? -1 : 1));
  }
  list.sort((a, b) => {
    if (a.group !== b.group) {
      if (a.group === EXTERNAL) return 1;
      if (b.group === EXTERNAL) return -1;
      return a.group < b.group ? -1 : 1;
    }
    if (a.service !== b.service) {
      // Pods behind a service come first, by service name, then pods behind none.
      if (a.service === undefined) return 1;
      if (b.service === undefined) return -1;
      return a.service < b.service ? -1 : 1;
    }
    if (a.idle !== b.idle) return a.idle ? 1 : -1;
    return b.inRate + b.outRate - (a.inRate + a.outRate) || (a.name < b.name ? -1 : 1);
  });
  return list;
}

export function moveNode(nodes: MapNode[], st: TopologyState, by: number | 'top' | 'bottom'): TopologyState {
  if (nodes.length === 0) return st;
  const cur = Math.max(0, nodes.findIndex((n) => n.id === st.selected));
  const idx = by === 'top' ? 0 : by === 'bottom' ? nodes.length - 1 : Math.min(nodes.length - 1, Math.max(0, cur + by));
  return { ...st, selected: nodes[idx].id };
}

/** Finds a node whose id or name contains `query` (case-insensitive); exact names win. */
export function findNode(nodes: MapNode[], query: string): MapNode | undefined {
  const q = query.toLowerCase();
  return nodes.find((n) => n.name.toLowerCase() === q || n.id.toLowerCase() === q) ?? nodes.find((n) => n.id.toLowerCase().includes(q));
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** `observe` filter flags selecting the flows of a map node, or [] when no flag can say it. */
export function nodeFilterArgs(id: string, level: Level, external: boolean): string[] {
  if (external) {
    if (IPV4.test(id) || id.includes(':')) return ['--ip', id];
    if (id.includes('.')) return ['--fqdn', id];
    return ['--label', `reserved:${id}`];
  }
  if (level === 'namespace') return ['--namespace', id];
  if (level === 'pod') return ['--pod', id];
  // --workload takes [kind/]name; the namespace is its own flag.
  const slash = id.indexOf('/');
  return ['--namespace', id.slice(0, slash), '--workload', id.slice(slash + 1)];
}

export function isExternal(node: MapNode): boolean {
  return node.group === EXTERNAL;
}

export interface TopologyView {
  lines: string[];
  scrollTop: number;
  title: string;
  nodes: MapNode[];
}

function edgeMark(e: Edge, theme: Theme, policy?: EdgePolicy): { plain: string; tagged: string } {
  const bits: string[] = [];
  const denied = policy?.deniedBy ?? [];
  // A denied edge names its deciding policy (the latest one, +N for more), short enough for the list.
  const by = denied.length > 0 ? `denied by ${denied[denied.length - 1]!.replace(/^[^/]*\//, '')}${denied.length > 1 ? ` +${denied.length - 1}` : ''}` : '';
  if (e.recentDrops > 0) bits.push(by ? `${e.recentDrops} ${by}` : `${e.recentDrops} drop${e.recentDrops === 1 ? '' : 's'}`);
  else if (by) bits.push(by);
  const errs = e.recentErrors - e.recentDrops;
  if (errs > 0) bits.push(`${errs} err`);
  if (bits.length === 0) return { plain: '', tagged: '' };
  const plain = ` ${theme.glyph.drop} ${bits.join(' ')}`;
  return { plain, tagged: theme.bad(esc(plain)) };
}

export function topologyView(
  edges: Edge[],
  st: TopologyState,
  size: { width: number; height: number },
  theme: Theme,
  namespaces?: Set<string>,
  model?: ModelNode[],
  /** Per-edge policy data (src/streams/topology-policy.ts): marks denied edges with the deciding policy. */
  policy?: (from: string, to: string) => EdgePolicy | undefined,
): TopologyView {
  const nodes = mapNodes(edges, st, namespaces, model);
  const w = size.width;
  // Rows are formatted only when on screen: a big cluster's pod level has thousands.
  const rows: { text: () => string; node?: string }[] = [];
  let group = '';
  let service: string | undefined;
  for (const n of nodes) {
    if (n.group !== group) {
      const g = (group = n.group);
      service = undefined;
      rows.push({ text: () => theme.header(esc(fit(g, w))) });
    }
    if (n.service !== service) {
      const svc = (service = n.service);
      rows.push({ text: () => theme.dim(esc(fit(svc === undefined ? ' (no service)' : ` svc ${svc}`, w))) });
    }
    const selected = n.id === st.selected;
    if (n.idle) {
      rows.push({
        text: () => {
          const note = 'no traffic';
          const nameW = Math.max(6, w - 4 - note.length - 1);
          const line = `${theme.glyph.node} ${esc(fit(n.name, nameW))}   ${esc(note)}`;
          return selected ? theme.selected(line) : theme.dim(line);
        },
        node: n.id,
      });
      continue;
    }
    rows.push({
      text: () => {
        const rates = `in ${formatRate(n.inRate)}/s out ${formatRate(n.outRate)}/s`;
        const mark = n.marked ? ` ${theme.glyph.drop}` : '  ';
        const nameW = Math.max(6, w - 4 - rates.length - 1);
        const line = `${theme.glyph.node} ${esc(fit(n.name, nameW))}${n.marked ? theme.bad(mark) : mark} ${theme.dim(esc(rates))}`;
        return selected ? theme.selected(line) : line;
      },
      node: n.id,
    });
    const edgeRow = (arrow: string, other: string, e: Edge) => {
      rows.push({
        text: () => {
          const name = nameIn(other, n.group);
          const m = edgeMark(e, theme, policy?.(e.from, e.to));
          const rate = `${formatRate(e.rate)}/s`;
          const nameW = Math.max(4, w - 6 - 9 - m.plain.length);
          return `    ${arrow} ${esc(fit(name, nameW))}${fitRight(rate, 9)}${m.tagged}`;
        },
      });
    };
    for (const e of n.out) edgeRow(theme.glyph.arrow, e.to, e);
    // The selected node also lists its callers, so "who calls X" is answered in place.
    if (selected) for (const e of n.in) edgeRow(theme.glyph.back, e.from, e);
  }
  const bodyHeight = Math.max(1, size.height);
  let top = Math.min(st.scrollTop, Math.max(0, rows.length - bodyHeight));
  const selRow = rows.findIndex((r) => r.node !== undefined && r.node === st.selected);
  if (selRow >= 0) {
    if (selRow < top) top = Math.max(0, selRow - 1); // keep the group header in sight
    if (selRow >= top + bodyHeight) top = selRow - bodyHeight + 1;
  }
  const lines = rows.slice(top, top + bodyHeight).map((r) => r.text());
  if (nodes.length === 0) lines.push(theme.dim(st.dropsOnly ? 'no edges with drops or errors' : 'no traffic yet'));
  const flags = [st.dropsOnly ? 'drops only' : '', st.hideInfra ? 'infra hidden' : ''].filter(Boolean).join(', ');
  const more = rows.length > bodyHeight ? ` ${top + 1}-${Math.min(rows.length, top + bodyHeight)}/${rows.length}` : '';
  return { lines, scrollTop: top, title: `Topology [${st.level}]${flags ? ' ' + flags : ''}${more}`, nodes };
}
