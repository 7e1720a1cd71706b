import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer } from '../../../src/streams/ring-buffer.ts';
import { TopologyAggregator } from '../../../src/streams/topology.ts';
import type { Flow } from '../../../src/model/flow.ts';
import { paneKey, type PaneStates } from '../../../src/views/pane-keys.ts';
import { initialFlowsState } from '../../../src/views/flows-view.ts';
import { initialLatencyState } from '../../../src/views/latency-view.ts';
import { initialTopologyState, mapNodes } from '../../../src/views/topology-view.ts';
import { mkFlow } from '../streams/fixtures.ts';

const T0 = 1_700_000_000_000;
const st0: PaneStates = { flows: initialFlowsState(), topo: initialTopologyState(), lat: initialLatencyState(), detailScroll: 0 };

function ctx() {
  const ring = new RingBuffer<Flow>(10);
  const agg = new TopologyAggregator();
  for (let i = 0; i < 5; i++) {
    const f = mkFlow({ t: T0 + i, to: `shop/svc${i}-6c9b8d7f5c-fghij` });
    ring.push(f);
    agg.add(f, T0 + i);
  }
  const nodes = mapNodes(agg.snapshot('workload', T0 + 10), initialTopologyState());
  return { ring, nodes, services: () => ['shop/a', 'shop/b', 'shop/c'], pageSize: 2 };
}

test('flows: j moves down, page down moves a page, Enter opens the selected flow', () => {
  const c = ctx();
  let r = paneKey('flows', 'down', st0, c);
  r = paneKey('flows', 'page-down', r.st, c);
  const e = paneKey('flows', 'enter', r.st, c).effect;
  assert.equal(e?.type, 'flow-detail');
  assert.equal(e?.type === 'flow-detail' && e.flow, c.ring.bySeq(1));
});

test('topology: moving selects nodes, l cycles levels, d and i toggle, Enter focuses the node', () => {
  const c = ctx();
  let r = paneKey('topology', 'top', st0, c);
  assert.equal(r.st.topo.selected, c.nodes[0].id);
  r = paneKey('topology', 'down', r.st, c);
  assert.equal(r.st.topo.selected, c.nodes[1].id);
  assert.deepEqual(paneKey('topology', 'enter', r.st, c).effect, { type: 'focus-node', id: c.nodes[1].id, level: 'workload' });
  assert.equal(paneKey('topology', 'level', r.st, c).st.topo.level, 'pod');
  assert.equal(paneKey('topology', 'drops-only', r.st, c).st.topo.dropsOnly, true);
  assert.equal(paneKey('topology', 'hide-infra', r.st, c).st.topo.hideInfra, true);
});

test('latency: sort keys, percentile cycle, selection and Enter', () => {
  const c = ctx();
  assert.equal(paneKey('latency', 'sort-rate', st0, c).st.lat.sort, 'rate');
  assert.equal(paneKey('latency', 'percentile', st0, c).st.lat.percentile, 99);
  const r = paneKey('latency', 'bottom', st0, c);
  assert.equal(r.st.lat.selected, 'shop/c');
  assert.deepEqual(paneKey('latency', 'enter', r.st, c).effect, { type: 'focus-service', service: 'shop/c' });
});

test('keys that mean nothing in a pane change nothing', () => {
  const c = ctx();
  const r = paneKey('detail', 'order', st0, c);
  assert.equal(r.st, st0);
  assert.equal(r.effect, null);
});
