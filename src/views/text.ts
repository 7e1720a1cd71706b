// Plain-text helpers for "render to lines": cluster strings are sanitized and then
// escaped for blessed's tag parser, and widths are computed on the plain text before
// any colour tags are added.
import { sanitize } from '../model/sanitize.ts';

/** Sanitized, tag-escaped text: safe to put inside a blessed `tags: true` box. */
export function esc(s: string): string {
  return sanitize(s).replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));
}

/** Truncates (with an ellipsis) or right-pads `s` to exactly `width` characters. */
export function fit(s: string, width: number, ellipsis = '…'): string {
  if (width <= 0) return '';
  const chars = Array.from(s);
  if (chars.length > width) return width === 1 ? ellipsis : chars.slice(0, width - 1).join('') + ellipsis;
  return s + ' '.repeat(width - chars.length);
}

/** Left-pads to `width` (numbers in columns), truncating if needed. */
export function fitRight(s: string, width: number): string {
  const n = Array.from(s).length;
  return n >= width ? fit(s, width) : ' '.repeat(width - n) + s;
}

/** Removes blessed tags and unescapes {open}/{close}: what the terminal would show. */
export function stripTags(line: string): string {
  return line.replace(/\{(\/?[a-z0-9-]*|\/)\}/g, (m) => (m === '{open}' ? '{' : m === '{close}' ? '}' : ''));
}

export function formatRate(r: number): string {
  if (r === 0) return '0';
  if (r < 10) return r.toFixed(1);
  if (r < 10_000) return Math.round(r).toString();
  return `${(r / 1000).toFixed(0)}k`;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 100) return `${ms.toFixed(1)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** HH:MM:SS.mmm in UTC (clusters span time zones; Hubble prints UTC too). */
export function clock(time: string | undefined): string {
  if (!time) return '--:--:--.---';
  const t = Date.parse(time);
  if (Number.isNaN(t)) return fit(time, 12);
  return new Date(t).toISOString().slice(11, 23);
}
