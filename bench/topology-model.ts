// `node bench/topology-model.ts [services] [podsPerService]`: what the map pays for the
// cluster model. The model is derived again on every change to the store (a watch event),
// the nodes per level/filter change, the pane on every frame; prints the median time of
// each. Prints figures only.
import { loadavg } from 'node:os';
import { ClusterStore } from '../src/k8s/store.ts';
import { compileFilterSet, parseFilterArgs } from '../src/filter/index.ts';
import { modelNodesAt, topologyModel, type PodMemo } from '../src/streams/topology-model.ts';
import { initialTopologyState, topologyView } from '../src/views/topology-view.ts';
import { makeTheme } from '../src/views/theme.ts';

const services = Number(process.argv[2] ?? 2000);
const perService = Number(process.argv[3] ?? 3);
const store = new ClusterStore();
let ip = 0;
const addr = () => `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip++ & 255}`;
for (let s = 0; s < services; s++) {
  const ns = `ns${s % 50}`;
  const svc = `svc${s}`;
  store.upsert('Service', { metadata: { namespace: ns, name: svc }, spec: { clusterIP: addr() } });
  const endpoints = [];
  for (let p = 0; p < perService; p++) {
    const name = `${svc}-5d8f7c6b9d-p${String(p).padStart(4, '0')}`;
    const podIP = addr();
    store.upsert('Pod', {
      metadata: { namespace: ns, name, labels: { app: svc, 'pod-template-hash': '5d8f7c6b9d' }, ownerReferences: [{ kind: 'ReplicaSet', name: `${svc}-5d8f7c6b9d`, controller: true }] },
      spec: { nodeName: 'n1' },
      status: { phase: 'Running', podIP },
    });
    endpoints.push({ addresses: [podIP], targetRef: { kind: 'Pod', name, namespace: ns } });
  }
  store.upsert('EndpointSlice', { metadata: { namespace: ns, name: `${svc}-a`, labels: { 'kubernetes.io/service-name': svc } }, endpoints });
}

function median(fn: () => void, runs = 15): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

const model = topologyModel(store);
const pass = compileFilterSet(parseFilterArgs(['--namespace', 'ns7']));
console.log(`load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${services} services x ${perService} pods`);
console.log(`derive model          ${median(() => topologyModel(store)).toFixed(1)} ms`);
const memo: PodMemo = new WeakMap();
topologyModel(store, memo);
console.log(`derive again (memo)   ${median(() => topologyModel(store, memo)).toFixed(1)} ms`);
console.log(`nodes, pod level      ${median(() => modelNodesAt(model, 'pod')).toFixed(1)} ms`);
console.log(`nodes, filtered (ns)  ${median(() => modelNodesAt(model, 'workload', pass)).toFixed(1)} ms`);
const theme = makeTheme({ color: true, unicode: true });
for (const level of ['workload', 'pod'] as const) {
  const known = modelNodesAt(model, level);
  const st = { ...initialTopologyState(), level };
  console.log(`frame, ${level.padEnd(8)} idle ${String(known.length).padStart(5)} nodes  ${median(() => topologyView([], st, { width: 58, height: 16 }, theme, undefined, known)).toFixed(1)} ms`);
}
