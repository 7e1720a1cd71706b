// Enrichment follows the live cluster: a flow between two IPs is named differently
// as pods come, change labels and go on the (fake) API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../../../src/model/flow.ts';
import { enrichFlow } from '../../../src/streams/enrich.ts';
import { endpointSlice, namespace, pod, service } from '../../fake-apiserver/fixtures.ts';
import { startHarness, waitFor } from './helpers.ts';

const flow: Flow = { IP: { source: '10.244.1.10', destination: '10.244.2.20', ipVersion: 'IPv4' }, traffic_direction: 'EGRESS' };

test('enrichment follows create, modify, delete on the API server', async () => {
  const h = await startHarness({}, {}, (s) => {
    s.apply('namespaces', namespace('shop'));
    s.apply('pods', pod('shop', 'frontend-1', '10.244.1.10', { labels: { app: 'frontend' }, owner: 'Deployment/frontend', node: 'node-a' }));
  });
  try {
    await h.model.settled();
    const st = h.model.store;
    let f = enrichFlow(flow, st);
    assert.equal(f.source?.pod_name, 'frontend-1');
    assert.equal(f.node_name, 'node-a');
    assert.equal(f.destination, undefined, 'destination unknown so far');

    await waitFor('watches open', () => h.server.openWatches >= 6);
    h.server.apply('pods', pod('shop', 'cart-0', '10.244.2.20', { labels: { app: 'cart' }, owner: 'StatefulSet/cart' }));
    h.server.apply('services', service('shop', 'cart', '10.96.0.20', { app: 'cart' }));
    h.server.apply('endpointslices', endpointSlice('shop', 'cart', [{ ip: '10.244.2.20', pod: 'cart-0' }]));
    await waitFor('destination named', () => enrichFlow(flow, st).destination_service?.name === 'cart');
    f = enrichFlow(flow, st);
    assert.equal(f.destination?.pod_name, 'cart-0');
    assert.deepEqual(f.destination?.workloads, [{ kind: 'StatefulSet', name: 'cart' }]);

    h.server.apply('pods', pod('shop', 'cart-0', '10.244.2.20', { labels: { app: 'cart', track: 'canary' }, owner: 'StatefulSet/cart' }));
    await waitFor('new label', () => enrichFlow(flow, st).destination?.labels?.includes('k8s:track=canary') === true);

    h.server.remove('pods', 'shop', 'frontend-1');
    await waitFor('source forgotten', () => enrichFlow(flow, st).source === undefined);
    h.server.remove('endpointslices', 'shop', 'cart-abcde');
    await waitFor('service link gone', () => enrichFlow(flow, st).destination_service === undefined);
  } finally {
    await h.close();
  }
});
