// Policy engine figures: 5,000 pods in 50 namespaces, 500 NetworkPolicies (10 per
// namespace, ingress and egress, selectors, ports, ipBlocks). Prints index build time,
// evaluations/s for a pair seen before (cached) and for new pairs, and the cost per flow
// the TUI's annotation adds at 10,000 flows/s. Run: node bench/policy.ts
import { PolicyEngine } from '../src/policy/engine.ts';
import { compilePolicies, type RawPolicy } from '../src/policy/policy-set.ts';
import { buildWorld } from '../src/policy/world.ts';
import type { PolicyPod, Query } from '../src/policy/types.ts';
import { ClusterStore } from '../src/k8s/store.ts';
import { PolicyAnnotator } from '../src/streams/policy-annotate.ts';
import type { Flow } from '../src/model/flow.ts';

const NS = 50;
const PODS = 5000;
const POLICIES = 500;
const APPS = 20;

const pods: PolicyPod[] = [];
for (let i = 0; i < PODS; i++) {
  const ns = `ns-${i % NS}`;
  const app = `app-${Math.floor(i / NS) % APPS}`;
  pods.push({ namespace: ns, name: `${app}-${i}`, labels: { app, tier: i % 3 === 0 ? 'db' : 'web' }, ips: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`], hostNetwork: false, nodeName: `node-${i % 20}`, serviceAccount: 'default', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
}
const raws: RawPolicy[] = [];
for (let i = 0; i < POLICIES; i++) {
  const ns = `ns-${i % NS}`;
  raws.push({
    kind: 'NetworkPolicy',
    raw: {
      metadata: { name: `p-${i}`, namespace: ns },
      spec: {
        podSelector: { matchLabels: { app: `app-${i % APPS}` } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: { app: `app-${(i + 1) % APPS}` } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': `ns-${(i + 3) % NS}` } }, podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] } }], ports: [{ port: 'http' }, { port: 9000, endPort: 9100 }] },
          { from: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }] },
        ],
        egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 8080 }, { port: 53, protocol: 'UDP' }] }],
      },
    },
  });
}

function time<T>(fn: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const v = fn();
  return [v, Number(process.hrtime.bigint() - t0) / 1e6];
}

const [engine, buildMs] = time(() => new PolicyEngine(buildWorld({ namespaces: Array.from({ length: NS }, (_, i) => ({ name: `ns-${i}`, labels: {} })), pods, nodes: [] }), compilePolicies(raws)));
console.log(`index build (world + compile ${POLICIES} policies, ${PODS} pods): ${buildMs.toFixed(1)} ms`);

const q = (a: number, b: number): Query => ({ from: { kind: 'pod', pod: pods[a]! }, to: { kind: 'pod', pod: pods[b]! }, port: 8080, protocol: 'TCP' });
// Warm every pod's selection cache (what a running TUI has after a few seconds).
let denied = 0;
const [, warmMs] = time(() => {
  for (let i = 0; i < PODS; i++) if (engine.evaluate(q(i, (i * 7919) % PODS)).verdict === 'denied') denied++;
});
console.log(`first ${PODS} pairs (cold pods, selection computed): ${warmMs.toFixed(1)} ms, ${(PODS / (warmMs / 1000)).toFixed(0)} evaluations/s (${denied} denied)`);

const seen = Array.from({ length: 1000 }, (_, i) => q(i, (i * 7919) % PODS));
for (const s of seen) engine.evaluate(s);
const N = 3_000_000;
const [, seenMs] = time(() => {
  for (let i = 0; i < N; i++) engine.evaluate(seen[i % 1000]!);
});
console.log(`seen pair (cached): ${(N / (seenMs / 1000)).toLocaleString('en-US', { maximumFractionDigits: 0 })} evaluations/s (target >= 1,000,000)`);

const M = 200_000;
const fresh: Query[] = [];
for (let i = 0; i < M; i++) fresh.push(q((i * 31) % PODS, (i * 7 + 13 + Math.floor(i / PODS)) % PODS));
const [, newMs] = time(() => {
  for (const f of fresh) engine.evaluateUncached(f);
});
console.log(`new pair (uncached, pods seen before): ${(M / (newMs / 1000)).toLocaleString('en-US', { maximumFractionDigits: 0 })} evaluations/s (target >= 100,000)`);

// Annotation in the TUI pipeline: flows named from a cluster store, as after enrichment.
const store = new ClusterStore();
store.replace('Namespace', Array.from({ length: NS }, (_, i) => ({ metadata: { name: `ns-${i}` } })));
store.replace('Pod', pods.map((p) => ({ metadata: { name: p.name, namespace: p.namespace, labels: p.labels }, spec: { nodeName: p.nodeName, containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] }, status: { phase: 'Running', podIP: p.ips[0] } })));
store.replace('NetworkPolicy', raws.map((r) => r.raw));
const annotator = new PolicyAnnotator(() => store);
const [, engineMs] = time(() => annotator.engine());
console.log(`annotator engine from the cluster store: ${engineMs.toFixed(1)} ms`);
const F = 200_000;
// 10,000 flows/s of a busy cluster: a few thousand distinct connections, repeated.
const flows: Flow[] = [];
for (let i = 0; i < F; i++) {
  const a = pods[(i * 13) % 2000]!;
  const b = pods[(i * 17 + 5) % 2000]!;
  flows.push({ IP: { source: a.ips[0], destination: b.ips[0] }, l4: { TCP: { source_port: 30000 + (i % 20000), destination_port: 8080 } }, source: { namespace: a.namespace, pod_name: a.name }, destination: { namespace: b.namespace, pod_name: b.name }, verdict: 'FORWARDED', is_reply: false });
}
const [, annMs] = time(() => {
  for (const f of flows) annotator.annotate(f);
});
const perFlowUs = (annMs * 1000) / F;
console.log(`annotation: ${perFlowUs.toFixed(2)} us per flow; at 10,000 flows/s that is ${((perFlowUs * 10_000) / 1e4).toFixed(2)}% of one core`);
