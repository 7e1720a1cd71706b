// `?`: the keys of the focused pane, then the global keys, from the keymap table.
import { GLOBAL_KEYS, PANE_KEYS, PANE_TITLES, type Binding, type Pane } from './keymap.ts';
import { esc, fit } from './text.ts';
import type { Theme } from './theme.ts';

function rows(bindings: Binding[], theme: Theme): string[] {
  const w = Math.max(...bindings.map((b) => b.label.length)) + 2;
  return bindings.map((b) => `  ${theme.accent(esc(fit(b.label, w)))}${esc(b.help)}`);
}

export function helpLines(pane: Pane, theme: Theme, extra: { keys: string; help: string }[] = []): string[] {
  const paneRows = extra.length > 0 ? extra.map((e) => ({ keys: [], label: e.keys, help: e.help, action: 'help' as const })) : PANE_KEYS[pane];
  return [
    theme.header(`${extra.length > 0 ? 'View' : PANE_TITLES[pane]} keys`),
    ...rows(paneRows, theme),
    '',
    theme.header('Everywhere'),
    ...rows(GLOBAL_KEYS, theme),
    '',
    theme.dim('Filter bar: Enter apply, Esc cancel, Up/Down history, Tab completes flags and names.'),
    theme.dim('Press Esc or ? to close.'),
  ];
}
