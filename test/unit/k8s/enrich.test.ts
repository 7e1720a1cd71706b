import { test } from 'node:test';
import assert from 'node:assert/strict';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { Flow } from '../../../src/model/flow.ts';
import type { SourceEvent } from '../../../src/model/source.ts';
import { ClusterStore } from '../../../src/k8s/store.ts';
import { enrich, enrichFlow } from '../../../src/streams/enrich.ts';
import { endpointSlice, node, pod, service } from '../../fake-apiserver/fixtures.ts';

function model(): ClusterStore {
  const s = new ClusterStore();
  s.replace('Node', [node('node-1', '192.168.0.1'), node('node-2', '192.168.0.2')]);
  s.replace('Pod', [
    pod('shop', 'frontend-1', '10.0.0.1', { labels: { app: 'frontend' }, owner: 'Deployment/frontend', node: 'node-1' }),
    pod('shop', 'cart-0', '10.0.0.2', { labels: { app: 'cart' }, owner: 'StatefulSet/cart', node: 'node-2' }),
  ]);
  s.replace('Service', [service('shop', 'cart', '10.96.0.2', { app: 'cart' })]);
  s.replace('EndpointSlice', [endpointSlice('shop', 'cart', [{ ip: '10.0.0.2', pod: 'cart-0', node: 'node-2' }])]);
  return s;
}

const bare = (src: string, dst: string, extra: Partial<Flow> = {}): Flow => ({
  time: '2026-01-01T00:00:00Z',
  verdict: 'FORWARDED',
  IP: { source: src, destination: dst, ipVersion: 'IPv4' },
  l4: { TCP: { source_port: 40000, destination_port: 8080 } },
  ...extra,
});

test('fills endpoints, workloads, services and node name of a bare flow', () => {
  const f = enrichFlow(bare('10.0.0.1', '10.0.0.2', { traffic_direction: 'EGRESS' }), model());
  assert.equal(f.node_name, 'node-1');
  assert.deepEqual(f.source, {
    namespace: 'shop',
    pod_name: 'frontend-1',
    labels: ['k8s:app=frontend', 'k8s:io.cilium.k8s.policy.serviceaccount=default', 'k8s:io.kubernetes.pod.namespace=shop', 'k8s:pod-template-hash=5d9f8c7b6'],
    workloads: [{ kind: 'Deployment', name: 'frontend' }],
  });
  assert.equal(f.destination?.pod_name, 'cart-0');
  assert.deepEqual(f.destination?.workloads, [{ kind: 'StatefulSet', name: 'cart' }]);
  assert.deepEqual(f.destination_service, { name: 'cart', namespace: 'shop' });
  assert.equal(f.source_service, undefined);
  // Ingress is observed at the receiver.
  assert.equal(enrichFlow(bare('10.0.0.1', '10.0.0.2', { traffic_direction: 'INGRESS' }), model()).node_name, 'node-2');
});

test('a cluster IP names the service; node IPs get host / remote-node labels', () => {
  const f = enrichFlow(bare('10.0.0.1', '10.96.0.2', { node_name: 'node-1' }), model());
  assert.deepEqual(f.destination_service, { name: 'cart', namespace: 'shop' });
  assert.equal(f.destination, undefined, 'a service VIP is not an endpoint');
  const h = enrichFlow(bare('192.168.0.1', '192.168.0.2', { node_name: 'node-1' }), model());
  assert.deepEqual(h.source?.labels, ['reserved:host']);
  assert.deepEqual(h.destination?.labels, ['reserved:remote-node']);
});

