// A window of the drawing as terminal lines: lines and arrows onto a cell grid (junctions
// from the directions that meet in a cell), then boxes, edge marks and band titles, then
// runs of one style turned into theme tags. Only the cells inside the window are
// touched, so a frame costs the window's size plus one pass over the primitives.
import { esc, fit, formatRate } from '../text.ts';
import type { Theme } from '../theme.ts';
import type { Drawing } from './geometry.ts';

export interface Viewport {
  x: number;
  y: number;
  width: number;
  height: number;
}

const L = 1;
const R = 2;
const U = 4;
const D = 8;

const UNICODE: string[] = [' ', '─', '─', '─', '│', '┘', '└', '┴', '│', '┐', '┌', '┬', '│', '┤', '├', '┼'];
const ASCII: string[] = [' ', '-', '-', '-', '|', '+', '+', '+', '|', '+', '+', '+', '|', '+', '+', '+'];

// Styles, in the order they win when edges of different kinds share a cell.
const PLAIN = 0;
const DIM = 1;
const BAD = 2;
const ACCENT = 3;
const SELECTED = 4;
const HEADER = 5;

export interface PaintOptions {
  selected: string | null;
  theme: Theme;
}

/** Style of each edge: the selected box's edges stand out, failing ones are in the error colour. */
function edgeStyles(d: Drawing, selected: string | null): Uint8Array {
  const out = new Uint8Array(d.edges.length);
  d.edges.forEach((e, i) => {
    if (selected !== null && (e.from === selected || e.to === selected)) out[i] = ACCENT;
    else if (e.drops > 0 || e.errors > 0 || e.deniedBy !== undefined) out[i] = BAD;
  });
  return out;
}

/** What an edge's mark says: its rate, and its drops and errors. */
export function edgeMark(e: { rate: number; drops: number; errors: number; deniedBy?: string }, glyph: string): { text: string; bad: boolean } {
  const rate = `${formatRate(e.rate)}/s`;
  const n = e.drops + e.errors;
  if (n > 0 || e.deniedBy !== undefined) return { text: `${glyph}${n > 0 ? n : ''} ${rate}`, bad: true };
  return { text: rate, bad: false };
}

