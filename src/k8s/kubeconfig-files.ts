// Where kubectl would look for a kubeconfig. Kept free of the Kubernetes client so
// choosing a default source costs nothing at start-up (client-node loads slowly).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigOptions {
  /** --kubeconfig: one file (or a KUBECONFIG-style list). */
  kubeconfig?: string;
  /** --context */
  context?: string;
  /** -n/--namespace; defaults to the context's namespace, then `default`. */
  namespace?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  serviceAccountDir?: string;
}

/** The kubeconfig files kubectl would read, in precedence order (may be empty). */
export function kubeconfigFiles(opts: KubeConfigOptions = {}): string[] {
  const env = opts.env ?? process.env;
  if (opts.kubeconfig !== undefined && opts.kubeconfig !== '') return opts.kubeconfig.split(delimiter).filter((f) => f !== '');
  if (env.KUBECONFIG !== undefined && env.KUBECONFIG !== '') {
    // kubectl skips files of the KUBECONFIG list that do not exist. When none exists, the
    // list is kept so that loading names the missing file instead of silently finding no cluster.
    const listed = env.KUBECONFIG.split(delimiter).filter((f) => f !== '');
    const present = listed.filter((f) => existsSync(f));
    return present.length > 0 ? present : listed;
  }
  const file = join(opts.home ?? env.HOME ?? homedir(), '.kube', 'config');
  return existsSync(file) ? [file] : [];
}

export function inClusterAvailable(opts: KubeConfigOptions): boolean {
  const env = opts.env ?? process.env;
  const dir = opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  return (env.KUBERNETES_SERVICE_HOST ?? '') !== '' && existsSync(join(dir, 'token'));
}

/** True when a cluster is configured at all (a kubeconfig file or in-cluster credentials). */
export function hasClusterConfig(opts: KubeConfigOptions = {}): boolean {
  const files = kubeconfigFiles(opts);
  // An explicit KUBECONFIG pointing at nothing readable still counts: loading will say why.
  return files.length > 0 || inClusterAvailable(opts);
}