test('never overwrites what the source set; unknown IPs return the same object', () => {
  const given = bare('10.0.0.1', '10.0.0.2', {
    node_name: 'from-source',
    source: { namespace: 'other', pod_name: 'given', labels: ['k8s:app=given'] },
    destination_service: { name: 'given-svc', namespace: 'other' },
  });
  const before = structuredClone(given);
  const f = enrichFlow(given, model());
  assert.deepEqual(given, before, 'input not mutated');
  assert.equal(f.node_name, 'from-source');
  assert.equal(f.source?.pod_name, 'given');
  assert.equal(f.source?.namespace, 'other');
  assert.deepEqual(f.source?.labels, ['k8s:app=given']);
  assert.deepEqual(f.source?.workloads, [{ kind: 'Deployment', name: 'frontend' }], 'gaps are still filled');
  assert.deepEqual(f.destination_service, { name: 'given-svc', namespace: 'other' });
  const unknown = bare('1.1.1.1', '8.8.8.8');
  assert.equal(enrichFlow(unknown, model()), unknown);
  const noIP: Flow = { verdict: 'DROPPED' };
  assert.equal(enrichFlow(noIP, model()), noIP);
});

test('operator enriches flow events and passes other events through', async () => {
  const events: SourceEvent[] = [
    { kind: 'status', source: 'test', state: 'connected' },
    { kind: 'flow', flow: bare('10.0.0.1', '10.0.0.2') },
    { kind: 'lost', lost: { source: 'PERF_EVENT_RING_BUFFER', num_events_lost: 3 } },
  ];
  const out = await lastValueFrom(from(events).pipe(enrich(model()), toArray()));
  assert.equal(out.length, 3);
  assert.equal(out[0], events[0]);
  assert.equal(out[2], events[2]);
  assert.equal(out[1]!.kind === 'flow' && out[1].flow.source?.pod_name, 'frontend-1');
});

test('flows named by the same identity share one frozen endpoint and service; a changed pod is named anew', () => {
  const m = model();
  const a = enrichFlow(bare('10.0.0.1', '10.0.0.2', { traffic_direction: 'EGRESS' }), m);
  const b = enrichFlow(bare('10.0.0.1', '10.0.0.2', { traffic_direction: 'EGRESS' }), m);
  assert.notEqual(a, b);
  assert.equal(a.source, b.source);
  assert.equal(a.destination_service, b.destination_service);
  assert.ok(Object.isFrozen(a.source) && Object.isFrozen(a.source?.labels) && Object.isFrozen(a.source?.workloads?.[0]));
  assert.throws(() => {
    (a.source as { pod_name?: string }).pod_name = 'changed';
  }, TypeError);
  // A node seen on itself and from elsewhere: two endpoints, each shared.
  const onNode1 = enrichFlow(bare('192.168.0.1', '10.0.0.2', { node_name: 'node-1' }), m);
  const onNode2 = enrichFlow(bare('192.168.0.1', '10.0.0.2', { node_name: 'node-2' }), m);
  assert.deepEqual(onNode1.source?.labels, ['reserved:host']);
  assert.deepEqual(onNode2.source?.labels, ['reserved:remote-node']);
  assert.equal(enrichFlow(bare('192.168.0.1', '10.0.0.2', { node_name: 'node-2' }), m).source, onNode2.source);
  // A relabelled pod is a new identity: its flows get its new labels.
  m.replace('Pod', [
    pod('shop', 'frontend-1', '10.0.0.1', { labels: { app: 'web' }, owner: 'Deployment/frontend', node: 'node-1' }),
    pod('shop', 'cart-0', '10.0.0.2', { labels: { app: 'cart' }, owner: 'StatefulSet/cart', node: 'node-2' }),
  ]);
  const c = enrichFlow(bare('10.0.0.1', '10.0.0.2', { traffic_direction: 'EGRESS' }), m);
  assert.ok(c.source?.labels?.includes('k8s:app=web'));
  // A partly named endpoint is filled in a copy of its own, never shared.
  const partial = bare('10.0.0.1', '10.0.0.2', { source: { namespace: 'shop' } });
  const p = enrichFlow(partial, m);
  assert.equal(p.source?.pod_name, 'frontend-1');
  assert.notEqual(p.source, enrichFlow(partial, m).source);
});
