// Policy drops in the demo agree with its NetworkPolicy objects: DROPPED flows
// appear only where a policy selects the destination and no rule admits the
// source, and every allowed connection to a policed pod is admitted by a rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../../../src/model/flow.ts';
import { demoClusterObjects } from '../../../src/sources/demo/index.ts';
import type { K8sNetworkPolicy, K8sPod } from '../../../src/sources/demo/k8s-types.ts';
import { SECOND_US, START_US, runSim, tcp, timeNs } from './helpers.ts';

const { flows } = runSim({ seconds: 300, rate: 100 });
const objects = demoClusterObjects();
const podByIP = new Map(objects.pods.map((p) => [p.status.podIP, p]));

function matches(selector: { matchLabels?: Record<string, string> } | undefined, pod: K8sPod): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => pod.metadata.labels?.[k] === v);
}

/** What the policy objects say about a TCP connection from `src` to `dst` on `port`. */
function verdict(src: K8sPod, dst: K8sPod, port: number): { selected: K8sNetworkPolicy[]; allowed: boolean } {
  const selected = objects.networkPolicies.filter(
    (np) => np.metadata.namespace === dst.metadata.namespace && np.spec.policyTypes.includes('Ingress') && matches(np.spec.podSelector, dst),
  );
  const allowed =
    selected.length === 0 ||
    selected.some((np) =>
      (np.spec.ingress ?? []).some(
        (rule) =>
          (rule.from ?? []).some((peer) => peer.namespaceSelector === undefined && src.metadata.namespace === np.metadata.namespace && matches(peer.podSelector, src)) &&
          (rule.ports ?? []).some((p) => p.protocol === 'TCP' && p.port === port),
      ),
    );
  return { selected, allowed };
}

function pods(f: Flow): [K8sPod, K8sPod] {
  const src = podByIP.get(f.IP?.source ?? '');
  const dst = podByIP.get(f.IP?.destination ?? '');
  assert.ok(src !== undefined && dst !== undefined, `pods for ${f.IP?.source} -> ${f.IP?.destination}`);
  return [src, dst];
}

test('there are NetworkPolicies, each selecting a workload and admitting one caller on its port', () => {
  assert.ok(objects.networkPolicies.length >= 1);
  for (const np of objects.networkPolicies) {
    assert.equal(np.apiVersion, 'networking.k8s.io/v1');
    assert.equal(np.kind, 'NetworkPolicy');
    assert.ok(objects.pods.some((p) => matches(np.spec.podSelector, p)), `${np.metadata.name} selects pods`);
  }
});

test('DROPPED flows are policy denials on exactly the paths the policies deny', () => {
  const drops = flows.filter((f) => f.verdict === 'DROPPED');
  assert.ok(drops.length > 20, `drops appear (${drops.length})`);
  const paths = new Set<string>();
  for (const f of drops) {
    assert.equal(f.drop_reason, 133);
    assert.equal(f.drop_reason_desc, 'POLICY_DENIED');
    assert.equal(f.traffic_direction, 'INGRESS');
    assert.deepEqual(tcp(f)?.flags, { SYN: true });
    assert.equal(f.Summary, 'TCP Flags: SYN');
    assert.ok(f.event_type?.type === 1 || f.event_type?.type === 5);
    if (f.event_type?.type === 1) assert.equal(f.event_type.sub_type, 133);
    const [src, dst] = pods(f);
    const v = verdict(src, dst, tcp(f)?.destination_port ?? 0);
    assert.equal(v.allowed, false, `${src.metadata.name} -> ${dst.metadata.name} is denied by the objects`);
    assert.deepEqual(
      f.ingress_denied_by?.map((p) => p.name),
      v.selected.map((np) => np.metadata.name),
    );
    assert.equal(f.ingress_denied_by?.[0].kind, 'NetworkPolicy');
    assert.equal(f.node_name, dst.spec.nodeName, 'dropped at the destination node');
    paths.add(`${src.metadata.labels?.app}->${dst.metadata.labels?.app}`);
  }
  assert.deepEqual([...paths].sort(), ['toolbox->paymentservice', 'toolbox->redis-cart']);
});

test('every forwarded flow to a policed pod is admitted by its policy', () => {
  let checked = 0;
  for (const f of flows) {
    if (f.verdict !== 'FORWARDED' || f.l4?.TCP === undefined || f.is_reply) continue;
    // Cilium always admits the local host (kubelet probes) regardless of NetworkPolicy.
    if (f.source?.labels?.includes('reserved:host')) continue;
    const [src, dst] = pods(f);
    const v = verdict(src, dst, tcp(f)?.destination_port ?? 0);
    if (v.selected.length === 0) continue;
    assert.equal(v.allowed, true, `${src.metadata.name} -> ${dst.metadata.name} forwarded`);
    checked++;
  }
  assert.ok(checked > 100);
});

test('denied connection attempts retransmit their SYN (0 s, +1 s, +3 s) and recur regularly', () => {
  const drops = flows.filter((f) => f.verdict === 'DROPPED' && f.event_type?.type === 1);
  const byConn = new Map<string, bigint[]>();
  for (const f of drops) {
    const key = `${f.IP?.source}:${tcp(f)?.source_port}>${f.IP?.destination}:${tcp(f)?.destination_port}`;
    byConn.set(key, [...(byConn.get(key) ?? []), timeNs(f)]);
  }
  for (const [key, times] of byConn) {
    if (times[0] > BigInt(START_US + 290 * SECOND_US) * 1000n) continue; // retries past the end of the run
    const rel = times.map((t) => Math.round(Number(t - times[0]) / 1e6));
    assert.deepEqual(rel, [0, 1000, 3000], key);
  }
  // Each denied path shows a drop in every 10 s window (what a 10 s rate window sees).
  for (const port of [50051, 6379]) {
    const times = drops.filter((f) => tcp(f)?.destination_port === port).map(timeNs);
    let prev = BigInt(START_US) * 1000n;
    for (const t of times) {
      assert.ok(t - prev < 10_000_000_000n, `port ${port}: gap ${(t - prev) / 1_000_000n} ms before ${t}`);
      prev = t;
    }
  }
});

test('policy verdicts: denied SYNs carry a DENIED verdict, new allowed connections an L3-L4 allow', () => {
  const verdicts = flows.filter((f) => f.event_type?.type === 5);
  const denied = verdicts.filter((f) => f.verdict === 'DROPPED');
  const allowed = verdicts.filter((f) => f.verdict === 'FORWARDED');
  assert.equal(denied.length, flows.filter((f) => f.event_type?.type === 1).length);
  assert.ok(allowed.length > 0, 'checkoutservice reconnects to paymentservice or cartservice to redis-cart');
  for (const f of allowed) {
    assert.equal(f.policy_match_type, 2);
    const [src, dst] = pods(f);
    assert.deepEqual(f.ingress_allowed_by?.map((p) => p.name), verdict(src, dst, tcp(f)?.destination_port ?? 0).selected.map((np) => np.metadata.name));
  }
});
