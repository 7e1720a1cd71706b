import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TopologyAggregator } from '../../../src/streams/topology.ts';
import { findNode, initialTopologyState, mapNodes, moveNode, nodeFilterArgs, topologyView } from '../../../src/views/topology-view.ts';
import { mkFlow } from '../streams/fixtures.ts';
import { mono, plain } from './helpers.ts';

const T0 = 1_700_000_000_000;

function agg() {
  const a = new TopologyAggregator();
  for (let i = 0; i < 10; i++) a.add(mkFlow({ t: T0 + i * 100 }), T0 + i * 100);
  a.add(mkFlow({ t: T0, to: 'shop/payment-7f6d5c4b3a-zzzzz', verdict: 'DROPPED' }), T0);
  a.add(mkFlow({ t: T0, from: 'shop/cartservice-6c9b8d7f5c-fghij', to: 'kube-system/coredns-5d78c9869d-abcde', port: 53 }), T0);
  return a;
}

test('nodes grouped by namespace with outgoing edges, rates and a drop mark', () => {
  const v = topologyView(agg().snapshot('workload', T0 + 1000), initialTopologyState(), { width: 60, height: 20 }, mono);
  const lines = plain(v.lines);
  assert.equal(lines[0].trim(), 'kube-system');
  assert.ok(lines.some((l) => /^● frontend .*✖/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /→ cartservice +1\.0\/s$/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /→ payment .*✖ 1 drop$/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /→ kube-system\/coredns/.test(l)), 'cross-namespace edge names the namespace');
  assert.ok(lines.every((l) => l.length <= 60));
});

test('drops-only and hide-infrastructure keys filter edges', () => {
  const edges = agg().snapshot('workload', T0 + 1000);
  const drops = plain(topologyView(edges, { ...initialTopologyState(), dropsOnly: true }, { width: 60, height: 20 }, mono).lines);
  assert.ok(drops.some((l) => l.includes('payment')));
  assert.ok(!drops.some((l) => l.includes('→ cartservice')));
  const noInfra = plain(topologyView(edges, { ...initialTopologyState(), hideInfra: true }, { width: 60, height: 20 }, mono).lines);
  assert.ok(!noInfra.some((l) => l.includes('coredns')));
});

test('levels: namespace level shows namespaces as nodes; pod level shows pods', () => {
  const a = agg();
  const ns = plain(topologyView(a.snapshot('namespace', T0 + 1000), { ...initialTopologyState(), level: 'namespace' }, { width: 60, height: 20 }, mono).lines);
  assert.ok(ns.some((l) => /^● shop/.test(l)));
  const pod = plain(topologyView(a.snapshot('pod', T0 + 1000), { ...initialTopologyState(), level: 'pod' }, { width: 80, height: 20 }, mono).lines);
  assert.ok(pod.some((l) => l.includes('frontend-5d8f7c6b9d-abcde')));
});

test('selection moves over nodes and the view scrolls to it in a small pane (80x24 use)', () => {
  const a = new TopologyAggregator();
  for (let i = 0; i < 30; i++) a.add(mkFlow({ t: T0, from: `shop/client${i}-5d8f7c6b9d-abcde` }), T0);
  const edges = a.snapshot('workload', T0);
  const st0 = initialTopologyState();
  const nodes = mapNodes(edges, st0);
  const st = moveNode(nodes, { ...st0, selected: nodes[0].id }, 'bottom');
  const v = topologyView(edges, st, { width: 38, height: 8 }, mono);
  assert.equal(v.lines.length, 8);
  assert.ok(v.lines.some((l) => l.includes('{inverse}')), 'selected node visible');
  assert.match(v.title, /\d+-\d+\/\d+/);
  assert.equal(findNode(nodes, 'client7')?.id, 'shop/client7');
});

test('a node as observe filter flags, for the equivalent command line', () => {
  assert.deepEqual(nodeFilterArgs('shop/cartservice', 'workload', false), ['--namespace', 'shop', '--workload', 'cartservice']);
  assert.deepEqual(nodeFilterArgs('shop/cart-1', 'pod', false), ['--pod', 'shop/cart-1']);
  assert.deepEqual(nodeFilterArgs('shop', 'namespace', false), ['--namespace', 'shop']);
  assert.deepEqual(nodeFilterArgs('10.0.0.9', 'workload', true), ['--ip', '10.0.0.9']);
  assert.deepEqual(nodeFilterArgs('api.github.com', 'pod', true), ['--fqdn', 'api.github.com']);
  assert.deepEqual(nodeFilterArgs('world', 'namespace', true), ['--label', 'reserved:world']);
});

test('the selected node also lists its callers', () => {
  const edges = agg().snapshot('workload', T0 + 1000);
  const lines = plain(topologyView(edges, { ...initialTopologyState(), selected: 'shop/cartservice' }, { width: 60, height: 20 }, mono).lines);
  const at = lines.findIndex((l) => /^● cartservice/.test(l));
  assert.ok(lines.slice(at + 1, at + 4).some((l) => /← frontend +1\.0\/s/.test(l)), lines.join('\n'));
  const unselected = plain(topologyView(edges, initialTopologyState(), { width: 60, height: 20 }, mono).lines);
  assert.ok(!unselected.some((l) => l.includes('←')));
});
