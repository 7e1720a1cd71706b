// The ResourceProvider for a static snapshot (the demo cluster). Kept apart from the
// live-session provider so the demo never loads the Kubernetes client.
import { findInSnapshot, loadSnapshot, type ClusterSnapshot } from '../../k8s/snapshot.ts';
import type { ResourceProvider } from './provider.ts';
import { registerResourceViews } from './register.ts';

export interface ProviderHooks {
  namespace?: string;
  switchNamespace?(namespace: string): void;
}

export function snapshotProvider(snap: ClusterSnapshot, hooks: ProviderHooks = {}): ResourceProvider {
  const store = loadSnapshot(snap);
  let namespace = hooks.namespace;
  return {
    ...hooks,
    store: () => store,
    contexts: () => [],
    namespace: () => namespace,
    setNamespace: (ns) => {
      namespace = ns;
      if (ns !== undefined) hooks.switchNamespace?.(ns);
    },
    fetch: async (kind, namespace, name) => findInSnapshot(snap, kind, namespace, name),
    subscribe: (listener) => store.onChange(listener),
  };
}


/** Registers :pods :svc :netpol :nodes :ns on a static snapshot (the demo cluster); returns their provider (its store feeds the map). */
export function registerSnapshotViews(snap: ClusterSnapshot, hooks: ProviderHooks = {}): ResourceProvider {
  const provider = snapshotProvider(snap, hooks);
  registerResourceViews(provider);
  return provider;
}
