// Every key of the TUI in one table: the app dispatches from it and `?` help prints it,
// so the help cannot drift from what the keys do.

export const PANES = ['topology', 'flows', 'latency', 'detail'] as const;
export type Pane = (typeof PANES)[number];

export type Action =
  | 'help' | 'filter' | 'palette' | 'next-pane' | 'prev-pane' | 'focus-1' | 'focus-2' | 'focus-3' | 'focus-4'
  | 'command-line' | 'zoom' | 'quit' | 'escape'
  | 'down' | 'up' | 'page-down' | 'page-up' | 'top' | 'bottom' | 'enter'
  | 'pause' | 'order'
  | 'level' | 'drops-only' | 'hide-infra' | 'left' | 'right' | 'zoom-in' | 'zoom-out' | 'toggle-map'
  | 'sort-name' | 'sort-rate' | 'sort-errors' | 'sort-latency' | 'percentile'
  | 'why' | 'what-if';

export interface Binding {
  /** blessed key names (`key.full`). */
  keys: string[];
  /** How the key is written in help. */
  label: string;
  help: string;
  action: Action;
}

export const GLOBAL_KEYS: Binding[] = [
  { keys: ['?'], label: '?', help: 'help for the focused pane', action: 'help' },
  { keys: ['/'], label: '/', help: 'filter (same flags as netscope observe)', action: 'filter' },
  { keys: [':'], label: ':', help: 'command palette (:ns shop, :svc cart, :pod front, :flows ...)', action: 'palette' },
  { keys: ['tab'], label: 'Tab', help: 'next pane', action: 'next-pane' },
  { keys: ['S-tab'], label: 'Shift-Tab', help: 'previous pane', action: 'prev-pane' },
  { keys: ['1'], label: '1', help: 'focus topology', action: 'focus-1' },
  { keys: ['2'], label: '2', help: 'focus flows', action: 'focus-2' },
  { keys: ['3'], label: '3', help: 'focus latency', action: 'focus-3' },
  { keys: ['4'], label: '4', help: 'focus detail', action: 'focus-4' },
  { keys: ['c'], label: 'c', help: 'show the equivalent netscope observe / hubble observe command', action: 'command-line' },
  { keys: ['S-w', 'W'], label: 'W', help: 'what-if: replay the buffer against a draft policy file (:whatif FILE, :whatif --delete FILE)', action: 'what-if' },
  { keys: ['z'], label: 'z', help: 'zoom the focused pane (again to restore)', action: 'zoom' },
  { keys: ['space'], label: 'Space', help: 'pause / resume the flows pane (nothing is lost)', action: 'pause' },
  { keys: ['escape'], label: 'Esc', help: 'close dialog / clear the focused service', action: 'escape' },
  { keys: ['q', 'C-c'], label: 'q, Ctrl-C', help: 'quit', action: 'quit' },
];

const MOVE: Binding[] = [
  { keys: ['down', 'j'], label: 'j, Down', help: 'move down', action: 'down' },
  { keys: ['up', 'k'], label: 'k, Up', help: 'move up', action: 'up' },
  { keys: ['pagedown', 'C-d'], label: 'PgDn, Ctrl-D', help: 'page down', action: 'page-down' },
  { keys: ['pageup', 'C-u'], label: 'PgUp, Ctrl-U', help: 'page up', action: 'page-up' },
  { keys: ['g', 'home'], label: 'g, Home', help: 'jump to the first row', action: 'top' },
  { keys: ['S-g', 'G', 'end'], label: 'G, End', help: 'jump to the last row', action: 'bottom' },
];

export const PANE_KEYS: Record<Pane, Binding[]> = {
  topology: [
    ...MOVE,
    { keys: ['enter'], label: 'Enter', help: 'focus flows and latency on the selected node', action: 'enter' },
    { keys: ['l', 'S-l', 'L'], label: 'l, L', help: 'level: namespace / workload / pod', action: 'level' },
    { keys: ['d'], label: 'd', help: 'only edges with drops or errors', action: 'drops-only' },
    { keys: ['i'], label: 'i', help: 'hide infrastructure (DNS, API server, health checks, metrics)', action: 'hide-infra' },
    { keys: ['w'], label: 'w', help: 'why: which policies allow or deny the selected node\'s edges', action: 'why' },
    { keys: ['m'], label: 'm', help: 'show the map instead of this list', action: 'toggle-map' },
  ],
  flows: [
    ...MOVE,
    { keys: ['enter'], label: 'Enter', help: 'all fields of the selected flow', action: 'enter' },
    { keys: ['o'], label: 'o', help: 'newest first / last', action: 'order' },
  ],
  latency: [
    ...MOVE,
    { keys: ['enter'], label: 'Enter', help: 'focus flows and topology on the service', action: 'enter' },
    { keys: ['n'], label: 'n', help: 'sort by name', action: 'sort-name' },
    { keys: ['r'], label: 'r', help: 'sort by requests/s', action: 'sort-rate' },
    { keys: ['e'], label: 'e', help: 'sort by error %', action: 'sort-errors' },
    { keys: ['l'], label: 'l', help: 'sort by latency (services that slowed down first)', action: 'sort-latency' },
    { keys: ['p'], label: 'p', help: 'sparkline percentile: p50 / p95 / p99', action: 'percentile' },
  ],
  detail: [...MOVE.slice(0, 4)],
};

