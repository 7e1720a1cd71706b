// A resource view as a TUI main-area view: the pure state machine (state.ts) driven
// by keys, rendered with the theme, effects passed to the provider.
import type { MainView, ViewContext } from '../registry.ts';
import { esc } from '../text.ts';
import type { Theme } from '../theme.ts';
import type { ResourceData, ResourceViewDef } from '../../tables/kinds.ts';
import type { ResourceProvider } from './provider.ts';
import { initialState, onKey, renderView, visibleRows, type ViewState } from './state.ts';
import type { Row } from '../../tables/table.ts';
import { yamlLines } from '../../tables/yaml-text.ts';
import type { ModelObject } from '../../k8s/objects.ts';

export function createResourceView<T>(def: ResourceViewDef<T>, provider: ResourceProvider, ctx: ViewContext): MainView {
  let st: ViewState = initialState();
  let pageSize = 10;
  const namespace = ctx.arg.trim() !== '' ? ctx.arg.trim() : provider.namespace();
  const unsubscribe = provider.subscribe(() => ctx.requestFrame());
  const data = (): ResourceData | undefined => {
    const store = provider.store();
    return store ? { store, contexts: provider.contexts(), nowMs: Date.now() } : undefined;
  };
  const namespaced = def.name !== 'nodes' && def.name !== 'ctx' && def.name !== 'ns';
  const title = (): string => (namespaced ? `${def.title} (${namespace ?? 'all namespaces'})` : def.title);

  // Rows are rebuilt only when the model, the filter, the sort or the second (AGE) changes:
  // 5,000 pods re-sorted on every frame would cost more than drawing them.
  let memo: { key: string; rows: Row<T>[] } | undefined;
  let memoStore: unknown;
  const rowsFor = (d: ResourceData): Row<T>[] => {
    const key = `${d.store.version}|${d.contexts.length}|${st.filter}|${st.sort.column}|${st.sort.descending}|${Math.floor(d.nowMs / 1000)}`;
    if (memo?.key !== key || provider.store() !== memoStore) {
      memoStore = provider.store();
      memo = { key, rows: visibleRows(def, d, namespaced ? namespace : undefined, st) };
    }
    return memo.rows;
  };

  // Only the latest `y` may fill the page: an earlier, slower fetch must not replace it.
  let yamlRequest = 0;
  const loadYaml = (item: T): void => {
    const obj = item as unknown as ModelObject;
    const kind = def.kindOf?.(item);
    if (!kind) return;
    const request = ++yamlRequest;
    const current = () => st.mode === 'yaml' && request === yamlRequest;
    provider.fetch(kind, obj.namespace, obj.name).then(
      (raw) => {
        if (current()) st = { ...st, page: raw === undefined ? ['(object not found: deleted?)'] : yamlLines(raw) };
        ctx.requestFrame();
      },
      (err: unknown) => {
        if (current()) st = { ...st, page: [`cannot fetch the object: ${err instanceof Error ? err.message : String(err)}`] };
        ctx.requestFrame();
      },
    );
  };

  return {
    title,
    keys: [
      { keys: 'j/k ↑/↓ PgUp/PgDn g/G', help: 'move' },
      { keys: 'Enter', help: def.name === 'ctx' ? 'switch to this context' : 'details (Enter again: back)' },
      { keys: 'y', help: 'YAML of the object' },
      { keys: '/', help: 'filter rows (Enter ends, x clears; !word excludes)' },
      { keys: 's / S', help: 'sort by next column / reverse' },
      ...(def.flowFilter ? [{ keys: 'f', help: 'show its flows (pre-filled filter)' }] : []),
      ...(def.latencyRow ? [{ keys: 'l', help: 'show its latency row' }] : []),
    ],
    lines(size, theme: Theme) {
      pageSize = Math.max(1, size.height - 2);
      const d = data();
      if (!d) return [theme.dim('no cluster model: start netscope with a kubeconfig (or --demo)')];
      const rows = rowsFor(d);
      const banner = provider.banner?.();
      const out = renderView(def, rows, d, st, { width: size.width, height: size.height - (banner ? 1 : 0) });
      const lines = out.lines.map((l, i) => {
        const e = esc(l);
        if (out.headerLine && i === 0) return theme.header(e);
        if (i === out.selectedLine) return theme.selected(e);
        if (i === out.lines.length - 1) return theme.dim(e);
        return e;
      });
      return banner ? [theme.warn(esc(banner.slice(0, size.width))), ...lines] : lines;
    },
    onKey(key) {
      const d = data();
      if (!d || !key.name) return false;
      const rows = rowsFor(d);
      const r = onKey(def, d, rows, { ...st, message: '' }, key.name, pageSize);
      st = r.state;
      const e = r.effect;
      if (e?.type === 'yaml') loadYaml(e.item);
      else if (e?.type === 'flows') {
        // On success the TUI leaves this view; an invalid filter keeps it open with the error.
        const error = ctx.showFlows(e.filter);
        if (error !== undefined) st = { ...st, message: error };
      } else if (e?.type === 'latency') {
        ctx.showLatency(e.row);
      } else if (e?.type === 'select' && def.name === 'ctx') {
        const name = (e.item as unknown as { name: string }).name;
        if (provider.switchContext) {
          provider.switchContext(name);
          st = { ...st, message: `switching to context ${name}…` };
        } else st = { ...st, message: 'this model has no kubeconfig contexts to switch to' };
      } else if (e?.type === 'select' && def.name === 'ns') {
        // Enter on the namespace already chosen goes back to all namespaces.
        const name = (e.item as unknown as { name: string }).name;
        const next = provider.namespace() === name ? undefined : name;
        provider.setNamespace?.(next);
        st = { ...st, message: next ? `namespace ${next}: :pods :svc :netpol now open on it (f: its flows)` : 'all namespaces' };
      }
      ctx.requestFrame();
      return r.used;
    },
    dispose() {
      unsubscribe();
    },
  };
}
