// demoClusterObjects() looks like a real API server's lists, and every flow the
// simulator produces maps onto those objects (pods, nodes, services).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoClusterObjects } from '../../../src/sources/demo/index.ts';
import { appOf, runSim } from './helpers.ts';

const NOW = Date.UTC(2026, 10, 23, 4, 0, 0);
const objects = demoClusterObjects({ now: () => NOW });
const SUFFIX = '[bcdfghjklmnpqrstvwxz2456789]';

function ipInCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const toInt = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const mask = 2 ** 32 - 2 ** (32 - Number(bits));
  return (toInt(ip) & mask) >>> 0 === (toInt(net) & mask) >>> 0;
}

test('three nodes with per-node pod CIDRs; pods spread over all of them', () => {
  assert.equal(objects.nodes.length, 3);
  const cidrs = new Set(objects.nodes.map((n) => n.spec.podCIDR));
  assert.equal(cidrs.size, 3);
  for (const n of objects.nodes) assert.match(n.spec.podCIDR, /^10\.244\.\d+\.0\/24$/);
  const used = new Set(objects.pods.map((p) => p.spec.nodeName));
  assert.equal(used.size, 3);
  for (const p of objects.pods) {
    const node = objects.nodes.find((n) => n.metadata.name === p.spec.nodeName);
    assert.ok(node !== undefined);
    assert.ok(ipInCidr(p.status.podIP, node.spec.podCIDR), `${p.status.podIP} in ${node.spec.podCIDR}`);
    assert.equal(p.status.hostIP, node.status.addresses.find((a) => a.type === 'InternalIP')?.address);
  }
  assert.equal(new Set(objects.pods.map((p) => p.status.podIP)).size, objects.pods.length, 'pod IPs unique');
});

test('pods are Deployment pods: <deploy>-<pod-template-hash>-<5 chars>, owned by a ReplicaSet owned by the Deployment', () => {
  for (const p of objects.pods) {
    const rsRef = p.metadata.ownerReferences?.[0];
    assert.equal(rsRef?.kind, 'ReplicaSet');
    const rs = objects.replicaSets.find((r) => r.metadata.uid === rsRef?.uid);
    assert.ok(rs !== undefined);
    const dep = objects.deployments.find((d) => d.metadata.uid === rs.metadata.ownerReferences?.[0].uid);
    assert.ok(dep !== undefined);
    const hash = p.metadata.labels?.['pod-template-hash'];
    assert.equal(rs.metadata.name, `${dep.metadata.name}-${hash}`);
    assert.match(p.metadata.name, new RegExp(`^${dep.metadata.name}-${SUFFIX}{9,10}-${SUFFIX}{5}$`));
    assert.equal(p.status.phase, 'Running');
    assert.ok(Date.parse(p.metadata.creationTimestamp) < NOW);
  }
  const names = objects.deployments.filter((d) => d.metadata.namespace === 'shop').map((d) => d.metadata.name).sort();
  assert.deepEqual(names, [
    'adservice', 'cartservice', 'checkoutservice', 'currencyservice', 'emailservice', 'frontend', 'loadgenerator',
    'paymentservice', 'productcatalogservice', 'recommendationservice', 'redis-cart', 'shippingservice', 'toolbox',
  ]);
  assert.ok(objects.pods.some((p) => p.metadata.namespace === 'kube-system' && p.metadata.name.startsWith('coredns-')));
});

test('Services have ClusterIPs in 10.96.0.0/12 (kube-dns at 10.96.0.10) and EndpointSlices listing their pods', () => {
  const ips = new Set<string>();
  for (const s of objects.services) {
    assert.ok(ipInCidr(s.spec.clusterIP, '10.96.0.0/12'), s.spec.clusterIP);
    ips.add(s.spec.clusterIP);
    const selected = objects.pods.filter((p) => Object.entries(s.spec.selector).every(([k, v]) => p.metadata.labels?.[k] === v));
    assert.ok(selected.length > 0, `${s.metadata.name} selects pods`);
    const slice = objects.endpointSlices.find((e) => e.metadata.labels?.['kubernetes.io/service-name'] === s.metadata.name);
    assert.ok(slice !== undefined);
    assert.deepEqual(slice.endpoints.map((e) => e.addresses[0]).sort(), selected.map((p) => p.status.podIP).sort());
    assert.deepEqual(slice.endpoints.map((e) => e.targetRef.name).sort(), selected.map((p) => p.metadata.name).sort());
  }
  assert.equal(ips.size, objects.services.length);
  assert.equal(objects.services.find((s) => s.metadata.name === 'kube-dns')?.spec.clusterIP, '10.96.0.10');
  const email = objects.services.find((s) => s.metadata.name === 'emailservice');
  assert.deepEqual(email?.spec.ports.map((p) => [p.port, p.targetPort]), [[5000, 8080]]);
  const frontend = objects.services.find((s) => s.metadata.name === 'frontend');
  assert.deepEqual(frontend?.spec.ports.map((p) => [p.port, p.targetPort]), [[80, 8080]]);
});