export function paint(d: Drawing, view: Viewport, opts: PaintOptions): string[] {
  const { theme } = opts;
  const W = Math.max(0, view.width);
  const H = Math.max(0, view.height);
  const mask = new Uint8Array(W * H);
  const style = new Uint8Array(W * H);
  const text: (string | undefined)[] = new Array(W * H);
  const inside = (x: number, y: number) => x >= view.x && x < view.x + W && y >= view.y && y < view.y + H;
  const at = (x: number, y: number) => (y - view.y) * W + (x - view.x);
  const es = edgeStyles(d, opts.selected);
  const lineStyle = (edges: number[]) => {
    let s = PLAIN;
    for (const e of edges) if (es[e] > s) s = es[e];
    return s;
  };
  const put = (x: number, y: number, ch: string, st: number) => {
    if (!inside(x, y)) return;
    const i = at(x, y);
    text[i] = ch;
    style[i] = st;
  };

  // Band rules and titles underneath everything.
  const rule = theme.unicode ? '╌' : '.';
  for (const b of d.bands) {
    if (b.y < view.y || b.y >= view.y + H) continue;
    for (let x = view.x; x < view.x + W; x++) put(x, b.y, rule, DIM);
  }

  for (const ln of d.lines) {
    if (ln.kind === 'h' ? ln.y < view.y || ln.y >= view.y + H || ln.x1 < view.x || ln.x0 >= view.x + W : ln.x < view.x || ln.x >= view.x + W || ln.y1 < view.y || ln.y0 >= view.y + H) continue;
    const st = lineStyle(ln.edges);
    if (ln.kind === 'h') {
      const from = Math.max(ln.x0, view.x);
      const to = Math.min(ln.x1, view.x + W - 1);
      for (let x = from; x <= to; x++) {
        const i = at(x, ln.y);
        mask[i] |= (x > ln.x0 ? L : 0) | (x < ln.x1 ? R : 0) | (ln.x0 === ln.x1 ? L | R : 0);
        text[i] = undefined;
        if (st > style[i] || style[i] === DIM) style[i] = st;
      }
    } else {
      const from = Math.max(ln.y0, view.y);
      const to = Math.min(ln.y1, view.y + H - 1);
      for (let y = from; y <= to; y++) {
        const i = at(ln.x, y);
        mask[i] |= (y > ln.y0 ? U : 0) | (y < ln.y1 ? D : 0);
        text[i] = undefined;
        if (st > style[i] || style[i] === DIM) style[i] = st;
      }
    }
  }
  const chars = theme.unicode ? UNICODE : ASCII;
  for (let i = 0; i < W * H; i++) if (mask[i] !== 0) text[i] = chars[mask[i]];
  for (const a of d.arrows) put(a.x, a.y, a.dir === 'right' ? (theme.unicode ? '▶' : '>') : theme.unicode ? '◀' : '<', lineStyle(a.edges));

  // One mark per edge, on the stretch nearest its target that belongs to it alone and is
  // long enough; an idle edge (0/s, nothing failing) needs none.
  if (d.detail !== 'dots') {
    const runs = new Map<number, { y: number; x0: number; x1: number }[]>();
    for (const ln of d.lines) {
      if (ln.kind !== 'h' || ln.edges.length !== 1 || ln.y < view.y || ln.y >= view.y + H) continue;
      const list = runs.get(ln.edges[0]);
      if (list) list.push(ln);
      else runs.set(ln.edges[0], [ln]);
    }
    for (const [ei, pieces] of runs) {
      const e = d.edges[ei];
      // Touching pieces on one row (a stub and its branch, a pass-through) make one stretch.
      pieces.sort((p, q) => p.y - q.y || p.x0 - q.x0);
      const list: { y: number; x0: number; x1: number }[] = [];
      for (const p of pieces) {
        const last = list[list.length - 1];
        if (last && last.y === p.y && p.x0 <= last.x1 + 1) last.x1 = Math.max(last.x1, p.x1);
        else list.push({ y: p.y, x0: p.x0, x1: p.x1 });
      }
      if (e.rate === 0 && e.drops === 0 && e.errors === 0 && e.deniedBy === undefined) continue;
      const m = edgeMark(e, theme.glyph.drop);
      const chs = Array.from(m.text);
      const st = es[ei] === ACCENT ? ACCENT : m.bad ? BAD : DIM;
      list.sort((p, q) => q.x0 - p.x0);
      for (const ln of list) {
        // Line cells on each side of the mark, so it reads as on the line.
        const x0 = ln.x0 + 2;
        if (x0 + chs.length > ln.x1 - 1) continue;
        let clear = true;
        for (let k = 0; k < chs.length && clear; k++) {
          const x = x0 + k;
          if (inside(x, ln.y) && (mask[at(x, ln.y)] !== (L | R) || text[at(x, ln.y)] !== chars[L | R])) clear = false;
        }
        if (!clear) continue;
        chs.forEach((c, k) => put(x0 + k, ln.y, c, st));
        break;
      }
    }
  }

  // Idle boxes (known to the cluster model, no traffic) are dashed, in parentheses or
  // hollow, and dim: visible without colour too.
  const solid = theme.unicode ? { tl: '┌', tr: '┐', bl: '└', br: '┘', hz: '─', vt: '│', out: '├' } : { tl: '+', tr: '+', bl: '+', br: '+', hz: '-', vt: '|', out: '+' };
  const dashed = theme.unicode ? { ...solid, hz: '╌', vt: '╎' } : { ...solid, hz: '.', vt: ':' };
  for (const b of d.boxes) {
    if (b.x + b.w <= view.x || b.x >= view.x + W || b.y + b.h <= view.y || b.y >= view.y + H) continue;
    const h = b.box.idle ? dashed : solid;
    const sel = b.id === opts.selected;
    const base = b.box.idle ? DIM : b.box.marked ? BAD : PLAIN;
    const label = Array.from(fit(b.box.label, b.labelW));
    if (d.detail === 'boxes') {
      for (let x = b.x; x < b.x + b.w; x++) {
        const edge = x === b.x || x === b.x + b.w - 1;
        put(x, b.y, x === b.x ? h.tl : x === b.x + b.w - 1 ? h.tr : h.hz, base);
        put(x, b.y + 2, x === b.x ? h.bl : x === b.x + b.w - 1 ? h.br : h.hz, base);
        if (!edge) put(x, b.y + 1, label[x - b.x - 2] ?? ' ', sel ? SELECTED : base === BAD ? PLAIN : base);
      }
      const outY = b.y + 1;
      const hasOut = inside(b.x + b.w, outY) && (mask[at(b.x + b.w, outY)] & R) !== 0;
      put(b.x, outY, h.vt, base);
      put(b.x + b.w - 1, outY, hasOut ? h.out : h.vt, base);
      if (b.box.marked) put(b.x + 1, b.y, theme.glyph.drop, BAD);
      if (sel) {
        put(b.x + 1, outY, ' ', SELECTED);
        put(b.x + b.w - 2, outY, ' ', SELECTED);
      }
    } else if (d.detail === 'labels') {
      put(b.x, b.y, b.box.marked ? theme.glyph.drop : b.box.idle ? '(' : '[', base);
      label.forEach((c, k) => put(b.x + 1 + k, b.y, c, sel ? SELECTED : base));
      put(b.x + b.w - 1, b.y, b.box.idle ? ')' : ']', base);
    } else {
      put(b.x, b.y, b.box.marked ? theme.glyph.drop : b.box.idle ? (theme.unicode ? '○' : 'o') : theme.glyph.node, sel ? SELECTED : base);
    }
  }

  // Band titles stay at the window's left edge while it pans.
  for (const b of d.bands) {
    if (b.y < view.y || b.y >= view.y + H) continue;
    Array.from(` ${b.group} `).forEach((c, k) => {
      if (k < W - 1) put(view.x + 1 + k, b.y, c, HEADER);
    });
  }

  const wrap: Record<number, (s: string) => string> = {
    [PLAIN]: (s) => s,
    [DIM]: theme.dim,
    [BAD]: theme.bad,
    [ACCENT]: theme.accent,
    [SELECTED]: theme.selected,
    [HEADER]: theme.header,
  };
  const out: string[] = [];
  for (let r = 0; r < H; r++) {
    let line = '';
    let run = '';
    let runStyle = -1;
    for (let c = 0; c < W; c++) {
      const i = r * W + c;
      const ch = text[i] ?? ' ';
      const st = ch === ' ' && style[i] !== SELECTED ? PLAIN : style[i];
      if (st !== runStyle && run !== '') {
        line += wrap[runStyle](esc(run));
        run = '';
      }
      runStyle = st;
      run += ch;
    }
    if (run !== '') line += runStyle === PLAIN ? esc(run).replace(/ +$/, '') : wrap[runStyle](esc(run));
    out.push(line);
  }
  return out;
}
