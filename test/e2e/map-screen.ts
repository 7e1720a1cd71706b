// Reading the drawn map off a captured screen: which box labels are whole, and whether a
// line of box-drawing characters runs from one box's side to an arrowhead into another.
const DIRS: Record<string, string> = {
  '─': 'LR', '│': 'UD', '┌': 'RD', '┐': 'LD', '└': 'RU', '┘': 'LU', '├': 'UDR', '┤': 'UDL', '┬': 'LRD', '┴': 'LRU', '┼': 'LRUD', '▶': 'L', '◀': 'R',
};
const STEP: Record<string, [number, number, string]> = { L: [-1, 0, 'R'], R: [1, 0, 'L'], U: [0, -1, 'D'], D: [0, 1, 'U'] };

/** Box labels shown whole (`[name]`, `✖name]`, padding allowed) in these lines. */
export function wholeLabels(lines: string[]): string[] {
  const out = new Set<string>();
  for (const l of lines) for (const m of l.matchAll(/[[✖]([a-z0-9][a-z0-9.-]*) *\]/g)) out.add(m[1]);
  return [...out];
}

/**
 * Whether a line leaves `from`'s right side and, following the box-drawing characters,
 * reaches the arrowhead in front of `to` (`▶[to` or `▶✖to`). Junctions and crossings are
 * both followed, so this says "drawn connected", not which edge it is.
 */
export function connected(lines: string[], from: string, to: string): boolean {
  const grid = lines.map((l) => Array.from(l));
  const find = (re: RegExp): [number, number][] =>
    grid.flatMap((row, y) => {
      const s = row.join('');
      const out: [number, number][] = [];
      for (const m of s.matchAll(re)) out.push([Array.from(s.slice(0, m.index)).length, y]);
      return out;
    });
  const box = (name: string) => new RegExp(`[[✖]${name} *\\]`, 'g');
  const starts = find(box(from)).map(([x, y]): [number, number] => [x + Array.from(box(from).exec(grid[y].slice(x).join(''))![0]).length, y]);
  const targets = new Set(find(new RegExp(`▶[[✖]${to} *\\]`, 'g')).map(([x, y]) => `${x},${y}`));
  const at = (x: number, y: number) => grid[y]?.[x] ?? ' ';
  for (const [sx, sy] of starts) {
    if (!DIRS[at(sx, sy)]?.includes('L')) continue;
    const seen = new Set([`${sx},${sy}`]);
    const queue: [number, number][] = [[sx, sy]];
    while (queue.length > 0) {
      const [x, y] = queue.pop()!;
      if (targets.has(`${x},${y}`)) return true;
      for (const d of DIRS[at(x, y)] ?? '') {
        const [dx, dy, back] = STEP[d];
        const nx = x + dx;
        const ny = y + dy;
        if (!DIRS[at(nx, ny)]?.includes(back) || seen.has(`${nx},${ny}`)) continue;
        seen.add(`${nx},${ny}`);
        queue.push([nx, ny]);
      }
    }
  }
  return false;
}
