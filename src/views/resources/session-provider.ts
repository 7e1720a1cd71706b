// The ResourceProvider for a live cluster session: its model, the kubeconfig's
// contexts (Enter on :ctx switches), YAML fetched from the API server, a banner for
// connection problems.
import type { ClusterSession } from '../../k8s/session.ts';
import { listContexts } from '../../k8s/kubeconfig.ts';
import type { ResourceProvider } from './provider.ts';
import type { ProviderHooks } from './snapshot-provider.ts';

export function sessionProvider(session: ClusterSession, hooks: ProviderHooks = {}): ResourceProvider {
  let switchError: string | undefined;
  let namespace = hooks.namespace;
  return {
    ...hooks,
    store: () => session.store,
    contexts: () => listContexts(session.target),
    namespace: () => namespace,
    setNamespace: (ns) => {
      namespace = ns;
      if (ns !== undefined) hooks.switchNamespace?.(ns);
    },
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
