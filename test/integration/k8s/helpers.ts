// Shared setup for the k8s integration tests: a fake API server, a kubeconfig
// pointing at it, and a cluster model built through the real transport.
import { rmSync } from 'node:fs';
import { ClusterModel, type ClusterModelOptions } from '../../../src/k8s/cluster.ts';
import { loadKubeConfig } from '../../../src/k8s/kubeconfig.ts';
import { KubeTransport, type ApiTransport } from '../../../src/k8s/transport.ts';
import { until } from '../../wait.ts';
import { FakeApiServer, type FakeApiServerOptions } from '../../fake-apiserver/server.ts';
import { tempDir, writeKubeconfig } from '../../fake-apiserver/kubeconfig.ts';

export const FAST_BACKOFF = { initialMs: 20, maxMs: 200, jitter: 0 };

/** Polls `cond` until true; fails with `what` after `ms` (generous: this is not a timing assertion). */
export const waitFor = (what: string, cond: () => boolean, ms = 10_000): Promise<void> => until(what, cond, ms, 10);

export interface Harness {
  server: FakeApiServer;
  transport: ApiTransport;
  model: ClusterModel;
  kubeconfig: string;
  close(): Promise<void>;
}

export async function startHarness(
  serverOpts: FakeApiServerOptions = {},
  modelOpts: Partial<ClusterModelOptions> = {},
  setup?: (s: FakeApiServer) => void,
  wrap?: (t: ApiTransport) => ApiTransport,
): Promise<Harness> {
  const server = new FakeApiServer(serverOpts);
  setup?.(server);
  const url = await server.start();
  const dir = tempDir();
  const kubeconfig = writeKubeconfig(dir, 'config', [
    { name: 'test', server: url, token: serverOpts.token, caPem: serverOpts.tls?.cert, namespace: 'shop' },
  ]);
  const target = loadKubeConfig({ kubeconfig });
  const base = new KubeTransport(target);
  const transport = wrap ? wrap(base) : base;
  const model = new ClusterModel({ transport, namespace: target.namespace, backoff: FAST_BACKOFF, recheckMs: 200, pageSize: 2, ...modelOpts });
  model.start();
  return {
    server,
    transport,
    model,
    kubeconfig,
    async close() {
      await model.stop();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
