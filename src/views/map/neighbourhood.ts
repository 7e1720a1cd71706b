// The selected box's neighbourhood as a small map, for when the whole graph does not fit
// the pane: callers on the left, the box in the middle, callees on the right, busiest
// first, with each callee's rate and drops. Pure: graph in, tagged lines out.
import { esc, fit, fitRight } from '../text.ts';
import type { Theme } from '../theme.ts';
import type { MapEdge, MapGraph } from './graph.ts';
import { edgeMark } from './paint.ts';

/** At most `rows` + 1 lines (a title, then the rows), each at most `width` wide. */
export function neighbourhoodLines(g: MapGraph, selected: string, width: number, rows: number, theme: Theme): string[] {
  const box = g.boxes.find((b) => b.id === selected);
  if (!box || rows < 1 || width < 20) return [];
  const busiest = (a: MapEdge, b: MapEdge) => b.rate - a.rate || (a.from + a.to < b.from + b.to ? -1 : 1);
  const callers = g.edges.filter((e) => e.to === selected).sort(busiest);
  const callees = g.edges.filter((e) => e.from === selected).sort(busiest);
  const label = (id: string) => g.boxes.find((b) => b.id === id)?.label ?? id;
  const u = theme.unicode;
  const ch = { h: u ? '─' : '-', arrow: u ? '▶' : '>', tee: u ? '┬' : '+', mid: u ? '┤' : '+', end: u ? '┘' : '+', rtee: u ? '├' : '+', rend: u ? '└' : '+' };
  const n = Math.max(1, Math.min(rows, Math.max(callers.length, callees.length)));
  const shown = (list: MapEdge[]) => (list.length > n ? list.slice(0, n - 1) : list);
  const more = (list: MapEdge[]) => (list.length > n ? list.length - (n - 1) : 0);
  const mid = Array.from(box.label).length + 2;
  const side = Math.max(6, Math.floor((width - mid - 6) / 2));
  const title = `around ${box.id}: ${callers.length} caller${callers.length === 1 ? '' : 's'}, ${callees.length} callee${callees.length === 1 ? '' : 's'}`;
  const out = [theme.dim(esc(fit(`${u ? '╌' : '.'} ${title}`, width)))];
  const cl = shown(callers);
  const ce = shown(callees);
  const cLines = cl.length + (more(callers) > 0 ? 1 : 0);
  const eLines = ce.length + (more(callees) > 0 ? 1 : 0);
  for (let i = 0; i < n; i++) {
    // Left: the caller's name, then its connector into the box's row.
    let left = ' '.repeat(side + 2);
    if (i < cLines) {
      const name = i < cl.length ? label(cl[i].from) : `+${more(callers)} more`;
      const join = cLines === 1 ? ch.h : i === 0 ? ch.tee : i === cLines - 1 ? ch.end : ch.mid;
      const bad = i < cl.length && (cl[i].drops > 0 || cl[i].errors > 0);
      const t = esc(fitRight(name, side));
      left = `${bad ? theme.bad(t) : t}${ch.h}${join}`;
    }
    const centre = i === 0 ? `${callers.length > 0 ? ch.arrow : ' '}${theme.selected(esc(`[${box.label}]`))}` : ' '.repeat(mid + 1);
    let right = '';
    if (i < eLines) {
      const join = eLines === 1 ? ch.h : i === 0 ? ch.tee : i === eLines - 1 ? ch.rend : ch.rtee;
      const lead = i === 0 ? `${ch.h}${join}` : ` ${join}`;
      if (i < ce.length) {
        const m = edgeMark(ce[i], theme.glyph.drop);
        const room = Math.max(4, width - (side + 2) - (mid + 1) - 4 - Array.from(m.text).length - 1);
        right = `${lead}${ch.h}${ch.arrow} ${esc(fit(label(ce[i].to), room).trimEnd())} ${m.bad ? theme.bad(esc(m.text)) : theme.dim(esc(m.text))}`;
      } else right = `${lead}${ch.h} +${more(callees)} more`;
    } else if (i === 0) right = theme.dim(' (calls nothing)');
    out.push(`${left}${centre}${right}`);
  }
  return out;
}
