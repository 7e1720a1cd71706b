// Per-service RED table: requests/s, error %, p50/p95/p99 and a sparkline of the chosen
// percentile over the last minutes, and apart from the errors (ERR%) the attempts that
// were dropped before reaching the service (DROP%). A service whose current percentile is well above
// its own earlier baseline is flagged, so the one that got slow stands out.
import type { Percentile, ServiceStats } from '../streams/red.ts';
import { esc, fit, fitRight, formatMs, formatRate } from './text.ts';
import type { Theme } from './theme.ts';

export const SORT_KEYS = ['name', 'rate', 'errors', 'latency'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface LatencyState {
  sort: SortKey;
  percentile: Percentile;
  selected: string | null;
  scrollTop: number;
}

export function initialLatencyState(): LatencyState {
  return { sort: 'latency', percentile: 95, selected: null, scrollTop: 0 };
}

export function nextPercentile(p: Percentile): Percentile {
  return p === 50 ? 95 : p === 95 ? 99 : 50;
}

function percentileOf(s: ServiceStats, p: Percentile): number | undefined {
  return p === 50 ? s.p50 : p === 95 ? s.p95 : s.p99;
}

/** Slowed down: current value at least twice its baseline and at least 5 ms more. */
export function isSlow(s: ServiceStats, p: Percentile): boolean {
  const cur = percentileOf(s, p);
  if (cur === undefined || s.baseline === undefined) return false;
  return cur >= 2 * s.baseline && cur - s.baseline >= 5;
}

export function sortServices(stats: ServiceStats[], key: SortKey, p: Percentile): ServiceStats[] {
  const v = (s: ServiceStats) => percentileOf(s, p) ?? -1;
  const byName = (a: ServiceStats, b: ServiceStats) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0);
  const cmp: Record<SortKey, (a: ServiceStats, b: ServiceStats) => number> = {
    name: byName,
    rate: (a, b) => b.rate - a.rate || byName(a, b),
    errors: (a, b) => b.errorPct - a.errorPct || b.dropPct - a.dropPct || byName(a, b),
    // Services that just slowed down come first: that is what this sort is for.
    latency: (a, b) => Number(isSlow(b, p)) - Number(isSlow(a, p)) || v(b) - v(a) || byName(a, b),
  };
  return [...stats].sort(cmp[key]);
}

/**
 * Sparkline of the most recent points, scaled to the row's own maximum; gaps are blank.
 * At least `minPoints` points (2 minutes of 5 s buckets) are shown: when the width is
 * smaller, adjacent points are merged (their maximum, so a spike is never averaged away).
 */
export function sparkline(series: (number | undefined)[], width: number, ramp: string[], minPoints = 24): string {
  if (width <= 0) return '';
  const pts = series.slice(-Math.max(width, Math.min(minPoints, series.length)));
  const group = Math.ceil(pts.length / width);
  const merged: (number | undefined)[] = [];
  // Group from the newest end so the last character is always the current bucket(s).
  for (let end = pts.length; end > 0; end -= group) {
    const slice = pts.slice(Math.max(0, end - group), end).filter((x): x is number => x !== undefined);
    merged.unshift(slice.length ? Math.max(...slice) : undefined);
  }
  const max = Math.max(0, ...merged.map((x) => x ?? 0));
  const chars = merged.map((x) => {
    if (x === undefined) return ' ';
    if (max <= 0) return ramp[0];
    return ramp[Math.min(ramp.length - 1, Math.floor((x / max) * (ramp.length - 1) + 0.5))];
  });
  return ' '.repeat(Math.max(0, width - chars.length)) + chars.join('');
}

export interface LatencyView {
  lines: string[];
  scrollTop: number;
  title: string;
  order: string[];
}

export function moveService(order: string[], st: LatencyState, by: number | 'top' | 'bottom'): LatencyState {
  if (order.length === 0) return st;
  const cur = Math.max(0, order.indexOf(st.selected ?? ''));
  const idx = by === 'top' ? 0 : by === 'bottom' ? order.length - 1 : Math.min(order.length - 1, Math.max(0, cur + by));
  return { ...st, selected: order[idx] };
}

type Column = 'rate' | 'err' | 'drop' | 50 | 95 | 99;
const NUM_W = 7;

