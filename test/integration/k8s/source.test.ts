// The cluster as a Source: status lines, enrichment of another source's flows, and
// a clean stop on unsubscribe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { SourceEvent } from '../../../src/model/source.ts';
import { createClusterSource } from '../../../src/sources/cluster.ts';
import { KubeConfigError } from '../../../src/k8s/kubeconfig.ts';
import { FakeApiServer } from '../../fake-apiserver/server.ts';
import { namespace, pod } from '../../fake-apiserver/fixtures.ts';
import { tempDir, writeKubeconfig } from '../../fake-apiserver/kubeconfig.ts';
import { FAST_BACKOFF, waitFor } from './helpers.ts';

test('enriches the flows of another source once the model is loaded; statuses say what is connected', async () => {
  const server = new FakeApiServer();
  server.apply('namespaces', namespace('shop'));
  server.apply('pods', pod('shop', 'web-1', '10.244.1.10', { labels: { app: 'web' }, node: 'node-1' }));
  const url = await server.start();
  const dir = tempDir();
  try {
    const kubeconfig = writeKubeconfig(dir, 'config', [{ name: 'lab', server: url }]);
    const flows = from<SourceEvent[]>([
      { kind: 'flow', flow: { IP: { source: '10.244.1.10', destination: '1.1.1.1' } } },
      { kind: 'status', source: 'file:x', state: 'done' },
    ]);
    const events = await lastValueFrom(createClusterSource({ kube: { kubeconfig }, flows, modelOptions: { backoff: FAST_BACKOFF } }).pipe(toArray()));
    const flow = events.find((e) => e.kind === 'flow');
    assert.ok(flow && flow.kind === 'flow');
    assert.equal(flow.flow.source?.pod_name, 'web-1');
    assert.equal(flow.flow.node_name, 'node-1');
    const statuses = events.filter((e) => e.kind === 'status' && e.source === 'k8s:lab');
    assert.ok(statuses.some((e) => e.kind === 'status' && e.state === 'connected' && /context lab: 1 namespaces, 0 nodes, 1 pods, 0 services/.test(e.message ?? '')));
    // Without flows and without follow: status only, including the "no flow source" line.
    const only = await lastValueFrom(createClusterSource({ kube: { kubeconfig }, modelOptions: { backoff: FAST_BACKOFF } }).pipe(toArray()));
    assert.ok(only.every((e) => e.kind === 'status'));
    assert.match((only.at(-1) as { message?: string }).message ?? '', /no flow source connected/);
    await waitFor('watches closed on unsubscribe', () => server.openWatches === 0);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad --context fails at creation with one line', () => {
  const dir = tempDir();
  try {
    const kubeconfig = writeKubeconfig(dir, 'config', [{ name: 'lab', server: 'https://127.0.0.1:1' }]);
    assert.throws(() => createClusterSource({ kube: { kubeconfig, context: 'nope' } }), (e: Error) => e instanceof KubeConfigError && /available: lab/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
