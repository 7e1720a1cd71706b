// The Kubernetes cluster as a Source: keeps a live model (list+watch) while
// subscribed, reports the connection in status events (one line each), and enriches
// the flows of another source with it. Without one, it can look for Hubble Relay in the
// cluster (discoverFlows) and read it through a port-forward; the status says what it
// connected to, or why not.
import type { Source } from '../model/source.ts';
import { loadKubeConfig } from '../k8s/kubeconfig.ts';
import { clusterSourceFor, type ClusterSourceOptions } from './cluster-target.ts';

export { clusterSourceFor, type ClusterSourceOptions } from './cluster-target.ts';

/**
 * Loads the kubeconfig now (a broken one throws KubeConfigError: one line naming the
 * file, field or context) and returns a cold Source that connects on subscribe.
 */
export function createClusterSource(opts: ClusterSourceOptions): Source {
  return clusterSourceFor(loadKubeConfig(opts.kube), opts);
}
