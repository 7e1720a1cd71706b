// The state of one resource view and how keys change it, pure: list with sort and
// `/` filter, a detail page (Enter), a YAML page (y). Effects that reach outside
// (fetch YAML, show flows, switch context) are returned, not performed.
import { sanitize } from '../../model/sanitize.ts';
import type { ResourceData, ResourceViewDef } from '../../tables/kinds.ts';
import { buildRows, filterRows, renderTable, sortRows, type Row, type SortState } from '../../tables/table.ts';

export type Mode = 'list' | 'detail' | 'yaml';

export interface ViewState {
  mode: Mode;
  /** Key of the selected row (survives re-sorts and model updates). */
  selectedKey: string | null;
  scroll: number;
  sort: SortState;
  filter: string;
  editingFilter: boolean;
  /** Lines of the detail or YAML page and their scroll. */
  page: string[];
  pageScroll: number;
  message: string;
}

export type Effect<T> =
  | { type: 'yaml'; item: T }
  | { type: 'flows'; filter: string }
  | { type: 'latency'; row: string }
  | { type: 'select'; item: T };

export function initialState(): ViewState {
  return { mode: 'list', selectedKey: null, scroll: 0, sort: { column: 1, descending: false }, filter: '', editingFilter: false, page: [], pageScroll: 0, message: '' };
}

/** Rows as shown: built from the model, filtered, sorted. */
export function visibleRows<T>(def: ResourceViewDef<T>, data: ResourceData, namespace: string | undefined, st: ViewState): Row<T>[] {
  const columns = def.columns(data);
  const rows = buildRows(def.items(data, namespace), columns, (i) => def.key(i));
  return sortRows(filterRows(rows, st.filter), columns, st.sort);
}

function selectedIndex<T>(rows: readonly Row<T>[], st: ViewState): number {
  if (rows.length === 0) return -1;
  const i = st.selectedKey === null ? -1 : rows.findIndex((r) => r.key === st.selectedKey);
  return i >= 0 ? i : 0;
}

export function selectedItem<T>(rows: readonly Row<T>[], st: ViewState): T | undefined {
  const i = selectedIndex(rows, st);
  return i >= 0 ? rows[i]!.item : undefined;
}

/** Detail page lines for an item. */
export function detailLines<T>(def: ResourceViewDef<T>, item: T, data: ResourceData): string[] {
  const pairs = def.detail(item, data);
  const w = Math.max(...pairs.map(([k]) => k.length));
  const lines = pairs.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
  const extra: string[] = [];
  if (def.flowFilter) extra.push(`f: flows (${def.flowFilter(item)})`);
  if (def.latencyRow?.(item, data)) extra.push(`l: latency of ${def.latencyRow(item, data)}`);
  if (def.kindOf) extra.push('y: YAML');
  return extra.length ? [...lines, '', extra.join('   ')] : lines;
}

function keyChar(key: string): string | undefined {
  if (key === 'space') return ' ';
  if (Array.from(key).length === 1) return key;
  const m = /^S-(.)$/.exec(key);
  return m ? m[1]!.toUpperCase() : undefined;
}

/**
 * Applies one key (blessed `full` name: `j`, `S-g`, `enter`, `pagedown`...).
 * Returns the new state, whether the key was used, and an effect to perform.
 */
