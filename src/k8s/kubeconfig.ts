// Loads the user's kubeconfig with kubectl's conventions: --kubeconfig, else the
// KUBECONFIG list (first file wins for duplicate names and current-context), else
// ~/.kube/config, else the in-cluster service account. Every failure is one line
// naming the culprit (file, field, context).
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { parseDocument } from 'yaml';
import { sanitize } from '../model/sanitize.ts';
import { inClusterAvailable, kubeconfigFiles, SERVICE_ACCOUNT_DIR, type KubeConfigOptions } from './kubeconfig-files.ts';
import { yamlSyntaxError } from '../model/yaml-errors.ts';

export { hasClusterConfig, kubeconfigFiles, SERVICE_ACCOUNT_DIR, type KubeConfigOptions } from './kubeconfig-files.ts';

export interface KubeTarget {
  kc: KubeConfig;
  contextName: string;
  clusterName: string;
  userName: string;
  server: string;
  /** Namespace from -n, else the context's, else `default`. */
  namespace: string;
  /** Where the config came from: file paths, or `in-cluster`. */
  origin: string;
}

/** A kubeconfig problem; the message is one line naming file/field/context. */
export class KubeConfigError extends Error {
  constructor(message: string) {
    // Names come from the file: shown escaped, never as terminal control sequences.
    super(sanitize(message));
    this.name = 'KubeConfigError';
  }
}

function oneLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

function loadFile(file: string): KubeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new KubeConfigError(`kubeconfig ${file}: cannot read (${code})`);
  }
  const doc = parseDocument(text);
  const syntax = yamlSyntaxError(`kubeconfig ${file}`, doc);
  if (syntax) throw new KubeConfigError(syntax);
  const root: unknown = doc.toJS();
  if (root !== null && root !== undefined && (typeof root !== 'object' || Array.isArray(root))) {
    throw new KubeConfigError(`kubeconfig ${file}: not a kubeconfig (expected a mapping with clusters, users, contexts)`);
  }
  const kc = new KubeConfig();
  if (root === null || root === undefined) return kc; // an empty file is valid and contributes nothing
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new KubeConfigError(`kubeconfig ${file}: ${oneLine(err instanceof Error ? err.message : String(err))}`);
  }
  return kc;
}

/** Merges kubeconfigs like kubectl: the first file to define a name or current-context wins. */
function merge(configs: KubeConfig[]): KubeConfig {
  const out = new KubeConfig();
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let current = '';
  for (const kc of configs) {
    for (const c of kc.clusters ?? []) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of kc.users ?? []) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of kc.contexts ?? []) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (current === '' && kc.currentContext) current = kc.currentContext;
  }
  out.clusters = [...clusters.values()];
  out.users = [...users.values()];
  out.contexts = [...contexts.values()];
  out.currentContext = current;
  return out;
}

function available(kc: KubeConfig): string {
  const names = kc.contexts.map((c) => c.name);
  return names.length === 0 ? 'the kubeconfig defines no contexts' : `available: ${names.join(', ')}`;
}

/** Points `kc` at `contextName` and checks the context's cluster and user exist. */
function selectContext(kc: KubeConfig, contextName: string, origin: string, namespace: string | undefined): KubeTarget {
  if (contextName === '') {
    throw new KubeConfigError(`kubeconfig ${origin}: no current-context set; pass --context (${available(kc)})`);
  }
  const ctx = kc.getContextObject(contextName);
  if (!ctx) throw new KubeConfigError(`context "${contextName}" not found in kubeconfig ${origin} (${available(kc)})`);
  const cluster = kc.getCluster(ctx.cluster);
  if (!cluster) {
    throw new KubeConfigError(`kubeconfig ${origin}: context "${contextName}" names cluster "${ctx.cluster}", which is not defined`);
  }
  if (ctx.user && !kc.getUser(ctx.user)) {
    throw new KubeConfigError(`kubeconfig ${origin}: context "${contextName}" names user "${ctx.user}", which is not defined`);
  }
  try {
    const u = new URL(cluster.server);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
  } catch {
    throw new KubeConfigError(`kubeconfig ${origin}: clusters["${cluster.name}"].server is not an http(s) URL: "${cluster.server}"`);
  }
  kc.setCurrentContext(contextName);
  return {
    kc,
    contextName,
    clusterName: cluster.name,
    userName: ctx.user ?? '',
    server: cluster.server,
    namespace: namespace ?? (ctx.namespace || 'default'),
    origin,
  };
}

/** Loads the kubeconfig and selects the context; throws KubeConfigError with one line. */
export function loadKubeConfig(opts: KubeConfigOptions = {}): KubeTarget {
  const files = kubeconfigFiles(opts);
  if (files.length === 0) {
    if (inClusterAvailable(opts)) return loadInCluster(opts);
    throw new KubeConfigError('no kubeconfig found (set KUBECONFIG, pass --kubeconfig, or create ~/.kube/config)');
  }
  const kc = merge(files.map(loadFile));
  const origin = files.join(delimiter);
  return selectContext(kc, opts.context ?? kc.currentContext ?? '', origin, opts.namespace);
}

function loadInCluster(opts: KubeConfigOptions): KubeTarget {
  const env = opts.env ?? process.env;
  const dir = opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
  const server = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // Same shape as client-node's loadFromCluster, which reads process.env and fixed paths only.
  const kc = new KubeConfig();
  kc.clusters = [{ name: 'inCluster', server, caFile: join(dir, 'ca.crt'), skipTLSVerify: false }];
  kc.users = [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } } }];
  kc.contexts = [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser' }];
  kc.currentContext = 'inClusterContext';
  let ns = opts.namespace;
  if (ns === undefined) {
    try {
      ns = readFileSync(join(dir, 'namespace'), 'utf8').trim() || 'default';
    } catch {
      ns = 'default';
    }
  }
  return { kc, contextName: 'inClusterContext', clusterName: 'inCluster', userName: 'inClusterUser', server, namespace: ns, origin: 'in-cluster' };
}

/** The same kubeconfig pointed at another context (the TUI's `:ctx`). */
export function switchContext(target: KubeTarget, contextName: string, namespace?: string): KubeTarget {
  // A fresh KubeConfig: client-node caches HTTP agents per cluster/user on the instance.
  const kc = new KubeConfig();
  kc.clusters = target.kc.clusters;
  kc.users = target.kc.users;
  kc.contexts = target.kc.contexts;
  kc.currentContext = target.kc.currentContext;
  return selectContext(kc, contextName, target.origin, namespace);
}

/** Context names for `:ctx`, with the current one marked. */
export function listContexts(target: KubeTarget): { name: string; cluster: string; user: string; namespace: string; current: boolean }[] {
  return target.kc.contexts.map((c) => ({
    name: c.name,
    cluster: c.cluster,
    user: c.user ?? '',
    namespace: c.namespace ?? '',
    current: c.name === target.contextName,
  }));
}
