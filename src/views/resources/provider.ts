// What the resource views need from the rest of the program: the model, the
// kubeconfig contexts and the full object for YAML (the flows and latency panes are
// reached through the view's ViewContext). The TUI builds one for the live cluster or for a snapshot (demo).
import type { ResourceKind } from '../../k8s/resources.ts';
import type { ClusterStore } from '../../k8s/store.ts';
import type { ContextRow } from '../../tables/kinds.ts';

export interface ResourceProvider {
  /** The current model, undefined until there is one. */
  store(): ClusterStore | undefined;
  contexts(): readonly ContextRow[];
  /** Namespace a view shows when opened without one (`:pods` vs `:pods shop`); undefined: all. */
  namespace(): string | undefined;
  /** Enter on `:ns`: views opened later show this namespace (undefined: all). */
  setNamespace?(namespace: string | undefined): void;
  /** The full object, for `y`. */
  fetch(kind: ResourceKind, namespace: string, name: string): Promise<unknown>;
  /** Calls `listener` when the model (or the model itself, after `:ctx`) changes. */
  subscribe(listener: () => void): () => void;
  /** One line about the connection when something is wrong (403, unreachable), else undefined. */
  banner?(): string | undefined;
  switchContext?(name: string): void;
  switchNamespace?(namespace: string): void;
}