/** The topology pane's keys while it shows the map (h/j/k/l move along the edges, so the level is L). */
export const MAP_KEYS: Binding[] = [
  { keys: ['left', 'h'], label: 'h, Left', help: 'to a caller (the box on the left along an edge)', action: 'left' },
  { keys: ['right', 'l'], label: 'l, Right', help: 'to a callee (the box on the right along an edge)', action: 'right' },
  { keys: ['down', 'j'], label: 'j, Down', help: 'to the box below', action: 'down' },
  { keys: ['up', 'k'], label: 'k, Up', help: 'to the box above', action: 'up' },
  { keys: ['g', 'home'], label: 'g, Home', help: 'to the first box', action: 'top' },
  { keys: ['S-g', 'G', 'end'], label: 'G, End', help: 'to the last box', action: 'bottom' },
  { keys: ['enter'], label: 'Enter', help: 'focus flows and latency on the selected box', action: 'enter' },
  { keys: ['+', '='], label: '+', help: 'more detail: dots, labels, boxes (the map pans to the selection)', action: 'zoom-in' },
  { keys: ['-', '_'], label: '-', help: 'less detail', action: 'zoom-out' },
  { keys: ['S-l', 'L'], label: 'L', help: 'level: namespace / workload / pod', action: 'level' },
  { keys: ['d'], label: 'd', help: 'only edges with drops or errors', action: 'drops-only' },
  { keys: ['i'], label: 'i', help: 'hide infrastructure (DNS, API server, health checks, metrics)', action: 'hide-infra' },
  { keys: ['w'], label: 'w', help: 'why: which policies allow or deny the selected box\'s edges', action: 'why' },
  { keys: ['m'], label: 'm', help: 'show the list instead of the map', action: 'toggle-map' },
];

/** A pane's keys; the topology's depend on whether it shows the map. */
export function paneBindings(pane: Pane, map = false): Binding[] {
  return pane === 'topology' && map ? MAP_KEYS : PANE_KEYS[pane];
}

/** The action bound to a key in a pane (pane keys win over global ones). */
export function actionFor(pane: Pane, key: string, map = false): Action | undefined {
  for (const b of paneBindings(pane, map)) if (b.keys.includes(key)) return b.action;
  for (const b of GLOBAL_KEYS) if (b.keys.includes(key)) return b.action;
  return undefined;
}

export const PANE_TITLES: Record<Pane, string> = { topology: 'Topology', flows: 'Flows', latency: 'Latency', detail: 'Detail' };

/** The key names help prints: blessed's `C-x`/`S-x` as Ctrl-X/Shift-X. */
function keyLabel(keys: string[]): string {
  return keys.map((k) => k.replace(/^C-(.)$/, (_m, c: string) => `Ctrl-${c.toUpperCase()}`).replace(/^S-/, 'Shift-').replace(/^space$/, 'Space').replace(/^escape$/, 'Esc').replace(/^tab$/, 'Tab').replace(/^enter$/, 'Enter')).join(', ');
}

/**
 * Rebinds actions to the keys the config file gives (each entry replaces that action's
 * keys wherever it is bound; a key taken from another action of the same table leaves
 * it). Run once at start, before the first key: the tables above are what the app
 * dispatches from and what help prints, so both follow. Returns one line per problem.
 */
export function applyKeyRemaps(remaps: readonly { action: string; keys: string[]; at: string }[]): string[] {
  const tables = [GLOBAL_KEYS, ...PANES.map((p) => PANE_KEYS[p]), MAP_KEYS];
  const known = new Set(tables.flat().map((b) => b.action));
  const problems: string[] = [];
  for (const r of remaps) {
    if (!known.has(r.action as Action)) {
      problems.push(`${r.at}: keys: unknown action "${r.action}" (known: ${[...known].sort().join(', ')})`);
      continue;
    }
    for (const table of tables) {
      if (!table.some((b) => b.action === r.action)) continue;
      for (const b of table) {
        if (b.action === r.action) {
          b.keys = [...r.keys];
          b.label = keyLabel(r.keys);
        } else if (b.keys.some((k) => r.keys.includes(k))) {
          b.keys = b.keys.filter((k) => !r.keys.includes(k));
          b.label = keyLabel(b.keys);
        }
      }
    }
    if (GLOBAL_KEYS.some((b) => b.action === r.action)) {
      for (const p of PANES) {
        const shadow = PANE_KEYS[p].find((b) => b.action !== r.action && b.keys.some((k) => r.keys.includes(k)));
        if (shadow) problems.push(`${r.at}: keys.${r.action}: ${keyLabel(r.keys)} means "${shadow.help}" in the ${PANE_TITLES[p]} pane, which wins there`);
      }
    }
  }
  return problems;
}
