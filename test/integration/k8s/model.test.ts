// The cluster model follows a (fake) API server through the real protocol:
// paged lists, watches, drops, 410 Gone, 403, bookmarks, CRD discovery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointSlice, namespace, networkPolicy, node, pod, service } from '../../fake-apiserver/fixtures.ts';
import type { FakeApiServer } from '../../fake-apiserver/server.ts';
import type { PodView } from '../../../src/k8s/objects.ts';
import { startHarness, waitFor } from './helpers.ts';

function seedShop(s: FakeApiServer): void {
  s.apply('namespaces', namespace('shop'));
  s.apply('namespaces', namespace('kube-system'));
  s.apply('nodes', node('node-1', '192.168.0.1'));
  s.apply('pods', pod('shop', 'frontend-1', '10.244.1.10', { labels: { app: 'frontend' }, owner: 'Deployment/frontend' }));
  s.apply('pods', pod('shop', 'frontend-2', '10.244.1.11', { labels: { app: 'frontend' }, owner: 'Deployment/frontend' }));
  s.apply('pods', pod('shop', 'cart-0', '10.244.1.20', { labels: { app: 'cart' }, owner: 'StatefulSet/cart' }));
  s.apply('pods', pod('kube-system', 'coredns-1', '10.244.0.5', { labels: { 'k8s-app': 'kube-dns' } }));
  s.apply('services', service('shop', 'cart', '10.96.0.20', { app: 'cart' }));
  s.apply('endpointslices', endpointSlice('shop', 'cart', [{ ip: '10.244.1.20', pod: 'cart-0' }]));
  s.apply('networkpolicies', networkPolicy('shop', 'deny-all'));
}

test('lists in pages, then follows ADDED / MODIFIED / DELETED through the watch', async () => {
  const h = await startHarness({}, {}, seedShop);
  try {
    await h.model.settled();
    const st = h.model.store;
    assert.equal(st.count('Pod'), 4);
    assert.equal(st.count('Namespace'), 2);
    // pageSize 2: four pods needed two list pages with a continue token
    const podLists = h.server.requests.filter((r) => r.path === '/api/v1/pods' && !r.query.has('watch'));
    assert.equal(podLists.length, 2);
    assert.ok(podLists[1]!.query.get('continue'));
    assert.equal(st.lookup('10.244.1.10')?.podName, 'frontend-1');
    assert.deepEqual(st.lookup('10.244.1.10')?.workloads, [{ kind: 'Deployment', name: 'frontend' }]);
    assert.deepEqual(st.lookup('10.244.1.20')?.service, { name: 'cart', namespace: 'shop' });
    assert.equal(st.lookup('10.96.0.20')?.kind, 'service');
    assert.equal(st.lookup('192.168.0.1')?.nodeName, 'node-1');

    await waitFor('watches open', () => h.server.openWatches >= 6);
    h.server.apply('pods', pod('shop', 'checkout-1', '10.244.1.30', { labels: { app: 'checkout' } }));
    await waitFor('ADDED pod indexed', () => st.lookup('10.244.1.30')?.podName === 'checkout-1');

    h.server.apply('pods', pod('shop', 'checkout-1', '10.244.1.30', { labels: { app: 'checkout', version: 'v2' } }));
    await waitFor('MODIFIED labels', () => st.lookup('10.244.1.30')?.labels.includes('k8s:version=v2') === true);

    // The pod's IP changes: the old address must stop resolving to it.
    h.server.apply('pods', pod('shop', 'checkout-1', '10.244.1.31', { labels: { app: 'checkout' } }));
    await waitFor('IP moved', () => st.lookup('10.244.1.31') !== undefined);
    assert.equal(st.lookup('10.244.1.30'), undefined);

    h.server.remove('pods', 'shop', 'checkout-1');
    await waitFor('DELETED pod gone', () => st.lookup('10.244.1.31') === undefined);
    assert.equal(st.count('Pod'), 4);

    h.server.apply('endpointslices', endpointSlice('shop', 'cart', [{ ip: '10.244.1.20', pod: 'cart-0' }, { ip: '10.244.1.21' }]));
    await waitFor('endpoint without visible pod', () => st.lookup('10.244.1.21')?.kind === 'endpoint');
    assert.deepEqual(st.lookup('10.244.1.21')?.service, { name: 'cart', namespace: 'shop' });
  } finally {
    await h.close();
  }
});

