// Scale benchmark for the cluster model: a fake API server (in a child process, so
// its memory and CPU are not counted) serves 5,000 pods, 1,000 services with
// EndpointSlices and 500 NetworkPolicies; this process lists+watches them through
// the real reflector and transport, then measures IP lookups and flow enrichment.
//   npm run bench:k8s            (targets: model < 3 s, RSS < 300 MB, >= 1,000,000 lookups/s)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ClusterModel } from '../src/k8s/cluster.ts';
import { KubeTransport } from '../src/k8s/transport.ts';
import { loadKubeConfig } from '../src/k8s/kubeconfig.ts';
import { enrichFlow } from '../src/streams/enrich.ts';
import type { Flow } from '../src/model/flow.ts';
import { FakeApiServer } from '../test/fake-apiserver/server.ts';
import { makeSelfSignedCert } from '../test/fake-apiserver/tls.ts';
import { endpointSlice, namespace, networkPolicy, node, pod, service } from '../test/fake-apiserver/fixtures.ts';
import { tempDir, writeKubeconfig, writeServiceAccount } from '../test/fake-apiserver/kubeconfig.ts';

const PODS = 5000;
const SERVICES = 1000;
const POLICIES = 500;
const NODES = 50;
const NAMESPACES = 50;

const podIP = (i: number): string => `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const svcIP = (i: number): string => `10.96.${i >> 8}.${i & 255}`;

/**
 * Real pods carry much more than the model keeps (managedFields, env, volumes,
 * conditions): about 6 KB of JSON each here, so listing and parsing cost what they
 * would on a real cluster, and the model's memory shows it keeps only what it uses.
 */
function realistic<T extends { metadata: Record<string, unknown>; spec: Record<string, unknown>; status: Record<string, unknown> }>(p: T, i: number): T {
  const at = '2026-01-01T00:00:00Z';
  p.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': at, 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' };
  p.metadata.managedFields = ['kube-controller-manager', 'kubelet'].map((manager) => ({
    manager,
    operation: 'Update',
    apiVersion: 'v1',
    time: at,
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {}, 'f:tier': {}, 'f:version': {} } }, 'f:spec': { 'f:containers': { [`k:{"name":"main-${i}"}`]: { '.': {}, 'f:env': {}, 'f:image': {}, 'f:ports': {}, 'f:resources': {} } } }, 'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:podIP': {}, 'f:podIPs': {} } },
  }));
  const containers = p.spec.containers as Record<string, unknown>[];
  Object.assign(containers[0]!, {
    env: Array.from({ length: 20 }, (_, k) => ({ name: `SETTING_${k}`, value: `value-${k}-${i}` })),
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090, protocol: 'TCP' }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    volumeMounts: [{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
  });
  p.spec.volumes = [{ name: 'kube-api-access', projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }] } }];
  p.status.conditions = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: at }));
  return p;
}

/**
 * `--serve [--service-account DIR] [--pod-ips IP,IP...]`: with DIR, serves HTTPS requiring
 * a bearer token and writes a service account there (token, ca.crt, namespace) for an "in
 * cluster" client; with --pod-ips, the first pods get these addresses instead of their own
 * (bench/agent-rss.ts gives them its lab's, so that the agent names the lab's flows).
 */
async function serve(): Promise<void> {
  const i = process.argv.indexOf('--service-account');
  const saDir = i >= 0 ? process.argv[i + 1] : undefined;
  const ipsAt = process.argv.indexOf('--pod-ips');
  const podIPs = ipsAt >= 0 ? (process.argv[ipsAt + 1] ?? '').split(',').filter(Boolean) : [];
  const ipOf = (k: number): string => podIPs[k] ?? podIP(k);
  const tls = saDir === undefined ? undefined : makeSelfSignedCert();
  const token = 'bench-service-account-token';
  if (saDir !== undefined) {
    writeServiceAccount(saDir, { token: `${token}\n`, ca: tls!.cert, namespace: 'netscope\n' });
  }
  const s = new FakeApiServer(saDir === undefined ? {} : { tls, token });
  s.seed('namespaces', Array.from({ length: NAMESPACES }, (_, i) => namespace(`ns-${i}`)));
  s.seed('nodes', Array.from({ length: NODES }, (_, i) => node(`node-${i}`, `192.168.${i >> 8}.${i & 255}`)));
  // Pod i belongs to service i % SERVICES (5 pods per service), namespace (i % SERVICES) % NAMESPACES.
  s.seed(
    'pods',
    Array.from({ length: PODS }, (_, i) => {
      const svc = i % SERVICES;
      const p = pod(`ns-${svc % NAMESPACES}`, `app-${svc}-${i}`, ipOf(i), {
        labels: { app: `app-${svc}`, tier: 'backend', version: 'v1' },
        owner: `Deployment/app-${svc}`,
        node: `node-${i % NODES}`,
      });
      return realistic(p as unknown as Parameters<typeof realistic>[0], i) as unknown as typeof p;
    }),
  );
  s.seed('services', Array.from({ length: SERVICES }, (_, j) => service(`ns-${j % NAMESPACES}`, `app-${j}`, svcIP(j), { app: `app-${j}` })));
  s.seed(
    'endpointslices',
    Array.from({ length: SERVICES }, (_, j) => {
      const eps = [];
      for (let i = j; i < PODS; i += SERVICES) eps.push({ ip: ipOf(i), pod: `app-${j}-${i}`, node: `node-${i % NODES}` });
      return endpointSlice(`ns-${j % NAMESPACES}`, `app-${j}`, eps);
    }),
  );
  s.seed('networkpolicies', Array.from({ length: POLICIES }, (_, k) => networkPolicy(`ns-${k % NAMESPACES}`, `policy-${k}`, { app: `app-${k}` })));
  const url = await s.start();
  const bytes = JSON.stringify(s.get('pods', 'ns-0', 'app-0-0')).length;
  process.stdout.write(`${url} ${bytes}\n`);
}

function mb(n: number): string {
  return (n / 1024 / 1024).toFixed(1);
}

async function measure(): Promise<void> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [url, podBytes] = (await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve))).split(' ');
  const dir = tempDir();
  const target = loadKubeConfig({ kubeconfig: writeKubeconfig(dir, 'config', [{ name: 'bench', server: url! }]) });
  const rssBefore = process.memoryUsage().rss;

  const t0 = performance.now();
  const model = new ClusterModel({ transport: new KubeTransport(target) });
  model.start();
  await model.settled();
  const firstModelMs = performance.now() - t0;
  const states = model.resourceStates.map((s) => `${s.kind}:${s.status.state}`).join(' ');
  const st = model.store;
  globalThis.gc?.();
  const mem = process.memoryUsage();
  const rss = mem.rss;
  const heap = mem.heapUsed;
  console.log(`memory detail: heapTotal ${mb(mem.heapTotal)} MB, external ${mb(mem.external)} MB, arrayBuffers ${mb(mem.arrayBuffers)} MB`);

  // Lookups: a mix of pod IPs, service IPs, node IPs and misses.
  const ips: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    const r = i % 10;
    ips.push(r < 6 ? podIP((i * 7919) % PODS) : r < 8 ? svcIP(i % SERVICES) : r < 9 ? `192.168.0.${i % NODES}` : `172.16.${i & 255}.1`);
  }
  for (let w = 0; w < 5; w++) for (const ip of ips) st.lookup(ip);
  let hits = 0;
  let n = 0;
  const l0 = performance.now();
  while (performance.now() - l0 < 1000) {
    for (let i = 0; i < ips.length; i++) if (st.lookup(ips[i]!) !== undefined) hits++;
    n += ips.length;
  }
  const lookupsPerSec = n / ((performance.now() - l0) / 1000);

  const flows: Flow[] = Array.from({ length: 10_000 }, (_, i) => ({
    IP: { source: podIP(i % PODS), destination: i % 2 ? svcIP(i % SERVICES) : podIP((i * 31) % PODS), ipVersion: 'IPv4' },
    traffic_direction: 'EGRESS',
  }));
  // Warm up (JIT) before timing, as for any steady-state rate.
  for (let w = 0; w < 30; w++) for (const f of flows) enrichFlow(f, st);
  let m = 0;
  const e0 = performance.now();
  while (performance.now() - e0 < 1000) {
    for (const f of flows) enrichFlow(f, st);
    m += flows.length;
  }
  const enrichPerSec = m / ((performance.now() - e0) / 1000);

  await model.stop();
  child.kill();

  console.log(`pod JSON as served: ${podBytes} bytes each`);
  console.log(`objects: ${st.count('Pod')} pods, ${st.count('Service')} services, ${st.count('EndpointSlice')} endpointslices, ${st.count('NetworkPolicy')} networkpolicies, ${st.count('Node')} nodes, ${st.count('Namespace')} namespaces; ${st.indexedIPs} indexed IPs`);
  console.log(`states: ${states}`);
  console.log(`first complete model: ${firstModelMs.toFixed(0)} ms (target < 3000)`);
  console.log(`RSS: ${mb(rss)} MB (before model ${mb(rssBefore)} MB; heap used ${mb(heap)} MB) (target < 300)`);
  console.log(`IP lookups: ${(lookupsPerSec / 1e6).toFixed(2)} M/s (${((hits / n) * 100).toFixed(0)}% hits) (target >= 1.00 M/s)`);
  console.log(`flow enrichment: ${(enrichPerSec / 1e6).toFixed(2)} M flows/s`);
}

if (process.argv.includes('--serve')) await serve();
else await measure();
