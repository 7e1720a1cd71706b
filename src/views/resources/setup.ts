// Wires the resource views into the TUI for the live cluster of a kubeconfig (with
// its flows source, if any). Loads the Kubernetes client: import lazily.
import type { Source } from '../../model/source.ts';
import type { KubeConfigOptions } from '../../k8s/kubeconfig-files.ts';
import type { KubeTarget } from '../../k8s/kubeconfig.ts';
import { createClusterSource } from '../../sources/cluster.ts';
import type { ClusterSession } from '../../k8s/session.ts';
import { registerResourceViews } from './register.ts';
import type { ResourceProvider } from './provider.ts';
import type { PaletteObjects } from '../palette.ts';
import { sessionProvider } from './session-provider.ts';
import type { ProviderHooks } from './snapshot-provider.ts';
import type { ClusterStore } from '../../k8s/store.ts';

/**
 * The cluster source for the TUI (follows forever; enriches `flows` when given) with
 * :pods :svc :netpol :nodes :ns :ctx registered on its live session, and the names the
 * `:` palette completes (namespaces, services, pods) read from the same model.
 * Throws KubeConfigError (one line) when the kubeconfig or context is broken.
 */
export function clusterForTui(
  kube: KubeConfigOptions,
  flows: Source | undefined,
  hooks: ProviderHooks = {},
  /** Without `flows`: where to look for them in the cluster (Hubble Relay). */
  discoverFlows?: (target: KubeTarget) => Promise<Source>,
): { source: Source; objects: () => PaletteObjects; model: () => ClusterStore | undefined } {
  let current: ResourceProvider | undefined;
  // Views look the provider up when they render, so a re-subscribed source is followed.
  const onSession = (s: ClusterSession): void => {
    current = sessionProvider(s, hooks);
  };
  const source = createClusterSource({ kube, flows, follow: true, onSession, discoverFlows });
  registerResourceViews(lazyProvider(() => current));
  const objects = (): PaletteObjects => {
    const store = current?.store();
    if (!store) return { namespaces: [], services: [], pods: [] };
    const q = (o: { namespace: string; name: string }): string => `${o.namespace}/${o.name}`;
    return {
      namespaces: store.list('Namespace').map((n) => n.name),
      services: store.list('Service').map(q),
      pods: store.list('Pod').map(q),
    };
  };
  return { source, objects, model: () => current?.store() };
}

function lazyProvider(get: () => ResourceProvider | undefined): ResourceProvider {
  return {
    store: () => get()?.store(),
    contexts: () => get()?.contexts() ?? [],
    namespace: () => get()?.namespace(),
    setNamespace: (ns) => get()?.setNamespace?.(ns),
    fetch: async (kind, namespace, name) => get()?.fetch(kind, namespace, name),
    subscribe: (listener) => get()?.subscribe(listener) ?? (() => undefined),
    banner: () => (get() ? get()!.banner?.() : 'connecting to the cluster…'),
    switchContext: (name) => get()?.switchContext?.(name),
  };
}
