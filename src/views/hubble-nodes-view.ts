// `:nodes` for a Hubble server (`:hubble-nodes` when the cluster's own :nodes is there):
// the nodes GetNodes reports, with state, version, address, flows seen and uptime, and
// why a node is unavailable. Rendering is pure (nodeTableLines); the view adds keys.
import type { NodeRow } from '../streams/hubble-nodes.ts';
import type { HubbleNodes } from '../streams/hubble-nodes.ts';
import type { MainView, ViewContext } from './registry.ts';
import { buildRows, renderTable, sortRows, type Column, type SortState } from '../tables/table.ts';
import { esc, formatCount } from './text.ts';
import type { Theme } from './theme.ts';

function uptime(ns: number | undefined): string {
  if (!ns) return '';
  const s = Math.floor(ns / 1e9);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h` : `${Math.floor(h / 24)}d`;
}

const STATE_TEXT: Record<string, string> = {
  NODE_CONNECTED: 'Connected',
  NODE_UNAVAILABLE: 'Unavailable',
  NODE_GONE: 'Gone',
  NODE_ERROR: 'Error',
};

export const NODE_COLUMNS: Column<NodeRow>[] = [
  { name: 'NAME', value: (n) => n.name },
  { name: 'STATUS', value: (n) => STATE_TEXT[n.state ?? ''] ?? (n.state ?? 'Unknown') },
  { name: 'AGE', value: (n) => uptime(n.uptime_ns), sortValue: (n) => -(n.uptime_ns ?? 0), right: true },
  { name: 'SEEN', value: (n) => (n.seen_flows === undefined ? '' : formatCount(n.seen_flows)), sortValue: (n) => n.seen_flows ?? 0, right: true },
  { name: 'BUFFER', value: (n) => (n.max_flows ? `${n.num_flows ?? 0}/${n.max_flows}` : ''), right: true },
  { name: 'VERSION', value: (n) => n.version ?? '' },
  { name: 'ADDRESS', value: (n) => n.address ?? '' },
  { name: 'TLS', value: (n) => (n.tls?.enabled ? (n.tls.server_name ?? 'yes') : n.tls ? 'no' : '') },
  { name: 'MESSAGE', value: (n) => n.message ?? '' },
];

/** Plain lines (header, rows, footer): pure, for tests and the view. */
export function nodeTableLines(rows: readonly NodeRow[], opts: { width: number; height: number; scroll: number; sort: SortState; heard: boolean }): string[] {
  if (rows.length === 0) {
    return [
      opts.heard
        ? 'the Hubble server reports no nodes'
        : 'no Hubble nodes yet: they come from GetNodes when netscope reads a Hubble server (--server, -P)',
    ];
  }
  const sorted = sortRows(buildRows(rows, NODE_COLUMNS, (n) => n.name), NODE_COLUMNS, opts.sort);
  const t = renderTable(sorted, NODE_COLUMNS, { width: opts.width, height: opts.height - 1, scroll: opts.scroll, sort: opts.sort });
  const down = rows.filter((n) => n.state !== undefined && n.state !== 'NODE_CONNECTED').length;
  return [t.header, ...t.lines, `${rows.length} node${rows.length === 1 ? '' : 's'}, ${down} not connected  (s/S: sort)`];
}

export function createHubbleNodesView(model: HubbleNodes, ctx: ViewContext): MainView {
  let sort: SortState = { column: 0, descending: false };
  let scroll = 0;
  let lastVersion = model.version;
  // The model changes while the view is open: redraw when it does.
  const timer = setInterval(() => {
    if (model.version !== lastVersion) {
      lastVersion = model.version;
      ctx.requestFrame();
    }
  }, 250);
  timer.unref();
  return {
    title: () => 'Hubble nodes',
    keys: [
      { keys: 'j/k ↑/↓', help: 'scroll' },
      { keys: 's / S', help: 'sort by next column / reverse' },
    ],
    lines(size, theme: Theme) {
      const lines = nodeTableLines(model.rows(), { ...size, scroll, sort, heard: model.heard });
      if (lines.length === 1) return [theme.dim(esc(lines[0]!))];
      return lines.map((l, i) => {
        const e = esc(l);
        if (i === 0) return theme.header(e);
        if (i === lines.length - 1) return theme.dim(e);
        return /\b(Unavailable|Gone|Error)\b/.test(l) ? theme.bad(e) : e;
      });
    },
    onKey(key) {
      const n = model.rows().length;
      switch (key.name) {
        case 'j':
        case 'down':
          scroll = Math.min(Math.max(0, n - 1), scroll + 1);
          break;
        case 'k':
        case 'up':
          scroll = Math.max(0, scroll - 1);
          break;
        case 's':
          sort = { column: (sort.column + 1) % NODE_COLUMNS.length, descending: sort.descending };
          break;
        case 'S':
          sort = { ...sort, descending: !sort.descending };
          break;
        default:
          return false;
      }
      ctx.requestFrame();
      return true;
    },
    dispose() {
      clearInterval(timer);
    },
  };
}
