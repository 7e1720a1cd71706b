// Per-service RED table: requests/s, error %, p50/p95/p99 and a sparkline of the chosen
// percentile over the last minutes. A service whose current percentile is well above
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
    errors: (a, b) => b.errorPct - a.errorPct || byName(a, b),
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

/** Which columns fit in `width`: the chosen percentile and a sparkline first, then the others. */
export function latencyColumns(width: number, p: Percentile): { nameW: number; cols: ('rate' | 'err' | 50 | 95 | 99)[]; sparkW: number } {
  const num = 7;
  const nameW = Math.max(10, Math.min(28, Math.floor(width * 0.3)));
  const wanted: ('rate' | 'err' | 50 | 95 | 99)[] = ['rate', 'err', p, ...([50, 95, 99] as const).filter((x) => x !== p)];
  let room = width - 2 - nameW - 1;
  const cols: ('rate' | 'err' | 50 | 95 | 99)[] = [];
  for (const c of wanted) {
    // Keep at least 8 columns of sparkline once the essential three are in.
    const reserve = cols.length >= 3 ? 9 : 0;
    if (room - num >= reserve) {
      cols.push(c);
      room -= num;
    }
  }
  const order = ['rate', 'err', 50, 95, 99] as const;
  cols.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return { nameW, cols, sparkW: Math.max(0, room - 1) };
}

export function latencyView(stats: ServiceStats[], st: LatencyState, size: { width: number; height: number }, theme: Theme): LatencyView {
  const rows = sortServices(stats, st.sort, st.percentile);
  const num = 7;
  const { nameW, cols, sparkW } = latencyColumns(size.width, st.percentile);
  const pLabel = `p${st.percentile}`;
  const title = (c: (typeof cols)[number]) => (c === 'rate' ? 'REQ/S' : c === 'err' ? 'ERR%' : `P${c}`);
  const head = theme.header(`  ${fit('SERVICE', nameW)} ${cols.map((c) => fitRight(title(c), num)).join('')}${sparkW > 0 ? ' ' + fit(`${pLabel} trend`, sparkW) : ''}`);
  const bodyHeight = Math.max(1, size.height - 1);
  const selIdx = rows.findIndex((r) => r.service === st.selected);
  let top = Math.min(st.scrollTop, Math.max(0, rows.length - bodyHeight));
  if (selIdx >= 0 && selIdx < top) top = selIdx;
  if (selIdx >= top + bodyHeight) top = selIdx - bodyHeight + 1;
  const lines = [head];
  for (const s of rows.slice(top, top + bodyHeight)) {
    const slow = isSlow(s, st.percentile);
    const cell = (c: (typeof cols)[number]): string => {
      if (c === 'rate') return fitRight(formatRate(s.rate), num);
      if (c === 'err') {
        const t = fitRight(s.errorPct === 0 ? '0' : s.errorPct.toFixed(1), num);
        return s.errorPct >= 5 ? theme.bad(t) : t;
      }
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
