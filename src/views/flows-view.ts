// The live flows pane: view model (which flows are on which rows, selection, pause) and
// the lines it draws. The rows index the ring buffer by sequence number, so a selected
// flow stays selected while newer flows arrive, and a paused view keeps showing what was
// there while ingestion continues behind it.
import type { Flow } from '../model/flow.ts';
import type { RingBuffer } from '../streams/ring-buffer.ts';
import { endpointLabel, flowSummary, protocolOf } from './flow-format.ts';
import { clock, esc, fit } from './text.ts';
import type { Theme } from './theme.ts';

export interface FlowsState {
  newestFirst: boolean;
  /** Sequence number of the selected flow; null follows the newest one. */
  selectedSeq: number | null;
  scrollTop: number;
  /** End sequence frozen at pause time, or null when live. */
  pausedAt: number | null;
}

export function initialFlowsState(): FlowsState {
  return { newestFirst: true, selectedSeq: null, scrollTop: 0, pausedAt: null };
}

interface Span {
  start: number;
  end: number;
}

function span(buf: RingBuffer<Flow>, st: FlowsState): Span {
  const end = st.pausedAt === null ? buf.endSeq : Math.min(st.pausedAt, buf.endSeq);
  return { start: Math.min(buf.startSeq, end), end };
}

function rowToSeq(s: Span, st: FlowsState, row: number): number {
  return st.newestFirst ? s.end - 1 - row : s.start + row;
}

function seqToRow(s: Span, st: FlowsState, seq: number): number {
  return st.newestFirst ? s.end - 1 - seq : seq - s.start;
}

/** Sequence number of the selected flow (resolving "follow newest" and evictions), or undefined when empty. */
export function selectedSeq(buf: RingBuffer<Flow>, st: FlowsState): number | undefined {
  const s = span(buf, st);
  if (s.end <= s.start) return undefined;
  if (st.selectedSeq === null) return s.end - 1;
  return Math.min(Math.max(st.selectedSeq, s.start), s.end - 1);
}

export function selectedFlow(buf: RingBuffer<Flow>, st: FlowsState): Flow | undefined {
  const seq = selectedSeq(buf, st);
  return seq === undefined ? undefined : buf.bySeq(seq);
}

export type Move = { by: number } | 'top' | 'bottom';

/** Moves the selection; landing on the newest flow resumes following. */
export function moveSelection(buf: RingBuffer<Flow>, st: FlowsState, move: Move): FlowsState {
  const s = span(buf, st);
  const count = s.end - s.start;
  if (count === 0) return st;
  const cur = selectedSeq(buf, st)!;
  let row = seqToRow(s, st, cur);
  if (move === 'top') row = 0;
  else if (move === 'bottom') row = count - 1;
  else row = Math.min(Math.max(row + move.by, 0), count - 1);
  const seq = rowToSeq(s, st, row);
  return { ...st, selectedSeq: seq === s.end - 1 && st.pausedAt === null ? null : seq };
}

export function togglePause(buf: RingBuffer<Flow>, st: FlowsState): FlowsState {
  if (st.pausedAt !== null) return { ...st, pausedAt: null };
  return { ...st, pausedAt: buf.endSeq, selectedSeq: selectedSeq(buf, st) ?? null };
}

export function toggleOrder(st: FlowsState): FlowsState {
  return { ...st, newestFirst: !st.newestFirst, scrollTop: 0 };
}

/** Flows that arrived (and were kept) since pausing. */
export function pendingWhilePaused(buf: RingBuffer<Flow>, st: FlowsState): number {
  return st.pausedAt === null ? 0 : Math.max(0, buf.endSeq - st.pausedAt);
}

export interface FlowsView {
  lines: string[];
  /** The scroll position actually used (kept in state so the view does not jump). */
  scrollTop: number;
  title: string;
}

/** Column widths for a pane `width` wide: time, src, dst, proto, verdict, summary. */
export function flowColumns(width: number): { src: number; dst: number; summary: number } {
  const fixed = 12 + 1 + 4 + 1 + 6 + 1 + 10 + 1;
  const rest = Math.max(0, width - fixed);
  const ep = Math.max(8, Math.floor(rest * 0.32));
  return { src: ep, dst: ep, summary: Math.max(0, rest - 2 * ep) };
}

export function formatFlowLine(flow: Flow, width: number, theme: Theme): string {
  const c = flowColumns(width);
  const verdict = flow.verdict ?? 'UNKNOWN';
  return [
    theme.dim(esc(clock(flow.time))),
    ' ',
    esc(fit(endpointLabel(flow, 'source'), c.src)),
    ' -> ',
    esc(fit(endpointLabel(flow, 'destination'), c.dst)),
    ' ',
    esc(fit(protocolOf(flow), 6)),
    ' ',
    theme.verdict(flow.verdict, esc(fit(verdict, 10))),
    ' ',
    esc(fit(flowSummary(flow), c.summary)),
  ].join('');
}

export function flowsView(buf: RingBuffer<Flow>, st: FlowsState, size: { width: number; height: number }, theme: Theme): FlowsView {
  const s = span(buf, st);
  const count = s.end - s.start;
  const bodyHeight = Math.max(1, size.height - 1);
  const sel = selectedSeq(buf, st);
  const selRow = sel === undefined ? 0 : seqToRow(s, st, sel);
  let top = Math.min(st.scrollTop, Math.max(0, count - bodyHeight));
  if (selRow < top) top = selRow;
  if (selRow >= top + bodyHeight) top = selRow - bodyHeight + 1;
  const c = flowColumns(size.width);
  const head = theme.header(fit('TIME', 13) + fit('SOURCE', c.src) + '    ' + fit('DESTINATION', c.dst) + ' ' + fit('PROTO', 7) + fit('VERDICT', 11) + 'SUMMARY');
  const lines = [head];
  for (let row = top; row < Math.min(count, top + bodyHeight); row++) {
    const seq = rowToSeq(s, st, row);
    const flow = buf.bySeq(seq);
    if (!flow) continue;
    const line = formatFlowLine(flow, size.width, theme);
    lines.push(seq === sel ? theme.selected(line) : line);
  }
  if (count === 0) lines.push(theme.dim('no flows match yet'));
  const order = st.newestFirst ? 'newest first' : 'oldest first';
  const paused = st.pausedAt !== null ? ` PAUSED +${pendingWhilePaused(buf, st)}` : '';
  const pos = sel === undefined ? 0 : selRow + 1;
  return { lines, scrollTop: top, title: `Flows [${pos}/${count}] ${order}${paused}` };
}
