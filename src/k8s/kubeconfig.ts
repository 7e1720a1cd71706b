// Loads the user's kubeconfig with kubectl's conventions: --kubeconfig, else the
// KUBECONFIG list (first file wins for duplicate names and current-context), else
// ~/.kube/config, else the in-cluster service account. Every failure is one line
// naming the culprit (file, field, context).
import { readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { parseDocument } from 'yaml';
import { sanitize } from '../model/sanitize.ts';
import { kubeconfigFiles, type KubeConfigOptions } from './kubeconfig-files.ts';
import { inClusterTarget } from './in-cluster.ts';
import type { KubeTarget, RequestAuth } from './target.ts';
import { yamlSyntaxError } from '../model/yaml-errors.ts';

export type { KubeTarget, RequestAuth } from './target.ts';
export { hasClusterConfig, kubeconfigFiles, SERVICE_ACCOUNT_DIR, type KubeConfigOptions } from './kubeconfig-files.ts';

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
    auth: kubeConfigAuth(kc, cluster.server),
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
  const inCluster = inClusterTarget(opts);
  if (inCluster) return inCluster;
  const files = kubeconfigFiles(opts);
  if (files.length === 0) throw new KubeConfigError('no kubeconfig found (set KUBECONFIG, pass --kubeconfig, or create ~/.kube/config)');
  const kc = merge(files.map(loadFile));
  const origin = files.join(delimiter);
  return selectContext(kc, opts.context ?? kc.currentContext ?? '', origin, opts.namespace);
}

/**
 * client-node's credentials for the selected context (tokens, client certs, exec
 * plugins, re-applied per request since they rotate). client-node refuses `http://`
 * servers unless TLS verification is marked skipped; kubectl allows them (`kubectl
 * proxy`), and there is no TLS to verify, so such servers get a copy with the flag set.
 * client-node always builds an https agent, which a plain-http request must not use.
 */
function kubeConfigAuth(kc: KubeConfig, server: string): RequestAuth {
  const plain = server.startsWith('http:');
  const config = plain ? plainHttpConfig(kc) : kc;
  return {
    async apply(opts) {
      await config.applyToHTTPSOptions(opts);
      if (plain) delete opts.agent;
    },
  };
}

function plainHttpConfig(kc: KubeConfig): KubeConfig {
  const copy = new KubeConfig();
  const current = kc.getCurrentCluster();
  copy.clusters = kc.clusters.map((c) => (c === current ? { ...c, skipTLSVerify: true } : c));
  copy.users = kc.users;
  copy.contexts = kc.contexts;
  copy.currentContext = kc.currentContext;
  return copy;
}

/** The same kubeconfig pointed at another context (the TUI's `:ctx`). */
export function switchContext(target: KubeTarget, contextName: string, namespace?: string): KubeTarget {
  if (target.kc === undefined) throw new KubeConfigError(`context "${contextName}" not found: the in-cluster service account has one context, ${target.contextName}`);
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
  if (target.kc === undefined) return [{ name: target.contextName, cluster: target.clusterName, user: target.userName, namespace: target.namespace, current: true }];
  return target.kc.contexts.map((c) => ({
    name: c.name,
    cluster: c.cluster,
    user: c.user ?? '',
    namespace: c.namespace ?? '',
    current: c.name === target.contextName,
  }));
}
