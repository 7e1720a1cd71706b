import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterStore } from '../../../src/k8s/store.ts';
import { loadSnapshot } from '../../../src/k8s/snapshot.ts';
import { resolveWorkload } from '../../../src/k8s/owners.ts';
import { demoClusterObjects } from '../../../src/sources/demo/index.ts';
import { endpointSlice, node, pod, service } from '../../fake-apiserver/fixtures.ts';

test('owner resolution: Deployment via ReplicaSet hash, StatefulSet, DaemonSet, Job, bare ReplicaSet', () => {
  const rs = (name: string) => [{ kind: 'ReplicaSet', name, controller: true }];
  assert.deepEqual(resolveWorkload({ 'pod-template-hash': '7c9d' }, rs('web-7c9d')), { kind: 'Deployment', name: 'web' });
  assert.deepEqual(resolveWorkload({ 'pod-template-hash': 'zzz' }, rs('web-7c9d')), { kind: 'ReplicaSet', name: 'web-7c9d' });
  assert.deepEqual(resolveWorkload({}, rs('legacy')), { kind: 'ReplicaSet', name: 'legacy' });
  assert.deepEqual(resolveWorkload({}, [{ kind: 'StatefulSet', name: 'db', controller: true }]), { kind: 'StatefulSet', name: 'db' });
  assert.deepEqual(resolveWorkload({}, [{ kind: 'DaemonSet', name: 'cilium' }]), { kind: 'DaemonSet', name: 'cilium' });
  assert.deepEqual(resolveWorkload({}, [{ kind: 'Job', name: 'migrate' }]), { kind: 'Job', name: 'migrate' });
  assert.equal(resolveWorkload({}, []), undefined);
});

test('IP index: pods, cluster IPs, node IPs, endpoint addresses', () => {
  const s = new ClusterStore();
  s.replace('Node', [node('node-1', '192.168.0.1')]);
  s.replace('Pod', [
    pod('shop', 'web-1', '10.0.0.1', { labels: { app: 'web' }, owner: 'Deployment/web', serviceAccount: 'web' }),
    pod('kube-system', 'cilium-x', '192.168.0.1', { hostNetwork: true, owner: 'DaemonSet/cilium' }),
  ]);
  s.replace('Service', [service('shop', 'web', '10.96.0.1')]);
  s.replace('EndpointSlice', [endpointSlice('shop', 'web', [{ ip: '10.0.0.1', pod: 'web-1' }, { ip: '10.0.0.9', pod: 'gone-1', node: 'node-2' }])]);

  const web = s.lookup('10.0.0.1')!;
  assert.equal(web.kind, 'pod');
  assert.equal(web.podName, 'web-1');
  assert.equal(web.nodeName, 'node-1');
  assert.deepEqual(web.labels, [
    'k8s:app=web',
    'k8s:io.cilium.k8s.policy.serviceaccount=web',
    'k8s:io.kubernetes.pod.namespace=shop',
    'k8s:pod-template-hash=5d9f8c7b6',
  ]);
  assert.deepEqual(web.workloads, [{ kind: 'Deployment', name: 'web' }]);
  assert.deepEqual(web.service, { name: 'web', namespace: 'shop' });

  assert.deepEqual(s.lookup('10.96.0.1'), {
    ip: '10.96.0.1', kind: 'service', namespace: 'shop', podName: '', nodeName: '', labels: [], workloads: [],
    service: { name: 'web', namespace: 'shop' },
  });
  // A host-network pod does not steal its node's address.
  assert.equal(s.lookup('192.168.0.1')?.kind, 'node');
  assert.equal(s.lookup('192.168.0.1')?.nodeName, 'node-1');
  // An endpoint whose pod is not (yet) visible still names pod, namespace, node and service.
  assert.deepEqual(
    { ...s.lookup('10.0.0.9') },
    { ip: '10.0.0.9', kind: 'endpoint', namespace: 'shop', podName: 'gone-1', nodeName: 'node-2', labels: [], workloads: [], service: { name: 'web', namespace: 'shop' } },
  );
  assert.equal(s.lookup('10.9.9.9'), undefined);
  assert.deepEqual(s.podsOfService('shop', 'web').map((p) => p.name), ['web-1']);
  assert.deepEqual(s.servicesOfPod('shop', 'web-1'), [{ name: 'web', namespace: 'shop' }]);
});

test('a reused pod IP belongs to the live pod; deleting either keeps the index right', () => {
  const s = new ClusterStore();
  const done = pod('shop', 'job-1', '10.0.0.5', { phase: 'Succeeded' });
  const live = pod('shop', 'web-2', '10.0.0.5', { labels: { app: 'web' } });
  s.upsert('Pod', done);
  s.upsert('Pod', live);
  assert.equal(s.lookup('10.0.0.5')?.podName, 'web-2');
  s.remove('Pod', live);
  assert.equal(s.lookup('10.0.0.5')?.podName, 'job-1');
  s.remove('Pod', done);
  assert.equal(s.lookup('10.0.0.5'), undefined);
  assert.equal(s.indexedIPs, 0);
});

test('replace deletes vanished objects only within its namespace scope, and notifies', () => {
  const s = new ClusterStore();
  const seen: string[] = [];
  s.onChange((k) => seen.push(k));
  s.replace('Pod', [pod('a', 'p1', '10.0.0.1'), pod('b', 'p2', '10.0.0.2')]);
  s.replace('Pod', [pod('a', 'p3', '10.0.0.3')], 'a');
  assert.deepEqual(s.list('Pod').map((p) => `${p.namespace}/${p.name}`).sort(), ['a/p3', 'b/p2']);
  assert.equal(s.lookup('10.0.0.1'), undefined);
  assert.equal(s.lookup('10.0.0.2')?.podName, 'p2');
  s.replace('Pod', []);
  assert.equal(s.count('Pod'), 0);
  assert.equal(s.indexedIPs, 0);
  assert.deepEqual(seen, ['Pod', 'Pod', 'Pod']);
  const v = s.version;
  s.remove('Pod', pod('a', 'never', '10.0.0.7'));
  assert.equal(s.version, v, 'deleting an unknown object changes nothing');
});

test('the demo cluster loads as a snapshot and every pod IP resolves', () => {
  const objs = demoClusterObjects({ seed: 1 });
  const s = loadSnapshot(objs);
  assert.equal(s.count('Pod'), objs.pods.length);
  assert.equal(s.count('Service'), objs.services.length);
  assert.equal(s.count('NetworkPolicy'), objs.networkPolicies.length);
  for (const p of objs.pods) {
    const ip = (p.status as { podIP?: string }).podIP;
    if (!ip || (p.spec as { hostNetwork?: boolean }).hostNetwork) continue;
    assert.equal(s.lookup(ip)?.podName, p.metadata.name, `pod ${p.metadata.name}`);
  }
});

test("a namespace's labels join its pods' Cilium labels and follow changes", () => {
  const s = new ClusterStore();
  s.upsert('Pod', pod('shop', 'web-1', '10.0.0.1', { labels: { app: 'web' }, serviceAccount: '' }));
  assert.deepEqual(s.lookup('10.0.0.1')?.labels, ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop']);
  s.upsert('Namespace', { metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop', team: 'a' } } });
  assert.deepEqual(s.lookup('10.0.0.1')?.labels, [
    'k8s:app=web',
    'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=shop',
    'k8s:io.cilium.k8s.namespace.labels.team=a',
    'k8s:io.kubernetes.pod.namespace=shop',
  ]);
  s.remove('Namespace', { metadata: { name: 'shop' } });
  assert.deepEqual(s.lookup('10.0.0.1')?.labels, ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop']);
});
