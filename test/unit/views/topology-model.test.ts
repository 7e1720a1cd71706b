// The service map with the cluster model: services known to the model show up idle
// until flows reach them, pods are listed under their service, and the filter and the
// infrastructure/drops toggles apply to the idle nodes as to the edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterStore } from '../../../src/k8s/store.ts';
import { TopologyAggregator } from '../../../src/streams/topology.ts';
import { modelNodesAt, modelNodesCache, topologyModel } from '../../../src/streams/topology-model.ts';
import { compileFilterSet, parseFilterArgs } from '../../../src/filter/index.ts';
import { initialTopologyState, mapNodes, topologyView } from '../../../src/views/topology-view.ts';
import { mkFlow } from '../streams/fixtures.ts';
import { mono, plain } from './helpers.ts';

const T0 = 1_700_000_000_000;
let nextIP = 10;

/** A Deployment's pod, a Service selecting it and the EndpointSlice joining them, as the API serves them. */
function addService(store: ClusterStore, ns: string, svc: string, pods: { deploy: string; hash: string; suffix: string; labels?: Record<string, string> }[]): void {
  store.upsert('Service', { metadata: { namespace: ns, name: svc }, spec: { clusterIP: `10.96.0.${nextIP++}` } });
  const endpoints = [];
  for (const p of pods) {
    const name = `${p.deploy}-${p.hash}-${p.suffix}`;
    const ip = `10.244.0.${nextIP++}`;
    store.upsert('Pod', {
      metadata: {
        namespace: ns,
        name,
        labels: { app: p.deploy, 'pod-template-hash': p.hash, ...p.labels },
        ownerReferences: [{ kind: 'ReplicaSet', name: `${p.deploy}-${p.hash}`, controller: true }],
      },
      spec: { nodeName: 'node-a', containers: [{ name: 'c' }] },
      status: { phase: 'Running', podIP: ip },
    });
    endpoints.push({ addresses: [ip], targetRef: { kind: 'Pod', name, namespace: ns } });
  }
  store.upsert('EndpointSlice', { metadata: { namespace: ns, name: `${svc}-x1`, labels: { 'kubernetes.io/service-name': svc } }, endpoints });
}

function shopStore(): ClusterStore {
  const store = new ClusterStore();
  addService(store, 'shop', 'frontend', [{ deploy: 'frontend', hash: '5d8f7c6b9d', suffix: 'abcde' }]);
  addService(store, 'shop', 'cartservice', [{ deploy: 'cartservice', hash: '6c9b8d7f5c', suffix: 'fghij' }]);
  addService(store, 'shop', 'emailservice', [
    { deploy: 'emailservice', hash: '7a8b9c0d1e', suffix: 'aaaaa' },
    { deploy: 'emailservice', hash: '7a8b9c0d1e', suffix: 'bbbbb' },
  ]);
  addService(store, 'kube-system', 'kube-dns', [{ deploy: 'coredns', hash: '5d78c9869d', suffix: 'abcde', labels: { 'k8s-app': 'kube-dns' } }]);
  return store;
}

function flows(): TopologyAggregator {
  const a = new TopologyAggregator();
  for (let i = 0; i < 10; i++) a.add(mkFlow({ t: T0 + i * 100 }), T0 + i * 100);
  return a;
}

const size = { width: 70, height: 30 };

test('a service with no flows is on the map, idle; flow edges are as before', () => {
  const known = modelNodesAt(topologyModel(shopStore()), 'workload');
  const lines = plain(topologyView(flows().snapshot('workload', T0 + 1000), initialTopologyState(), size, mono, undefined, known).lines);
  const email = lines.find((l) => l.includes('emailservice'));
  assert.ok(email, lines.join('\n'));
  assert.match(email, /^● emailservice +no traffic$/);
  assert.ok(lines.some((l) => /^● frontend .*in 0\/s out 1\.0\/s$/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /→ cartservice +1\.0\/s$/.test(l)), lines.join('\n'));
  assert.ok(!lines.some((l) => /^● (frontend|cartservice) .*no traffic/.test(l)), 'nodes with traffic are not idle');
  // Idle nodes come after the busy ones of their namespace.
  const shop = lines.slice(lines.indexOf('shop'.padEnd(70)));
  assert.ok(shop.findIndex((l) => l.includes('emailservice')) > shop.findIndex((l) => l.includes('● cartservice')));
  assert.ok(lines.every((l) => l.length <= 70));
});

test('without a model the map shows only observed traffic', () => {
  const nodes = mapNodes(flows().snapshot('workload', T0 + 1000), initialTopologyState());
  assert.deepEqual(nodes.map((n) => n.id).sort(), ['shop/cartservice', 'shop/frontend']);
  assert.ok(nodes.every((n) => !n.idle));
  const empty = plain(topologyView([], initialTopologyState(), size, mono).lines);
  assert.deepEqual(empty, ['no traffic yet']);
});

test('pod level lists each service with its pods under it', () => {
  const a = new TopologyAggregator();
  a.add(mkFlow({ t: T0, to: 'shop/emailservice-7a8b9c0d1e-bbbbb' }), T0);
  const known = modelNodesAt(topologyModel(shopStore()), 'pod');
  const st = { ...initialTopologyState(), level: 'pod' as const };
  const lines = plain(topologyView(a.snapshot('pod', T0), st, { width: 80, height: 40 }, mono, undefined, known).lines);
  const at = lines.findIndex((l) => l.trim() === 'svc emailservice');
  assert.ok(at >= 0, lines.join('\n'));
  assert.match(lines[at + 1], /^● emailservice-7a8b9c0d1e-bbbbb .*in 0\.1\/s out 0\/s$/, 'the pod with traffic first');
  assert.match(lines[at + 2], /^● emailservice-7a8b9c0d1e-aaaaa +no traffic$/);
  const nodes = mapNodes(a.snapshot('pod', T0), st, undefined, known);
  assert.equal(nodes.find((n) => n.id === 'shop/emailservice-7a8b9c0d1e-aaaaa')?.service, 'emailservice');
  assert.equal(nodes.find((n) => n.id === 'shop/frontend-5d8f7c6b9d-abcde')?.service, 'frontend');
});