test('a dropped watch resumes from the last resourceVersion without duplicates', async () => {
  const h = await startHarness({}, {}, seedShop);
  try {
    await h.model.settled();
    await waitFor('watches open', () => h.server.openWatches >= 6);
    const lastRV = h.model.reflector('Pod')!.resourceVersion;
    const listsBefore = h.model.reflector('Pod')!.stats.lists;
    h.server.dropWatches();
    // Changes while the client is away stay in the server's history.
    h.server.apply('pods', pod('shop', 'late-1', '10.244.1.40', { labels: { app: 'late' } }));
    h.server.remove('pods', 'shop', 'frontend-2');
    await waitFor('late pod seen', () => h.model.store.lookup('10.244.1.40') !== undefined);
    await waitFor('deleted pod gone', () => h.model.store.get('Pod', 'shop', 'frontend-2') === undefined);
    const resumed = h.server.requests.filter((r) => r.path === '/api/v1/pods' && r.query.get('watch') === 'true');
    assert.ok(resumed.some((r) => r.query.get('resourceVersion') === lastRV), `a watch resumed from ${lastRV}`);
    assert.ok(resumed.every((r) => r.query.get('allowWatchBookmarks') === 'true'));
    assert.equal(h.model.reflector('Pod')!.stats.lists, listsBefore, 'no relist needed');
    const names = h.model.store.list<PodView>('Pod').map((p) => p.name).sort();
    assert.deepEqual(names, ['cart-0', 'coredns-1', 'frontend-1', 'late-1']);
  } finally {
    await h.close();
  }
});

test('410 Gone relists and replaces the store: no stale, no duplicate objects', async () => {
  const h = await startHarness({}, {}, seedShop);
  try {
    await h.model.settled();
    await waitFor('watches open', () => h.server.openWatches >= 6);
    // While the watch is gone, objects change and the history is compacted away.
    h.server.dropWatches();
    h.server.removeSilently('pods', 'shop', 'frontend-1');
    h.server.applySilently('pods', { ...pod('shop', 'new-1', '10.244.1.50', { labels: { app: 'new' } }), kind: 'Pod', apiVersion: 'v1' });
    h.server.compact();
    await waitFor('relist after 410', () => h.model.reflector('Pod')!.stats.relists410 >= 1);
    await waitFor('new pod listed', () => h.model.store.lookup('10.244.1.50') !== undefined);
    assert.equal(h.model.store.get('Pod', 'shop', 'frontend-1'), undefined, 'vanished pod deleted on relist');
    assert.equal(h.model.store.lookup('10.244.1.10'), undefined);
    assert.equal(h.model.store.count('Pod'), 4);

    // An ERROR 410 event on an open watch does the same.
    await waitFor('watches reopen', () => h.server.openWatches >= 6);
    const before = h.model.reflector('Service')!.stats.relists410;
    h.server.expireWatches();
    await waitFor('service relist', () => h.model.reflector('Service')!.stats.relists410 > before);
    assert.equal(h.model.store.count('Service'), 1);
  } finally {
    await h.close();
  }
});

test('bookmarks advance the resourceVersion used to resume', async () => {
  const h = await startHarness({}, {}, seedShop);
  try {
    await h.model.settled();
    await waitFor('watches open', () => h.server.openWatches >= 6);
    h.server.apply('nodes', node('node-2', '192.168.0.2')); // bumps the server's resourceVersion
    await waitFor('node-2', () => h.model.store.count('Node') === 2);
    h.server.bookmark();
    const rv = h.server.resourceVersion;
    await waitFor('pod reflector at bookmark rv', () => h.model.reflector('Pod')!.resourceVersion === rv);
    assert.ok(h.model.reflector('Pod')!.stats.bookmarks >= 1);
  } finally {
    await h.close();
  }
});

test('403 on a resource: works with the rest, falls back to the namespace, says what it cannot see', async () => {
  const h = await startHarness({ user: 'alice' }, {}, (s) => {
    seedShop(s);
    s.restrict('pods', ['shop']); // may list pods only in shop
    s.restrict('networkpolicies'); // may not list policies at all
  }, undefined);
  try {
    await h.model.settled();
    await waitFor('policies forbidden', () => h.model.resourceStates.some((x) => x.kind === 'NetworkPolicy' && x.status.state === 'forbidden'));
    await waitFor('pods in shop', () => h.model.store.count('Pod') === 3);
    const podState = h.model.resourceStates.find((x) => x.kind === 'Pod')!;
    assert.equal(podState.namespace, 'shop');
    assert.equal(podState.status.state, 'synced');
    assert.equal(h.model.store.lookup('10.244.0.5'), undefined, 'kube-system pod not visible');
    assert.equal(h.model.store.lookup('10.244.1.10')?.podName, 'frontend-1');
    assert.equal(h.model.store.count('Service'), 1);
    const np = h.model.resourceStates.find((x) => x.kind === 'NetworkPolicy')!;
    assert.match(np.status.message ?? '', /networkpolicies.* forbidden: User "alice" cannot list/);
    const { clusterStatusLine } = await import('../../../src/k8s/status-line.ts');
    const line = clusterStatusLine('test', h.model.resourceStates, h.model.store);
    assert.equal(line.state, 'warning');
    assert.match(line.message, /no access to networkpolicies \(403 Forbidden\)/);
    assert.match(line.message, /pods \(namespace shop only\)/);

    // Access granted later: the model picks it up on its next check.
    h.server.allow('networkpolicies');
    await waitFor('policies after grant', () => h.model.store.count('NetworkPolicy') === 1);
  } finally {
    await h.close();
  }
});

