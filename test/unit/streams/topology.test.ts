import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TopologyAggregator } from '../../../src/streams/topology.ts';
import { mkFlow } from './fixtures.ts';

const T0 = 1_700_000_000_000;

test('aggregates edges per level with rate over the window and marks drops', () => {
  const agg = new TopologyAggregator({ rateWindowMs: 10_000, horizonMs: 60_000 });
  for (let i = 0; i < 20; i++) agg.add(mkFlow({ t: T0 + i * 500 }), T0 + i * 500);
  agg.add(mkFlow({ t: T0 + 9000, to: 'shop/payment-7f6d5c4b3a-zzzzz', verdict: 'DROPPED' }), T0 + 9000);
  const wl = agg.snapshot('workload', T0 + 9999);
  assert.equal(wl.length, 2);
  assert.deepEqual([wl[0].from, wl[0].to], ['shop/frontend', 'shop/cartservice']);
  assert.equal(wl[0].rate, 2); // 20 flows / 10 s
  assert.equal(wl[0].drops, 0);
  assert.equal(wl[1].to, 'shop/payment');
  assert.equal(wl[1].drops, 1);
  const ns = agg.snapshot('namespace', T0 + 9999);
  assert.deepEqual(ns.map((e) => [e.from, e.to, e.flows]), [['shop', 'shop', 21]]);
  const pod = agg.snapshot('pod', T0 + 9999);
  assert.equal(pod[0].from, 'shop/frontend-5d8f7c6b9d-abcde');
});

test('edges age out of the rate window, keep their drop mark within the horizon, then disappear', () => {
  const agg = new TopologyAggregator({ rateWindowMs: 10_000, horizonMs: 60_000 });
  agg.add(mkFlow({ t: T0, verdict: 'DROPPED' }), T0);
  const later = agg.snapshot('workload', T0 + 30_000);
  assert.equal(later.length, 1);
  assert.equal(later[0].rate, 0);
  assert.equal(later[0].recentDrops, 1);
  assert.deepEqual(agg.snapshot('workload', T0 + 61_000), []);
});

test('infrastructure edges are flagged', () => {
  const agg = new TopologyAggregator();
  const dns = mkFlow({ t: T0, to: 'kube-system/coredns-5d78c9869d-abcde', port: 53 });
  agg.add(dns, T0);
  agg.add(mkFlow({ t: T0 }), T0);
  const edges = agg.snapshot('workload', T0);
  assert.equal(edges.find((e) => e.to === 'kube-system/coredns')?.infra, true);
  assert.equal(edges.find((e) => e.to === 'shop/cartservice')?.infra, false);
});