test('namespace level shows namespaces known to the model', () => {
  const known = modelNodesAt(topologyModel(shopStore()), 'namespace');
  const nodes = mapNodes([], { ...initialTopologyState(), level: 'namespace' }, undefined, known);
  assert.deepEqual(nodes.map((n) => [n.id, n.group, n.idle]), [
    ['kube-system', 'namespaces', true],
    ['shop', 'namespaces', true],
  ]);
});

test('hide-infrastructure hides idle infrastructure; drops-only hides all idle nodes', () => {
  const known = modelNodesAt(topologyModel(shopStore()), 'workload');
  const edges = flows().snapshot('workload', T0 + 1000);
  const ids = (st: Partial<ReturnType<typeof initialTopologyState>>) => mapNodes(edges, { ...initialTopologyState(), ...st }, undefined, known).map((n) => n.id);
  assert.ok(ids({}).includes('kube-system/coredns'));
  assert.ok(!ids({ hideInfra: true }).includes('kube-system/coredns'));
  assert.ok(ids({ hideInfra: true }).includes('shop/emailservice'));
  assert.deepEqual(ids({ dropsOnly: true }), []);
});

test('the filter narrows the idle nodes as it narrows the flows', () => {
  const model = topologyModel(shopStore());
  const pass = (...args: string[]) => compileFilterSet(parseFilterArgs(args));
  assert.deepEqual(modelNodesAt(model, 'workload', pass('--namespace', 'kube-system')).map((n) => n.id), ['kube-system/coredns']);
  assert.deepEqual(modelNodesAt(model, 'workload', pass('--to-pod', 'shop/emailservice-7a8b9c0d1e-aaaaa')).map((n) => n.id), ['shop/emailservice']);
  assert.deepEqual(modelNodesAt(model, 'workload', pass('--verdict', 'DROPPED')), [], 'an idle service has no dropped flows');
});

test('a model change (new service) shows up; an unchanged model is not derived again', () => {
  const store = shopStore();
  const nodesOf = modelNodesCache();
  const before = nodesOf(store, 'workload', null);
  assert.equal(nodesOf(store, 'workload', null), before, 'same version: same value');
  assert.ok(!before.some((n) => n.id === 'shop/checkout'));
  addService(store, 'shop', 'checkout', [{ deploy: 'checkout', hash: '1a2b3c4d5e', suffix: 'zzzzz' }]);
  const after = nodesOf(store, 'workload', null);
  assert.ok(after.some((n) => n.id === 'shop/checkout'), after.map((n) => n.id).join(' '));
  const lines = plain(topologyView([], initialTopologyState(), size, mono, undefined, after).lines);
  assert.ok(lines.some((l) => /^● checkout +no traffic$/.test(l)), lines.join('\n'));
  assert.deepEqual(nodesOf(undefined, 'workload', null), [], 'no cluster: no model nodes');
});

test('a service without endpoints stands for itself; finished and host-network pods are left out', () => {
  const store = shopStore();
  store.upsert('Service', { metadata: { namespace: 'shop', name: 'legacy' }, spec: { clusterIP: '10.96.9.9' } });
  store.upsert('Pod', { metadata: { namespace: 'shop', name: 'migrate-abcde' }, spec: {}, status: { phase: 'Succeeded', podIP: '10.244.9.1' } });
  store.upsert('Pod', { metadata: { namespace: 'shop', name: 'agent-xyz12' }, spec: { hostNetwork: true }, status: { phase: 'Running', podIP: '192.168.0.2' } });
  store.upsert('Pod', { metadata: { namespace: 'shop', name: 'batch-runner' }, spec: {}, status: { phase: 'Running', podIP: '10.244.9.2' } });
  const ids = modelNodesAt(topologyModel(store), 'pod').map((n) => `${n.id}${n.service ? ' <' + n.service : ''}`);
  assert.ok(ids.includes('shop/legacy <legacy'), ids.join(' '));
  assert.ok(ids.includes('shop/batch-runner'), 'a pod behind no service is still on the map');
  assert.ok(!ids.some((i) => i.includes('migrate') || i.includes('agent')), ids.join(' '));
});

test('unchanged pods are reused between derivations; a pod that finishes leaves the map', () => {
  const store = shopStore();
  const memo = new WeakMap();
  const first = topologyModel(store, memo);
  const again = topologyModel(store, memo);
  const email = (m: typeof first) => m.services.find((s) => s.name === 'emailservice')!;
  assert.equal(email(again).pods[0], email(first).pods[0], 'same pod value reused');
  // The pod finishes: its new view is read, so it leaves the map.
  store.upsert('Pod', { metadata: { namespace: 'shop', name: 'emailservice-7a8b9c0d1e-aaaaa' }, spec: {}, status: { phase: 'Failed', podIP: '10.244.0.77' } });
  assert.deepEqual(
    email(topologyModel(store, memo)).pods.map((p) => p.ids.podId),
    ['shop/emailservice-7a8b9c0d1e-bbbbb'],
  );
});
