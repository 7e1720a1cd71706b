// The bottom bar's two input modes as a pure state machine: the filter bar (`/`) and
// the command palette (`:`). A key returns the next state and, for Enter, an effect the
// app performs (apply a filter, run a palette item); the app reports a rejected filter
// back with filterRejected() so the bar stays open with the error.
import { complete, type NameSource } from './completion.ts';
import { editKey, newEditor, renderWithCursor, setText, type KeyIn, type LineEditor } from './line-editor.ts';
import { paletteMatches, type PaletteItem, type PaletteObjects } from './palette.ts';
import { esc, fit } from './text.ts';
import type { Theme } from './theme.ts';

export type Bar =
  | { mode: 'none' }
  | { mode: 'filter'; editor: LineEditor; hint: string; error: boolean }
  | { mode: 'palette'; editor: LineEditor; matches: PaletteItem[]; index: number };

export type BarEffect = { type: 'apply-filter'; text: string } | { type: 'run'; item: PaletteItem | undefined; text: string } | null;

export interface BarDeps {
  names: NameSource;
  objects: () => PaletteObjects;
}

export interface BarKey extends KeyIn {
  /** blessed's full key name (`S-tab`, `C-u`). */
  full?: string;
}

export const CLOSED: Bar = { mode: 'none' };
const FILTER_HINT = 'Enter apply  Esc cancel  Tab complete  Up/Down history';

export function openFilterBar(current: string, history: string[]): Bar {
  return { mode: 'filter', editor: newEditor(current, history), hint: FILTER_HINT, error: false };
}

export function openPalette(history: string[], objects: PaletteObjects): Bar {
  return { mode: 'palette', editor: newEditor('', history), matches: paletteMatches('', objects), index: 0 };
}

/** The filter was invalid: keep the bar open with the text and show the error. */
export function filterRejected(bar: Bar, message: string): Bar {
  return bar.mode === 'filter' ? { ...bar, hint: message, error: true } : bar;
}

export function barKey(bar: Bar, key: BarKey, deps: BarDeps): { bar: Bar; effect: BarEffect } {
  const same = { bar, effect: null };
  if (bar.mode === 'none') return same;
  if (key.name === 'escape') return { bar: CLOSED, effect: null };
  if (bar.mode === 'filter') {
    if (key.name === 'enter') return { bar, effect: { type: 'apply-filter', text: bar.editor.text } };
    if (key.name === 'tab') {
      const c = complete(bar.editor.text, bar.editor.cursor, deps.names);
      return { bar: { ...bar, editor: setText(bar.editor, c.text, c.cursor), hint: c.candidates.slice(0, 12).join(' '), error: false }, effect: null };
    }
    const editor = editKey(bar.editor, key);
    return editor === bar.editor ? same : { bar: { ...bar, editor, error: false, hint: bar.error ? FILTER_HINT : bar.hint }, effect: null };
  }
  if (key.name === 'enter') return { bar: CLOSED, effect: { type: 'run', item: bar.matches[bar.index], text: bar.editor.text } };
  const n = Math.max(1, bar.matches.length);
  if (key.full === 'S-tab') return { bar: { ...bar, index: (bar.index + n - 1) % n }, effect: null };
  if (key.name === 'tab') return { bar: { ...bar, index: (bar.index + 1) % n }, effect: null };
  const editor = editKey(bar.editor, key);
  if (editor === bar.editor) return same;
  return { bar: { ...bar, editor, matches: paletteMatches(editor.text, deps.objects()), index: 0 }, effect: null };
}

/** The bar's line: the input with its cursor, then the hint / error or the palette's matches. */
export function barLine(bar: Bar, cols: number, theme: Theme): string | undefined {
  if (bar.mode === 'filter') {
    const room = Math.max(0, cols - bar.editor.text.length - 12);
    const hint = bar.hint ? ` ${bar.error ? theme.bad(esc(fit(bar.hint, room))) : theme.dim(esc(fit(bar.hint, room)))}` : '';
    return `${theme.accent('filter>')} ${renderWithCursor(bar.editor, esc)}${hint}`;
  }
  if (bar.mode === 'palette') {
    const items = bar.matches.map((m, i) => (i === bar.index ? theme.selected(esc(m.label)) : esc(m.label))).join('  ');
    return `${theme.accent(':')}${renderWithCursor(bar.editor, esc)}  ${items || theme.dim('no match')}`;
  }
  return undefined;
}
