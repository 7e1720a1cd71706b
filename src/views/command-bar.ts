// The bottom bar as a component: the filter bar (`/`), the command palette (`:`), their
// histories, and one-line messages (an invalid filter, a config problem). Its keys turn
// into effects the app carries out: apply a filter, run a palette item.
import type { BarDeps, BarEffect, BarKey } from './bar.ts';
import { CLOSED, barKey, barLine, filterRejected, openFilterBar, openPalette, type Bar } from './bar.ts';
import { newEditor, remember } from './line-editor.ts';
import { paletteMatches, type PaletteObjects } from './palette.ts';
import { esc, fit } from './text.ts';
import type { Theme } from './theme.ts';

const HINT = '? help  / filter  : palette  Tab/1-4 panes  Enter details  Space pause  c command line  q quit';

export interface CommandBar {
  readonly isOpen: boolean;
  /** The current message, if any. */
  readonly message: string | undefined;
  openFilter(current: string): void;
  openPalette(objects: PaletteObjects, prefix?: string): void;
  say(text: string, error?: boolean): void;
  clear(): void;
  rememberFilter(text: string): void;
  /** A key while open: the effect of Enter (apply a filter, run an item), else null. */
  key(key: BarKey, deps: BarDeps, applyFilter: (text: string) => boolean): BarEffect;
  draw(cols: number, theme: Theme): string;
}

export function createCommandBar(opts: { filterText: string; notices?: readonly string[] }): CommandBar {
  let bar: Bar = CLOSED;
  let message: { text: string; error: boolean } | null = opts.notices?.length
    ? { text: `${opts.notices[0]}${opts.notices.length > 1 ? ` (+${opts.notices.length - 1} more)` : ''}`, error: true }
    : null;
  let filterHistory: string[] = opts.filterText ? [opts.filterText] : [];
  let paletteHistory: string[] = [];
  return {
    get isOpen() {
      return bar.mode !== 'none';
    },
    get message() {
      return message?.text;
    },
    openFilter(current) {
      bar = openFilterBar(current, filterHistory);
      message = null;
    },
    openPalette(objects, prefix) {
      bar = prefix === undefined ? openPalette(paletteHistory, objects) : { mode: 'palette', editor: newEditor(prefix, paletteHistory), matches: paletteMatches(prefix, objects), index: 0 };
      message = null;
    },
    say(text, error = true) {
      message = { text, error };
    },
    clear() {
      message = null;
    },
    rememberFilter(text) {
      filterHistory = remember(filterHistory, text);
    },
    key(key, deps, applyFilter) {
      const r = barKey(bar, key, deps);
      bar = r.bar;
      const effect = r.effect;
      if (effect?.type === 'apply-filter') {
        // An invalid filter keeps the bar open with the error; the app has said it (say()).
        if (applyFilter(effect.text)) {
          filterHistory = remember(filterHistory, effect.text);
          bar = CLOSED;
        } else bar = filterRejected(bar, message?.text ?? 'invalid filter');
        return null;
      }
      if (effect?.type === 'run') {
        paletteHistory = remember(paletteHistory, effect.text);
        if (!effect.item) {
          message = { text: `no command or object matches ":${effect.text}"`, error: true };
          return null;
        }
      }
      return effect;
    },
    draw(cols, theme) {
      const line = barLine(bar, cols, theme);
      if (line !== undefined) return line;
      if (message) return message.error ? theme.bad(esc(fit(message.text, cols))) : esc(fit(message.text, cols));
      return theme.dim(esc(fit(HINT, cols)));
    },
  };
}
