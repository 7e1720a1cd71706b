// What covers the panes: a registered view (:pods, :netpol, :nodes...), help (over a
// view, it returns to it), a flow's detail, "why", the command line. One at a time; it
// owns its scroll and its keys, and draws into the main area.
import type { MainView } from './registry.ts';
import { esc } from './text.ts';
import type { Theme } from './theme.ts';

type ViewOverlay = { kind: 'view'; view: MainView; name: string };
/** `under`: the view a help screen was opened over, shown again when help closes. */
type TextOverlay = { kind: 'help' | 'detail' | 'command'; title: string; lines: string[]; scroll: number; under?: ViewOverlay };
type Overlay = TextOverlay | ViewOverlay;

export interface Overlays {
  readonly isOpen: boolean;
  readonly isView: boolean;
  show(kind: 'detail' | 'command', title: string, lines: string[]): void;
  showView(name: string, view: MainView): void;
  /** Help, over the open view if there is one: `make` gets that view's title and keys. */
  showHelp(make: (under?: { title: string; keys: { keys: string; help: string }[] }) => { title: string; lines: string[] }): void;
  close(): void;
  /** Keys while something is open (false: nothing is): `?` asks for help, `:` for the palette. */
  key(full: string, ch: string | undefined, ask: { help(): void; palette(): void }): boolean;
  /** The label and content for the main area, or undefined when nothing is open. */
  draw(size: { width: number; height: number }, theme: Theme): { label: string; content: string } | undefined;
}

const STEP: Record<string, number> = { down: 1, j: 1, up: -1, k: -1, pagedown: 10, 'C-d': 10, pageup: -10, 'C-u': -10 };

export function createOverlays(): Overlays {
  let open: Overlay | null = null;
  const close = (): void => {
    if (open?.kind === 'view') open.view.dispose?.();
    else if (open?.under) open.under.view.dispose?.();
    open = null;
  };
  /** Esc: help goes back to the view it was opened over; anything else closes. */
  const back = (): void => {
    if (open && open.kind !== 'view' && open.under) open = open.under;
    else close();
  };
  return {
    get isOpen() {
      return open !== null;
    },
    get isView() {
      return open?.kind === 'view';
    },
    show(kind, title, lines) {
      open = { kind, title, lines, scroll: 0 };
    },
    showView(name, view) {
      close();
      open = { kind: 'view', name, view };
    },
    showHelp(make) {
      const under = open?.kind === 'view' ? open : open?.kind === 'help' ? open.under : undefined;
      if (open && open.kind !== 'view' && open.under === undefined && open.kind !== 'help') close();
      const h = make(under ? { title: under.view.title(), keys: under.view.keys ?? [] } : undefined);
      open = { kind: 'help', title: h.title, lines: h.lines, scroll: 0, under };
    },
    close,
    key(full, ch, ask) {
      if (!open) return false;
      if (open.kind === 'view') {
        if (full === '?') {
          ask.help();
          return true;
        }
        // The view first (it may be editing its own filter), then ours.
        if (open.view.onKey?.({ name: full, ch }) === true) return true;
        if (full === 'escape' || full === 'q') close();
        else if (full === ':') ask.palette();
        return true;
      }
      if (full === 'escape' || full === 'q' || (full === '?' && open.kind === 'help')) {
        back();
        return true;
      }
      if (STEP[full] !== undefined) open.scroll = Math.max(0, open.scroll + STEP[full]);
      else if (full === 'g' || full === 'home') open.scroll = 0;
      else if (full === 'S-g' || full === 'G' || full === 'end') open.scroll = open.lines.length;
      return true;
    },
    draw(size, theme) {
      if (!open) return undefined;
      if (open.kind === 'view') return { label: ` ${esc(open.view.title())} (Esc to close) `, content: open.view.lines(size, theme).join('\n') };
      open.scroll = Math.max(0, Math.min(open.scroll, open.lines.length - size.height));
      const more = open.lines.length > size.height ? ` ${open.scroll + 1}-${Math.min(open.lines.length, open.scroll + size.height)}/${open.lines.length}` : '';
      return { label: ` ${esc(open.title)}${more} (Esc to close) `, content: open.lines.slice(open.scroll, open.scroll + size.height).join('\n') };
    },
  };
}
