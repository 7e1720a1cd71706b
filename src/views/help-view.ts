// `?`: the keys of the focused pane, then the global keys, from the keymap table.
import { GLOBAL_KEYS, PANE_TITLES, paneBindings, type Binding, type Pane } from './keymap.ts';
import { esc, fit } from './text.ts';
import type { Theme } from './theme.ts';

function rows(bindings: Binding[], theme: Theme): string[] {
  const w = Math.max(...bindings.map((b) => b.label.length)) + 2;
  return bindings.map((b) => `  ${theme.accent(esc(fit(b.label, w)))}${esc(b.help)}`);
}

/** `map`: the topology pane shows the map (its keys differ from the list's). */
export function helpLines(pane: Pane, theme: Theme, extra: { keys: string; help: string }[] = [], map = false): string[] {
  const paneRows = extra.length > 0 ? extra.map((e) => ({ keys: [], label: e.keys, help: e.help, action: 'help' as const })) : paneBindings(pane, map);
  return [
    theme.header(`${extra.length > 0 ? 'View' : PANE_TITLES[pane]}${pane === 'topology' && extra.length === 0 ? (map ? ' map' : ' list') : ''} keys`),
    ...rows(paneRows, theme),
    '',
    theme.header('Everywhere'),
    ...rows(GLOBAL_KEYS, theme),
    '',
    theme.dim('Filter bar: Enter apply, Esc cancel, Up/Down history, Tab completes flags and names.'),
    theme.dim('Below 100x30 one pane is shown at a time under a tab bar: 1-4 pick it, Tab cycles, z hides the bar.'),
    theme.dim('Press Esc or ? to close.'),
  ];
}
