// The bottom status line: source and connection state, flows/s, totals, lost events,
// paused state and the active filter (always visible).
import type { CounterSnapshot } from '../streams/counters.ts';
import type { SourceStatus } from '../streams/flow-store.ts';
import { esc, fit, formatCount, formatRate } from './text.ts';
import type { Theme } from './theme.ts';

export interface StatusInput {
  status: SourceStatus;
  counters: CounterSnapshot;
  filterText: string;
  focus: string | null;
  paused: boolean;
  pending: number;
}

const visibleLength = (tagged: string) => tagged.replace(/\{[^}]*\}/g, '').length;

/** Fits `width`: source, state and the active filter always; other figures as room allows. */
export function statusLine(s: StatusInput, width: number, theme: Theme): string {
  const st = s.status.state;
  const state = st === 'connected' || st === 'done' ? theme.good(st) : st === 'error' ? theme.bad(st) : theme.warn(st);
  const head = `${esc(s.status.source)} ${state}`;
  const filter = `filter: ${s.filterText ? theme.accent(esc(s.filterText)) : theme.dim('none')}`;
  const must = [s.paused ? theme.warn(`PAUSED +${formatCount(s.pending)}`) : '', s.focus ? `focus ${theme.accent(esc(s.focus))}` : ''].filter(Boolean);
  const message: [number, string] = [5, s.status.message ? esc(fit(s.status.message, 40)) : ''];
  const optional: [number, string][] = [
    [1, `${formatRate(s.counters.rate)} flows/s`],
    [2, `dropped ${s.counters.dropped > 0 ? theme.bad(formatCount(s.counters.dropped)) : '0'}`],
    [3, `seen ${formatCount(s.counters.total)}`],
    [4, `lost ${s.counters.lost > 0 ? theme.bad(formatCount(s.counters.lost)) : '0'}`],
  ];
  // Why a source is not connected (a server gone, retrying) matters more than the counters;
  // a connected source's message (a Hubble server's buffer and nodes) comes after the rate.
  optional.splice(st === 'connected' || st === 'done' ? 1 : 0, 0, message);
  const sep = ' | ';
  let used = 1 + visibleLength(head) + [...must, filter].reduce((n, p) => n + sep.length + visibleLength(p), 0);
  const chosen = new Set<number>();
  for (const [prio, text] of optional) {
    if (!text) continue;
    const len = sep.length + visibleLength(text);
    if (used + len <= width) {
      chosen.add(prio);
      used += len;
    }
  }
  const parts = [head, ...optional.filter(([p]) => chosen.has(p) && p !== 5).map(([, t]) => t), ...must, filter];
  if (chosen.has(5)) parts.splice(1, 0, message[1]);
  const line = ' ' + parts.join(sep);
  // Still too long (a very long filter): cut the filter text, keeping its start visible.
  if (visibleLength(line) > width && s.filterText) {
    const room = Math.max(8, s.filterText.length - (visibleLength(line) - width));
    return ' ' + [...parts.slice(0, -1), `filter: ${theme.accent(esc(fit(s.filterText, room)))}`].join(sep);
  }
  return line;
}
