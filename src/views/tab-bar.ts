// The one-line tab bar of single-pane mode (small terminals): every pane by its number
// key, the shown one highlighted, so 1/2/3/4 are discoverable without help.
import { PANES, PANE_TITLES, type Pane } from './keymap.ts';
import { esc, fit } from './text.ts';
import type { Theme } from './theme.ts';

export function tabBarLine(shown: Pane, cols: number, theme: Theme): string {
  let used = 0;
  const parts: string[] = [];
  for (const [i, p] of PANES.entries()) {
    const label = ` ${i + 1} ${PANE_TITLES[p]} `;
    if (used + label.length > cols) break;
    used += label.length + 1;
    parts.push(p === shown ? theme.selected(esc(label)) : theme.dim(esc(label)));
  }
  const hint = ' z zoom';
  return parts.join(' ') + (used + hint.length <= cols ? theme.dim(esc(fit(hint, cols - used))) : '');
}