test('losing access clears what can no longer be seen', async () => {
  const h = await startHarness({}, {}, seedShop);
  try {
    await h.model.settled();
    assert.equal(h.model.store.count('NetworkPolicy'), 1);
    await waitFor('watches open', () => h.server.openWatches >= 6);
    h.server.restrict('networkpolicies');
    // The cut watch may first be retried (403 on watch: 'polling') before the relist is
    // refused too; what must hold in the end is an empty store reported as forbidden.
    const policyState = () => h.model.resourceStates.find((x) => x.kind === 'NetworkPolicy')!.status.state;
    await waitFor('policies cleared and reported forbidden', () => h.model.store.count('NetworkPolicy') === 0 && policyState() === 'forbidden');
    assert.equal(policyState(), 'forbidden');
  } finally {
    await h.close();
  }
});

test('Cilium policies are watched only when their CRDs are served', async () => {
  const h = await startHarness({ cilium: false }, {}, seedShop);
  try {
    await h.model.settled();
    const cnp = h.model.resourceStates.find((x) => x.kind === 'CiliumNetworkPolicy')!;
    assert.equal(cnp.status.state, 'absent');
    assert.ok(h.server.requests.some((r) => r.path === '/apis/cilium.io/v2'));
    assert.ok(!h.server.requests.some((r) => r.path === '/apis/cilium.io/v2/ciliumnetworkpolicies'));
    // The CRDs get installed: picked up on the next discovery.
    h.server.cilium = true;
    h.server.apply('ciliumnetworkpolicies', { metadata: { name: 'l7', namespace: 'shop' }, spec: { endpointSelector: {} } });
    await waitFor('CNP listed', () => h.model.store.count('CiliumNetworkPolicy') === 1);
    await waitFor('CCNP synced', () => h.model.resourceStates.find((x) => x.kind === 'CiliumClusterwideNetworkPolicy')!.status.state === 'synced');
  } finally {
    await h.close();
  }
});

test('an expired continue token restarts the list from scratch', async () => {
  let server: FakeApiServer | undefined;
  let compacted = false;
  const h = await startHarness({}, { kinds: ['Pod'] }, (s) => {
    server = s;
    seedShop(s);
  }, (t) => ({
    server: t.server,
    async get(path, signal, opts) {
      const res = await t.get(path, signal, opts);
      // Expire the token between the first and second page, once.
      if (!compacted && path.startsWith('/api/v1/pods?') && !path.includes('continue')) {
        compacted = true;
        server!.apply('namespaces', namespace('other')); // history moves on...
        server!.compact(); // ...and is compacted past the list's resourceVersion
      }
      return res;
    },
  }));
  try {
    await h.model.settled();
    assert.equal(h.model.store.count('Pod'), 4);
    const lists = h.server.requests.filter((r) => r.path === '/api/v1/pods' && !r.query.has('watch'));
    // page 1, page 2 (410), page 1 again, page 2
    assert.equal(lists.length, 4);
  } finally {
    await h.close();
  }
});

test('a connection cut in the middle of an event loses nothing: the watch resumes before it', async () => {
  const h = await startHarness({}, { kinds: ['Pod'] }, seedShop);
  try {
    await h.model.settled();
    await waitFor('watch open', () => h.server.openWatches === 1);
    h.server.applyAndCutMidEvent('pods', pod('shop', 'half-1', '10.244.1.60', { labels: { app: 'half' } }));
    await waitFor('the cut event arrives after resuming', () => h.model.store.lookup('10.244.1.60')?.podName === 'half-1');
    assert.equal(h.model.store.count('Pod'), 5);
    assert.equal(h.model.reflector('Pod')!.stats.lists, 1, 'resumed, not relisted');
  } finally {
    await h.close();
  }
});

test('list allowed but watch forbidden: keeps what it listed and relists periodically', async () => {
  const h = await startHarness({ user: 'carol' }, { kinds: ['Pod', 'Service'] }, (s) => {
    seedShop(s);
    s.forbidWatch('pods');
  });
  try {
    await h.model.settled();
    await waitFor('polling', () => h.model.resourceStates.find((x) => x.kind === 'Pod')!.status.state === 'polling');
    assert.equal(h.model.store.count('Pod'), 4, 'listed pods are kept');
    assert.match(h.model.resourceStates.find((x) => x.kind === 'Pod')!.status.message ?? '', /cannot watch resource "pods".*relisting every 200ms instead/);
    const { clusterStatusLine } = await import('../../../src/k8s/status-line.ts');
    assert.match(clusterStatusLine('test', h.model.resourceStates, h.model.store).message, /may not watch pods \(relisting them periodically\)/);
    // Changes arrive with the next relist.
    h.server.apply('pods', pod('shop', 'polled-1', '10.244.1.70'));
    h.server.remove('pods', 'shop', 'frontend-1');
    await waitFor('relist picked up the changes', () => h.model.store.lookup('10.244.1.70') !== undefined && h.model.store.get('Pod', 'shop', 'frontend-1') === undefined);
    assert.equal(h.model.store.count('Service'), 1, 'services are watched as usual');
  } finally {
    await h.close();
  }
});
