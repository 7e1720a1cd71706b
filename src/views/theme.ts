// Colours as blessed tags, or none: NO_COLOR (https://no-color.org) and monochrome
// terminals get the same screens with attributes only (bold, inverse, underline), so
// nothing is conveyed by colour alone (verdicts are words, drops carry a mark).
import type { Verdict } from '../model/flow.ts';

export interface Theme {
  color: boolean;
  unicode: boolean;
  verdict(v: Verdict | undefined, text: string): string;
  bad(s: string): string;
  good(s: string): string;
  warn(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  accent(s: string): string;
  selected(s: string): string;
  header(s: string): string;
  /** Glyphs: drop mark, arrows (to callee, from caller), node bullet, slow mark, sparkline ramp. */
  glyph: { drop: string; arrow: string; back: string; node: string; up: string; ramp: string[] };
}

const wrap = (open: string) => (s: string) => `{${open}}${s}{/${open}}`;

/** Colour names by role from a skin (src/config/skin.ts); unnamed roles keep the defaults. */
export type ThemeColors = Partial<Record<'bad' | 'good' | 'warn' | 'dim' | 'accent' | 'header', string>>;

export function makeTheme(opts: { color: boolean; unicode: boolean; colors?: ThemeColors }): Theme {
  const c = opts.color;
  const col = { bad: 'red', good: 'green', warn: 'yellow', dim: 'gray', accent: 'cyan', header: 'blue', ...opts.colors };
  const bold = wrap('bold');
  const inverse = wrap('inverse');
  const fg = (name: string, mono: (s: string) => string) => (c ? wrap(`${name}-fg`) : mono);
  const plain = (s: string) => s;
  const bad = fg(col.bad, bold);
  const good = fg(col.good, plain);
  const warn = fg(col.warn, bold);
  const glyph = opts.unicode
    ? { drop: '✖', arrow: '→', back: '←', node: '●', up: '▲', ramp: ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] }
    : { drop: 'X', arrow: '>', back: '<', node: '*', up: '^', ramp: ['_', '.', '-', '~', '=', '+', '*', '#'] };
  return {
    color: c,
    unicode: opts.unicode,
    verdict(v, text) {
      switch (v) {
        case 'DROPPED':
        case 'ERROR':
          return bad(text);
        case 'FORWARDED':
          return good(text);
        case 'AUDIT':
          return c ? wrap('yellow-fg')(text) : wrap('underline')(text);
        case 'REDIRECTED':
          return c ? wrap('magenta-fg')(text) : wrap('underline')(text);
        case 'TRANSLATED':
        case 'TRACED':
          return c ? wrap('cyan-fg')(text) : text;
        default:
          return text;
      }
    },
    bad,
    good,
    warn,
    dim: c ? wrap(`${col.dim}-fg`) : plain,
    bold,
    accent: c ? wrap(`${col.accent}-fg`) : bold,
    selected: inverse,
    header: c ? (s) => `{bold}{${col.header}-fg}${s}{/${col.header}-fg}{/bold}` : bold,
    glyph,
  };
}

/** Whether to colour: NO_COLOR set (to anything non-empty) or a monochrome terminal means no. */
export function wantsColor(env: NodeJS.ProcessEnv, terminalColors: number): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return terminalColors >= 8;
}