/**
 * Which columns fit in `width`: the whole service name (up to 32 characters) and the
 * essential four (REQ/S, ERR%, DROP%, the chosen percentile) first, then the other
 * percentiles while a sparkline of at least 8 still fits, then the sparkline.
 */
export function latencyColumns(width: number, p: Percentile, longestName = 28): { nameW: number; cols: Column[]; sparkW: number } {
  const room = width - 3; // mark, space, space after the name
  // In a pane too narrow for all four, the percentile goes first, then errors, drops, rate.
  const essential = ([p, 'err', 'drop', 'rate'] as Column[]).slice(0, Math.max(1, Math.min(4, Math.floor((room - 10) / NUM_W))));
  const nameW = Math.max(10, Math.min(Math.max(10, Math.min(32, longestName)), room - essential.length * NUM_W));
  let left = room - nameW - essential.length * NUM_W;
  const cols = [...essential];
  for (const c of ([50, 95, 99] as const).filter((x) => x !== p && essential.length === 4)) {
    if (left - NUM_W < 9) break;
    cols.push(c);
    left -= NUM_W;
  }
  const order: Column[] = ['rate', 'err', 'drop', 50, 95, 99];
  cols.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return { nameW, cols, sparkW: left >= 5 ? left - 1 : 0 };
}

const pct = (v: number, theme: Theme): string => {
  const t = fitRight(v === 0 ? '0' : v.toFixed(1), NUM_W);
  return v >= 5 ? theme.bad(t) : t;
};

export function latencyView(stats: ServiceStats[], st: LatencyState, size: { width: number; height: number }, theme: Theme): LatencyView {
  const rows = sortServices(stats, st.sort, st.percentile);
  const num = NUM_W;
  const longest = rows.reduce((m, r) => Math.max(m, Array.from(r.service).length), 0);
  const { nameW, cols, sparkW } = latencyColumns(size.width, st.percentile, longest);
  const pLabel = `p${st.percentile}`;
  const title = (c: Column) => (c === 'rate' ? 'REQ/S' : c === 'err' ? 'ERR%' : c === 'drop' ? 'DROP%' : `P${c}`);
  // The trend's heading is never cut: the long form, the short one, or none.
  const trend = sparkW >= pLabel.length + 6 ? fit(`${pLabel} trend`, sparkW) : sparkW >= 5 ? fit('trend', sparkW) : '';
  const head = theme.header(`  ${fit('SERVICE', nameW)} ${cols.map((c) => fitRight(title(c), num)).join('')}${sparkW > 0 ? ' ' + trend : ''}`);
  const bodyHeight = Math.max(1, size.height - 1);
  const selIdx = rows.findIndex((r) => r.service === st.selected);
  let top = Math.min(st.scrollTop, Math.max(0, rows.length - bodyHeight));
  if (selIdx >= 0 && selIdx < top) top = selIdx;
  if (selIdx >= top + bodyHeight) top = selIdx - bodyHeight + 1;
  const lines = [head];
  for (const s of rows.slice(top, top + bodyHeight)) {
    const slow = isSlow(s, st.percentile);
    const cell = (c: Column): string => {
      if (c === 'rate') return fitRight(formatRate(s.rate), num);
      if (c === 'err') return pct(s.errorPct, theme);
      if (c === 'drop') return pct(s.dropPct, theme);
      const t = fitRight(formatMs(percentileOf(s, c)), num);
      return slow && c === st.percentile ? theme.bad(t) : t;
    };
    const mark = slow ? theme.bad(theme.glyph.up) : ' ';
    const spark = sparkW > 0 ? ' ' + (slow ? theme.bad(sparkline(s.series, sparkW, theme.glyph.ramp)) : theme.accent(sparkline(s.series, sparkW, theme.glyph.ramp))) : '';
    let line = `${mark} ${esc(fit(s.service, nameW))} ${cols.map(cell).join('')}${spark}`;
    if (s.service === st.selected) line = theme.selected(line);
    lines.push(line);
  }
  if (rows.length === 0) lines.push(theme.dim('no requests seen yet'));
  return { lines, scrollTop: top, title: `Latency sort:${st.sort} sparkline:${pLabel}`, order: rows.map((r) => r.service) };
}
