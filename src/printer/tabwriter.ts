// Column alignment as Go's text/tabwriter does it for hubble's table
// (minwidth 2, padding 3, padded with spaces): every cell but the last of a row is
// padded to its column's widest cell plus the padding; the last cell is printed as is.

function width(s: string): number {
  // Go counts runes, not UTF-16 code units.
  // eslint-disable-next-line no-control-regex
  return /^[\u0000-\u007f]*$/.test(s) ? s.length : [...s].length;
}

export function alignColumns(rows: string[][], minWidth = 2, padding = 3): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length - 1; i++) {
      const w = Math.max(minWidth, width(row[i]!) + padding);
      if (w > (widths[i] ?? 0)) widths[i] = w;
    }
  }
  let out = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const cell = row[i]!;
      out += i < row.length - 1 ? cell + ' '.repeat(widths[i]! - width(cell)) : cell;
    }
    out += '\n';
  }
  return out;
}