export function onKey<T>(
  def: ResourceViewDef<T>,
  data: ResourceData,
  rows: readonly Row<T>[],
  st: ViewState,
  key: string,
  pageSize: number,
): { state: ViewState; used: boolean; effect?: Effect<T> } {
  const used = (state: ViewState, effect?: Effect<T>) => ({ state, used: true, effect });
  if (st.editingFilter) {
    if (key === 'enter') return used({ ...st, editingFilter: false });
    if (key === 'backspace') return used({ ...st, filter: st.filter.slice(0, -1), scroll: 0 });
    if (key === 'C-u') return used({ ...st, filter: '', scroll: 0 });
    const ch = keyChar(key);
    if (ch !== undefined) return used({ ...st, filter: st.filter + ch, scroll: 0 });
    return { state: st, used: false };
  }
  if (st.mode !== 'list') {
    const back = { ...st, mode: 'list' as const, page: [], pageScroll: 0 };
    const scroll = (by: number) => used({ ...st, pageScroll: Math.max(0, Math.min(st.pageScroll + by, st.page.length - 1)) });
    switch (key) {
      case 'enter':
      case 'd':
      case 'backspace':
      case 'left':
      case 'h':
        return used(back);
      case 'y': {
        const item = selectedItem(rows, st);
        if (st.mode === 'yaml' || !item || !def.kindOf) return used(back);
        return used({ ...st, mode: 'yaml', page: ['loading…'], pageScroll: 0 }, { type: 'yaml', item });
      }
      case 'down':
      case 'j':
        return scroll(1);
      case 'up':
      case 'k':
        return scroll(-1);
      case 'pagedown':
      case 'C-d':
        return scroll(pageSize);
      case 'pageup':
      case 'C-u':
        return scroll(-pageSize);
      case 'g':
      case 'home':
        return used({ ...st, pageScroll: 0 });
      case 'S-g':
      case 'G':
      case 'end':
        return used({ ...st, pageScroll: Math.max(0, st.page.length - pageSize) });
    }
    const item = selectedItem(rows, st);
    return item ? listEffects(def, data, st, key, item) : { state: st, used: false };
  }
  const i = selectedIndex(rows, st);
  const move = (to: number) => {
    if (rows.length === 0) return used(st);
    const j = Math.max(0, Math.min(rows.length - 1, to));
    let scroll = st.scroll;
    if (j < scroll) scroll = j;
    if (j >= scroll + pageSize) scroll = j - pageSize + 1;
    return used({ ...st, selectedKey: rows[j]!.key, scroll });
  };
  const columns = def.columns(data).length;
  switch (key) {
    case 'down':
    case 'j':
      return move(i + 1);
    case 'up':
    case 'k':
      return move(i - 1);
    case 'pagedown':
    case 'C-d':
      return move(i + pageSize);
    case 'pageup':
    case 'C-u':
      return move(i - pageSize);
    case 'g':
    case 'home':
      return move(0);
    case 'S-g':
    case 'G':
    case 'end':
      return move(rows.length - 1);
    case '/':
      return used({ ...st, editingFilter: true });
    case 'x':
      return used({ ...st, filter: '', scroll: 0 });
    case 's':
      return used({ ...st, sort: { column: (st.sort.column + 1) % columns, descending: false } });
    case 'S-s':
    case 'S':
      return used({ ...st, sort: { ...st.sort, descending: !st.sort.descending } });
  }
  const item = i >= 0 ? rows[i]!.item : undefined;
  if (!item) return { state: st, used: false };
  if (key === 'enter' && def.enterSelects) return used(st, { type: 'select', item });
  if (key === 'enter' || (key === 'd' && def.enterSelects)) return used({ ...st, mode: 'detail', page: detailLines(def, item, data), pageScroll: 0 });
  if (key === 'y' && def.kindOf) return used({ ...st, mode: 'yaml', page: ['loading…'], pageScroll: 0 }, { type: 'yaml', item });
  return listEffects(def, data, st, key, item);
}

function listEffects<T>(def: ResourceViewDef<T>, data: ResourceData, st: ViewState, key: string, item: T): { state: ViewState; used: boolean; effect?: Effect<T> } {
  if (key === 'f' && def.flowFilter) return { state: st, used: true, effect: { type: 'flows', filter: def.flowFilter(item) } };
  if (key === 'l' && def.latencyRow) {
    const row = def.latencyRow(item, data);
    if (row) return { state: st, used: true, effect: { type: 'latency', row } };
    return { state: { ...st, message: 'no service behind this object: no latency row' }, used: true };
  }
  return { state: st, used: false };
}

/** The view as plain lines (sanitized); the first line is the header or page title. */
export function renderView<T>(
  def: ResourceViewDef<T>,
  rows: readonly Row<T>[],
  data: ResourceData,
  st: ViewState,
  size: { width: number; height: number },
): { lines: string[]; selectedLine: number; headerLine: boolean } {
  const status = st.editingFilter ? `/${st.filter}█` : st.filter ? `filter: ${st.filter} (x clears)` : st.message;
  const bodyHeight = Math.max(1, size.height - 1);
  if (st.mode !== 'list') {
    const lines = st.page.slice(st.pageScroll, st.pageScroll + bodyHeight).map((l) => sanitize(l).slice(0, size.width));
    while (lines.length < bodyHeight) lines.push('');
    const foot = st.mode === 'yaml' ? 'YAML   y/Enter/Backspace: back   j/k PgUp/PgDn: scroll' : 'Detail   Enter/Backspace: back';
    return { lines: [...lines, foot.slice(0, size.width)], selectedLine: -1, headerLine: false };
  }
  const columns = def.columns(data);
  const cleanRows = rows.map((r) => ({ ...r, cells: r.cells.map(sanitize) }));
  const { header, lines } = renderTable(cleanRows, columns, { width: size.width, height: bodyHeight, scroll: st.scroll, sort: st.sort });
  const sel = selectedIndex(rows, st) - st.scroll;
  const body = [header, ...lines];
  if (rows.length === 0) body.push(st.filter ? '(no rows match the filter)' : '(none)');
  while (body.length < bodyHeight) body.push('');
  const count = `${rows.length} ${def.title.toLowerCase()}`;
  const enter = def.name === 'ctx' ? 'Enter switch  d details' : def.enterSelects ? 'Enter select  d details' : 'Enter details';
  const foot = `${count}   ${status || `${enter}  ${def.kindOf ? 'y YAML  ' : ''}/ filter  s sort  S reverse` + (def.flowFilter ? '  f flows' : '') + (def.latencyRow ? '  l latency' : '')}`;
  return { lines: [...body.slice(0, bodyHeight), sanitize(foot).slice(0, size.width)], selectedLine: sel >= 0 ? sel + 1 : -1, headerLine: true };
}
