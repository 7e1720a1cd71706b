// Extension point for views in the main area, reachable from the `:` palette.
//
//   import { registerView } from './registry.ts';
//   registerView({
//     name: 'pods', aliases: ['po'], summary: 'Pods of the cluster',
//     create: (ctx) => ({
//       title: () => 'Pods',
//       lines: (size, theme) => [...],        // pure "render to lines", blessed tags allowed
//       onKey: (key) => true,                 // optional: return true when the key was used
//       dispose: () => {},                    // optional: unsubscribe from the cluster model
//     }),
//   });
//
// The TUI swaps its whole main area (the panes) to the view when `:<name> [arg]` runs
// from the palette; Esc returns to the panes. `ctx.requestFrame()` asks for a redraw
// (at most once per frame) after the view's data changed; `ctx.arg` is the text after
// the name (`:pods shop` -> 'shop'); `ctx.showFlows(filter)` / `ctx.showLatency(svc)`
// leave the view for the panes, filtered / on that service. Text from the cluster must go through esc() from
// ./text.ts (sanitize + tag escape) before it is returned in lines.
import type { Theme } from './theme.ts';
import type { KeyIn } from './line-editor.ts';

export interface MainView {
  title(): string;
  lines(size: { width: number; height: number }, theme: Theme): string[];
  onKey?(key: KeyIn): boolean;
  /** Keys this view handles, for the `?` help. */
  keys?: { keys: string; help: string }[];
  dispose?(): void;
}

export interface ViewContext {
  arg: string;
  requestFrame(): void;
  /**
   * Closes the view and applies `observe` filter flags (e.g. `--pod shop/cart-1`) to the
   * panes, as if typed in the filter bar. Returns the one-line error for an invalid filter
   * (the view stays open and the previous filter is kept), undefined on success.
   */
  showFlows(filterText: string): string | undefined;
  /** Closes the view and shows the latency pane with `service` (`namespace/name`) selected. */
  showLatency(service: string): void;
}

export interface ViewRegistration {
  name: string;
  aliases?: string[];
  summary: string;
  create(ctx: ViewContext): MainView;
}

const views = new Map<string, ViewRegistration>();

export function registerView(reg: ViewRegistration): void {
  views.set(reg.name, reg);
}

export function registeredViews(): ViewRegistration[] {
  return [...views.values()];
}

export function findView(nameOrAlias: string): ViewRegistration | undefined {
  return views.get(nameOrAlias) ?? [...views.values()].find((v) => v.aliases?.includes(nameOrAlias));
}
