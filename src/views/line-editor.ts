// A one-line text editor as a pure state machine (the filter bar and the palette use
// it): insert, delete, cursor moves, readline-style kill keys, history on up/down.

export interface LineEditor {
  text: string;
  cursor: number;
  history: string[];
  /** Position while browsing history (history.length = the draft being typed). */
  histIndex: number;
  draft: string;
}

export interface KeyIn {
  name?: string;
  ch?: string;
  ctrl?: boolean;
  meta?: boolean;
}

export function newEditor(text = '', history: string[] = []): LineEditor {
  return { text, cursor: text.length, history, histIndex: history.length, draft: text };
}

export function setText(e: LineEditor, text: string, cursor = text.length): LineEditor {
  return { ...e, text, cursor, histIndex: e.history.length, draft: text };
}

/** Adds a line to the history (no consecutive duplicates, bounded). */
export function remember(history: string[], line: string, max = 100): string[] {
  if (line.trim() === '' || history[history.length - 1] === line) return history;
  const h = [...history, line];
  return h.length > max ? h.slice(h.length - max) : h;
}

/** Applies one key; returns the same object when the key is not an editing key. */
export function editKey(e: LineEditor, k: KeyIn): LineEditor {
  const { text, cursor } = e;
  if (k.ctrl) {
    switch (k.name) {
      case 'a':
        return { ...e, cursor: 0 };
      case 'e':
        return { ...e, cursor: text.length };
      case 'u':
        return setText(e, text.slice(cursor), 0);
      case 'k':
        return setText(e, text.slice(0, cursor), cursor);
      case 'w': {
        const before = text.slice(0, cursor).replace(/\S+\s*$/, '');
        return setText(e, before + text.slice(cursor), before.length);
      }
      default:
        return e;
    }
  }
  switch (k.name) {
    case 'backspace':
      if (cursor === 0) return e;
      return setText(e, text.slice(0, cursor - 1) + text.slice(cursor), cursor - 1);
    case 'delete':
      return setText(e, text.slice(0, cursor) + text.slice(cursor + 1), cursor);
    case 'left':
      return { ...e, cursor: Math.max(0, cursor - 1) };
    case 'right':
      return { ...e, cursor: Math.min(text.length, cursor + 1) };
    case 'home':
      return { ...e, cursor: 0 };
    case 'end':
      return { ...e, cursor: text.length };
    case 'up': {
      if (e.histIndex === 0) return e;
      const i = e.histIndex - 1;
      const draft = e.histIndex === e.history.length ? text : e.draft;
      return { ...e, histIndex: i, text: e.history[i], cursor: e.history[i].length, draft };
    }
    case 'down': {
      if (e.histIndex >= e.history.length) return e;
      const i = e.histIndex + 1;
      const t = i === e.history.length ? e.draft : e.history[i];
      return { ...e, histIndex: i, text: t, cursor: t.length };
    }
  }
  const ch = k.ch;
  // Printable characters only: control characters never enter the line.
  if (ch !== undefined && ch.length >= 1 && !/[\u0000-\u001f\u007f]/.test(ch) && !k.meta) {
    return setText(e, text.slice(0, cursor) + ch + text.slice(cursor), cursor + ch.length);
  }
  return e;
}

/** The line with a visible cursor (inverse) for drawing; text must be escaped by the caller's esc. */
export function renderWithCursor(e: LineEditor, escape: (s: string) => string): string {
  const at = e.text[e.cursor] ?? ' ';
  return `${escape(e.text.slice(0, e.cursor))}{inverse}${escape(at)}{/inverse}${escape(e.text.slice(e.cursor + 1))}`;
}
