// The topology pane: the service map (or, with `m`, the grouped list) at a level, with
// the cluster model's idle services and the policy that denies an edge; its own keys
// move the selection; Enter asks to focus the selected node.
import type { Flow } from '../../model/flow.ts';
import type { Level } from '../../streams/flow-keys.ts';
import type { FlowStore } from '../../streams/flow-store.ts';
import { modelNodesCache, type VersionedModel } from '../../streams/topology-model.ts';
import type { Action } from '../keymap.ts';
import { createMapPane } from '../map/map-pane.ts';
import { paneKey } from '../pane-keys.ts';
import type { Theme } from '../theme.ts';
import { initialTopologyState, mapNodes, topologyView, type MapNode, type TopologyState } from '../topology-view.ts';
import { OTHER_PANES, type PaneComponent, type PaneDraw, type Size } from './pane.ts';

export interface TopologyPane extends PaneComponent {
  state: TopologyState;
  /** Nodes of the last frame, in display order. */
  readonly nodes: readonly MapNode[];
  /** Whether it shows the map (else the list): the keys and help differ. */
  readonly showsMap: boolean;
  select(id: string, level: Level): void;
  /** Computes the nodes without drawing (the pane is hidden). */
  refresh(): void;
}

export interface TopologyDeps {
  store: FlowStore;
  theme: Theme;
  clusterModel?: () => VersionedModel | undefined;
  /** The active filter's predicate (null: none): it also narrows the model's idle nodes. */
  filter: () => ((f: Flow) => boolean) | null;
}

export function createTopologyPane(deps: TopologyDeps): TopologyPane {
  const { store, theme } = deps;
  let st: TopologyState = initialTopologyState();
  let nodes: MapNode[] = [];
  const map = createMapPane();
  const modelNodes = modelNodesCache();
  const inputs = () => {
    const edges = store.topology.snapshot(st.level, store.nowMs());
    const known = modelNodes(deps.clusterModel?.(), st.level, deps.filter());
    const level = st.level;
    return { edges, known, policyOf: (from: string, to: string) => store.topologyPolicy.get(level, from, to) };
  };
  // The map reads a denied edge's deciding policy from the edge itself (map/graph.ts edgeInfo).
  const mapNodesNow = (): MapNode[] => {
    const { edges, known, policyOf } = inputs();
    return mapNodes(edges, st, store.names.namespaces, known).map((n) => ({
      ...n,
      out: n.out.map((e) => {
        const denied = policyOf(e.from, e.to)?.deniedBy;
        return denied?.length ? { ...e, deniedBy: denied[denied.length - 1]! } : e;
      }),
    }));
  };
  return {
    get state() {
      return st;
    },
    set state(v: TopologyState) {
      st = v;
    },
    get nodes() {
      return nodes;
    },
    get showsMap() {
      return map.mode === 'map';
    },
    select(id, level) {
      st = { ...st, level, selected: id };
    },
    refresh() {
      const { edges, known } = inputs();
      nodes = mapNodes(edges, st, store.names.namespaces, known);
    },
    draw(size: Size): PaneDraw {
      if (map.mode === 'map') {
        nodes = mapNodesNow();
        return map.draw(nodes, st, size, theme);
      }
      const { edges, known, policyOf } = inputs();
      const v = topologyView(edges, st, size, theme, store.names.namespaces, known, policyOf);
      st = { ...st, scrollTop: v.scrollTop };
      nodes = v.nodes;
      return { title: v.title, lines: v.lines };
    },
    key(action: Action, pageSize: number) {
      const onMap = map.key(action, st);
      if (onMap) {
        st = onMap.topo;
        return { handled: true, effect: onMap.effect ?? null };
      }
      const r = paneKey('topology', action, { ...OTHER_PANES, topo: st }, { ring: store.shown, nodes, services: () => [], pageSize });
      const handled = r.st.topo !== st || r.effect !== null;
      st = r.st.topo;
      return { handled, effect: r.effect };
    },
  };
}