test('objects carry what an API server returns: apiVersion, kind, unique uids, resourceVersions, namespaces', () => {
  const all = [
    ...objects.namespaces, ...objects.nodes, ...objects.pods, ...objects.services,
    ...objects.endpointSlices, ...objects.networkPolicies, ...objects.deployments, ...objects.replicaSets,
  ];
  const uids = new Set(all.map((o) => o.metadata.uid));
  assert.equal(uids.size, all.length);
  for (const o of all) {
    assert.ok(o.apiVersion.length > 0 && o.kind.length > 0);
    assert.match(o.metadata.resourceVersion, /^\d+$/);
    assert.match(o.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }
  assert.deepEqual(objects.namespaces.map((n) => n.metadata.name).sort(), ['default', 'kube-system', 'shop']);
  // The namespace option moves the application, not kube-dns.
  const other = demoClusterObjects({ namespace: 'boutique', now: () => NOW });
  assert.ok(other.pods.filter((p) => p.metadata.labels?.app === 'frontend').every((p) => p.metadata.namespace === 'boutique'));
  assert.ok(other.services.some((s) => s.metadata.name === 'kube-dns' && s.metadata.namespace === 'kube-system'));
  // The same rule as the traffic: the application may not be put into kube-system/default.
  assert.throws(() => demoClusterObjects({ namespace: 'kube-system' }), /namespace must be a DNS label other than default\/kube-system/);
  // Plain JSON: survives a round trip unchanged.
  assert.deepEqual(JSON.parse(JSON.stringify(objects)), objects);
});

test('every flow IP, pod name, node, label set and service maps onto the objects', () => {
  const { flows } = runSim({ seconds: 120, rate: 200 });
  const podByIP = new Map(objects.pods.map((p) => [p.status.podIP, p]));
  const nodeNames = new Set(objects.nodes.map((n) => n.metadata.name));
  const services = new Set(objects.services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`));
  const identityByApp = new Map<string, number>();
  const hostIPs = new Map(objects.nodes.map((n) => [n.metadata.annotations?.['network.cilium.io/ipv4-cilium-host'], n.metadata.name]));
  for (const f of flows) {
    assert.ok(nodeNames.has(f.node_name ?? ''), `node ${f.node_name}`);
    for (const side of ['source', 'destination'] as const) {
      const ip = side === 'source' ? f.IP?.source : f.IP?.destination;
      if (f[side]?.labels?.includes('reserved:host')) {
        // The node itself (kubelet probes): its cilium_host address, seen on that node.
        assert.equal(hostIPs.get(ip), f.node_name, `host IP ${ip}`);
        assert.equal(f[side]?.identity, 1);
        continue;
      }
      const pod = podByIP.get(ip ?? '');
      assert.ok(pod !== undefined, `${side} IP ${ip} is a pod`);
      const ep = f[side];
      assert.equal(ep?.pod_name, pod.metadata.name);
      assert.equal(ep?.namespace, pod.metadata.namespace);
      const app = appOf(ep?.labels);
      assert.equal(app, pod.metadata.labels?.app ?? pod.metadata.labels?.['k8s-app']);
      assert.ok(ep?.labels?.includes(`k8s:io.kubernetes.pod.namespace=${pod.metadata.namespace}`));
      assert.deepEqual(ep?.workloads, [{ name: pod.metadata.ownerReferences?.[0].name.replace(/-[^-]+$/, ''), kind: 'Deployment' }]);
      const id = ep?.identity ?? 0;
      assert.ok(id >= 256, 'a cluster identity, not a reserved one');
      const known = identityByApp.get(app ?? '');
      if (known === undefined) identityByApp.set(app ?? '', id);
      else assert.equal(id, known, `one identity per label set (${app})`);
    }
    for (const svc of [f.source_service, f.destination_service]) {
      if (svc !== undefined) assert.ok(services.has(`${svc.namespace}/${svc.name}`), `service ${svc.namespace}/${svc.name}`);
    }
  }
  assert.equal(new Set(identityByApp.values()).size, identityByApp.size, 'label sets get distinct identities');
});
