// The `:` command palette, k9s style: `:flows`, `:topology`, `:latency`, `:help`,
// `:quit`, `:ns shop`, `:svc cart`, `:pod front`, and any view registered in
// ./registry.ts. Fuzzy matching (fuse.js) over commands and cluster object names; the
// result is a value describing what to do, which the app performs.
import Fuse from 'fuse.js';
import { registeredViews } from './registry.ts';

export type PaletteAction =
  | { type: 'pane'; pane: 'topology' | 'flows' | 'latency' | 'detail' }
  | { type: 'help' }
  | { type: 'quit' }
  | { type: 'namespace'; name: string }
  | { type: 'service'; name: string }
  | { type: 'pod'; name: string }
  | { type: 'view'; name: string; arg: string };

export interface PaletteItem {
  label: string;
  help: string;
  action: PaletteAction;
}

export interface PaletteObjects {
  namespaces: Iterable<string>;
  /** `ns/name` */
  services: Iterable<string>;
  /** `ns/name` */
  pods: Iterable<string>;
}

const BUILTIN: PaletteItem[] = [
  { label: 'flows', help: 'focus the flows pane', action: { type: 'pane', pane: 'flows' } },
  { label: 'topology', help: 'focus the service map', action: { type: 'pane', pane: 'topology' } },
  { label: 'latency', help: 'focus the latency table', action: { type: 'pane', pane: 'latency' } },
  { label: 'detail', help: 'focus the detail pane', action: { type: 'pane', pane: 'detail' } },
  { label: 'help', help: 'keys of the focused pane', action: { type: 'help' } },
  { label: 'quit', help: 'leave netscope', action: { type: 'quit' } },
];

const OBJECT_PREFIXES: Record<string, 'namespace' | 'service' | 'pod'> = {
  ns: 'namespace',
  namespace: 'namespace',
  namespaces: 'namespace',
  svc: 'service',
  service: 'service',
  services: 'service',
  pod: 'pod',
  po: 'pod',
  pods: 'pod',
};

function objectItems(kind: 'namespace' | 'service' | 'pod', names: Iterable<string>): PaletteItem[] {
  const short = kind === 'namespace' ? 'ns' : kind === 'service' ? 'svc' : 'pod';
  return [...new Set(names)].sort().map((name) => ({ label: `${short} ${name}`, help: `focus ${kind} ${name}`, action: { type: kind, name } }));
}

function fuzzy<T>(items: T[], query: string, keys: string[], limit: number): T[] {
  if (query === '') return items.slice(0, limit);
  const fuse = new Fuse(items, { keys, threshold: 0.4, ignoreLocation: true });
  return fuse.search(query, { limit }).map((r) => r.item);
}

/** Matches for the palette text, best first. */
export function paletteMatches(text: string, objects: PaletteObjects, limit = 8): PaletteItem[] {
  const trimmed = text.trim();
  const [head = '', ...restWords] = trimmed.split(/\s+/);
  const rest = restWords.join(' ');
  const views = registeredViews();
  const kind = OBJECT_PREFIXES[head];
  // A registered view wins over the built-in object shortcuts of the same name.
  const view = views.find((v) => v.name === head || v.aliases?.includes(head));
  const viewItem: PaletteItem[] = view ? [{ label: `${view.name}${rest ? ' ' + rest : ''}`, help: view.summary, action: { type: 'view', name: view.name, arg: rest } }] : [];
  // `:svc cart` jumps to the object (the palette); the view of the same name,
  // narrowed to the argument, is offered next (Tab selects it). `:svc` alone opens the view.
  if (kind && restWords.length > 0) {
    const names = kind === 'namespace' ? objects.namespaces : kind === 'service' ? objects.services : objects.pods;
    const items = objectItems(kind, names);
    return [...fuzzy(items, rest, ['action.name'], limit), ...viewItem].slice(0, limit);
  }
  if (viewItem.length > 0) return viewItem;
  const all: PaletteItem[] = [
    ...BUILTIN,
    ...views.map((v) => ({ label: v.name, help: v.summary, action: { type: 'view', name: v.name, arg: '' } as PaletteAction })),
    ...objectItems('namespace', objects.namespaces),
    ...objectItems('service', objects.services),
    ...objectItems('pod', objects.pods),
  ];
  const exact = all.filter((i) => i.label === trimmed);
  if (exact.length > 0) return exact;
  return fuzzy(all, trimmed, ['label'], limit);
}
