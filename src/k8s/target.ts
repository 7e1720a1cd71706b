// What a cluster connection needs once its config is loaded: the server, the names for
// messages, and how to authenticate a request. Kept free of @kubernetes/client-node
// (type imports only) so the in-cluster path never loads it (docs/agent.md, "Memory").
import type https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** Adds credentials (headers, TLS material) to one request; called per request because tokens rotate. */
export interface RequestAuth {
  apply(opts: https.RequestOptions): Promise<void>;
}

export interface KubeTarget {
  /** The merged kubeconfig files; absent for the in-cluster service account. */
  kc?: KubeConfig;
  auth: RequestAuth;
  contextName: string;
  clusterName: string;
  userName: string;
  server: string;
  /** Namespace from -n, else the context's, else `default`. */
  namespace: string;
  /** Where the config came from: file paths, or `in-cluster`. */
  origin: string;
}
