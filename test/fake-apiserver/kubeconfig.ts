// Writes kubeconfig files for tests, in the format kubectl writes.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface TestContext {
  name: string;
  server: string;
  token?: string;
  caPem?: string;
  namespace?: string;
  user?: Record<string, unknown>;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'netscope-kube-'));
}

export function kubeconfigYaml(contexts: TestContext[], current?: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': current ?? contexts[0]?.name ?? '',
    clusters: contexts.map((c) => ({
      name: `${c.name}-cluster`,
      cluster: { server: c.server, ...(c.caPem ? { 'certificate-authority-data': Buffer.from(c.caPem).toString('base64') } : {}) },
    })),
    users: contexts.map((c) => ({ name: `${c.name}-user`, user: c.user ?? (c.token ? { token: c.token } : {}) })),
    contexts: contexts.map((c) => ({
      name: c.name,
      context: { cluster: `${c.name}-cluster`, user: `${c.name}-user`, ...(c.namespace ? { namespace: c.namespace } : {}) },
    })),
  });
}

export function writeKubeconfig(dir: string, file: string, contexts: TestContext[], current?: string): string {
  const path = join(dir, file);
  writeFileSync(path, kubeconfigYaml(contexts, current));
  return path;
}

/**
 * Writes a pod's service account as the kubelet mounts it (token, ca.crt and, when
 * given, namespace) into `dir`, made if missing; returns `dir`.
 */
export function writeServiceAccount(dir: string, sa: { token: string; ca: string; namespace?: string }): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'token'), sa.token);
  writeFileSync(join(dir, 'ca.crt'), sa.ca);
  if (sa.namespace !== undefined) writeFileSync(join(dir, 'namespace'), sa.namespace);
  return dir;
}
