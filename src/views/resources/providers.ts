// ResourceProviders for the two kinds of model: a live cluster session and a static
// snapshot (the demo cluster).
import type { ClusterSession } from '../../k8s/session.ts';
import { listContexts } from '../../k8s/kubeconfig.ts';
import { findInSnapshot, loadSnapshot, type ClusterSnapshot } from '../../k8s/snapshot.ts';
import type { ResourceProvider } from './provider.ts';

export interface ProviderHooks {
  namespace?: string;
  showFlows?(filter: string): void;
  showLatency?(row: string): void;
  switchNamespace?(namespace: string): void;
}

export function snapshotProvider(snap: ClusterSnapshot, hooks: ProviderHooks = {}): ResourceProvider {
  const store = loadSnapshot(snap);
  return {
    ...hooks,
    store: () => store,
    contexts: () => [],
    namespace: () => hooks.namespace,
    fetch: async (kind, namespace, name) => findInSnapshot(snap, kind, namespace, name),
    subscribe: (listener) => store.onChange(listener),
  };
}

export function sessionProvider(session: ClusterSession, hooks: ProviderHooks = {}): ResourceProvider {
  let switchError: string | undefined;
  return {
    ...hooks,
    store: () => session.store,
    contexts: () => listContexts(session.target),
    namespace: () => hooks.namespace,
    fetch: (kind, namespace, name) => session.fetch(kind, namespace, name),
    subscribe: (listener) => {
      const sub = session.changes$.subscribe(listener);
      return () => sub.unsubscribe();
    },
    banner: () => {
      if (switchError !== undefined) return switchError;
      const line = session.statusLine();
      return line.state === 'connected' ? undefined : line.message;
    },
    switchContext: (name) => {
      switchError = undefined;
      session.switchContext(name).catch((err: unknown) => {
        switchError = err instanceof Error ? err.message : String(err);
      });
    },
  };
}
