// The in-cluster service account as a KubeTarget, without @kubernetes/client-node
// (~7 MB of RSS in the single binary, ~77 MB imported in a bare Node): the server from
// KUBERNETES_SERVICE_HOST/PORT, the CA and bearer token from the service account's
// files. Both files are read for every request, as client-node's token-file auth
// does: bound service-account tokens are rotated by the kubelet (about hourly), and
// the agent's requests are few (one list and one watch per kind, then re-watches).
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type https from 'node:https';
import { join } from 'node:path';
import { inClusterAvailable, kubeconfigFiles, SERVICE_ACCOUNT_DIR, type KubeConfigOptions } from './kubeconfig-files.ts';
import type { KubeTarget, RequestAuth } from './target.ts';

/** The kubectl/client-node rule: these ports mean plain HTTP, any other HTTPS. */
const PLAIN_HTTP_PORTS = new Set(['80', '8080', '8001']);

export function inClusterServer(env: NodeJS.ProcessEnv): string {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const scheme = PLAIN_HTTP_PORTS.has(port) ? 'http' : 'https';
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

async function readCredential(file: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`service account ${what} ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (text.trim() === '') throw new Error(`service account ${what} ${file} is empty`);
  return text;
}

/** Bearer token from `tokenFile`, and for HTTPS the CA from `caFile`, re-read per request. */
export function serviceAccountAuth(tokenFile: string, caFile: string, tls: boolean): RequestAuth {
  return {
    async apply(opts: https.RequestOptions): Promise<void> {
      const token = (await readCredential(tokenFile, 'token')).trim();
      opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
      if (tls) opts.ca = await readCredential(caFile, 'CA');
    },
  };
}

/**
 * kubectl's order: the service account's target when no kubeconfig file is found and the
 * pod has one; undefined otherwise (kubeconfig.ts then loads the files, or says none exist).
 */
export function inClusterTarget(opts: KubeConfigOptions): KubeTarget | undefined {
  return kubeconfigFiles(opts).length === 0 && inClusterAvailable(opts) ? loadInCluster(opts) : undefined;
}

/** The service account's target (namespace from its namespace file unless given). */
export function loadInCluster(opts: KubeConfigOptions): KubeTarget {
  const env = opts.env ?? process.env;
  const dir = opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const server = inClusterServer(env);
  let ns = opts.namespace;
  if (ns === undefined) {
    try {
      ns = readFileSync(join(dir, 'namespace'), 'utf8').trim() || 'default';
    } catch {
      ns = 'default';
    }
  }
  return {
    auth: serviceAccountAuth(join(dir, 'token'), join(dir, 'ca.crt'), server.startsWith('https:')),
    contextName: 'inClusterContext',
    clusterName: 'inCluster',
    userName: 'inClusterUser',
    server,
    namespace: ns,
    origin: 'in-cluster',
  };
}
