// A k9s-style resource table, pure: rows of cells from model objects, sorted by a
// column, filtered by `/` text, cut to a window and rendered to plain lines. The
// blessed view only adds keys and colour on top.
export interface Column<T> {
  name: string;
  value(item: T): string;
  /** Sort key when the text does not sort right (numbers, ages). */
  sortValue?(item: T): number | string;
  /** Right-align (numbers). */
  right?: boolean;
}

export interface Row<T> {
  key: string;
  item: T;
  cells: string[];
}

export interface SortState {
  column: number;
  descending: boolean;
}

export function buildRows<T>(items: readonly T[], columns: readonly Column<T>[], key: (item: T) => string): Row<T>[] {
  return items.map((item) => ({ key: key(item), item, cells: columns.map((c) => c.value(item)) }));
}

function compare(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

/** Stable sort by one column, ties broken by the row key. */
export function sortRows<T>(rows: readonly Row<T>[], columns: readonly Column<T>[], sort: SortState): Row<T>[] {
  const col = columns[sort.column];
  if (!col) return [...rows];
  const keyOf = (r: Row<T>): number | string => (col.sortValue ? col.sortValue(r.item) : r.cells[sort.column] ?? '');
  const dir = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => dir * compare(keyOf(a), keyOf(b)) || compare(a.key, b.key));
}

/**
 * `/` filter, like k9s: every space-separated term must occur in some cell
 * (case-insensitive); a term starting with `!` must occur in none.
 */
export function filterRows<T>(rows: readonly Row<T>[], text: string): Row<T>[] {
  const terms = text.toLowerCase().split(/\s+/).filter((t) => t !== '' && t !== '!');
  if (terms.length === 0) return [...rows];
  return rows.filter((r) => {
    const hay = r.cells.join('\u0000').toLowerCase();
    return terms.every((t) => (t.startsWith('!') ? !hay.includes(t.slice(1)) : hay.includes(t)));
  });
}

/** Column widths: natural width of header (+1 for the sort mark) and cells, shrunk to fit. */
export function columnWidths<T>(rows: readonly Row<T>[], columns: readonly Column<T>[], total: number): number[] {
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.name.length + 1, ...rows.map((r) => Array.from(r.cells[i] ?? '').length))));
  const gaps = Math.max(0, columns.length - 1) * 2;
  let over = widths.reduce((a, b) => a + b, 0) + gaps - total;
  // Shrink the widest columns first until the table fits.
  while (over > 0) {
    const i = widths.indexOf(Math.max(...widths));
    if (widths[i]! <= 4) break;
    widths[i]!--;
    over--;
  }
  return widths;
}

function cut(s: string, w: number, right: boolean): string {
  const chars = Array.from(s);
  if (chars.length > w) return w <= 1 ? chars.slice(0, w).join('') : chars.slice(0, w - 1).join('') + '…';
  const pad = ' '.repeat(w - chars.length);
  return right ? pad + s : s + pad;
}

/** Plain text lines (header first) for rows[scroll .. scroll+height-1]. */
export function renderTable<T>(
  rows: readonly Row<T>[],
  columns: readonly Column<T>[],
  opts: { width: number; height: number; scroll: number; sort: SortState },
): { header: string; lines: string[] } {
  const widths = columnWidths(rows, columns, opts.width);
  const head = columns
    .map((c, i) => {
      const mark = i === opts.sort.column ? (opts.sort.descending ? '↓' : '↑') : '';
      return cut(c.name + mark, widths[i]!, c.right === true);
    })
    .join('  ');
  const lines = rows
    .slice(opts.scroll, opts.scroll + Math.max(0, opts.height - 1))
    .map((r) => columns.map((c, i) => cut(r.cells[i] ?? '', widths[i]!, c.right === true)).join('  '));
  return { header: head, lines };
}

/** `5d`, `3h`, `12m`, `40s` like kubectl's AGE column. */
export function age(creationTimestamp: string, nowMs: number): string {
  const t = Date.parse(creationTimestamp);
  if (Number.isNaN(t)) return '<unknown>';
  const s = Math.max(0, Math.floor((nowMs - t) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}
