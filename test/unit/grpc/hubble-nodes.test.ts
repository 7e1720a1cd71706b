// The Hubble nodes model and its table: GetNodes lists updated by node-status events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubbleNodes } from '../../../src/streams/hubble-nodes.ts';
import { nodeTableLines } from '../../../src/views/hubble-nodes-view.ts';

const sort = { column: 0, descending: false };

test('a node-status event marks listed nodes; the next GetNodes list replaces the rows', () => {
  const m = new HubbleNodes();
  assert.deepEqual(nodeTableLines(m.rows(), { width: 100, height: 10, scroll: 0, sort, heard: m.heard }), [
    'no Hubble nodes yet: they come from GetNodes when netscope reads a Hubble server (--server, -P)',
  ]);
  m.apply({ kind: 'nodes', source: 's', nodes: [
    { name: 'b', state: 'NODE_CONNECTED', version: '1.17.0', seen_flows: 1500, uptime_ns: 7200e9, num_flows: 10, max_flows: 4095 },
    { name: 'a', state: 'NODE_CONNECTED', version: '1.17.0', seen_flows: 20 },
  ] });
  m.apply({ kind: 'node-status', status: { state_change: 'NODE_UNAVAILABLE', node_names: ['a'], message: 'dial tcp: i/o timeout' } });
  const lines = nodeTableLines(m.rows(), { width: 100, height: 10, scroll: 0, sort, heard: m.heard });
  assert.match(lines[0]!, /^NAME↑ +STATUS +AGE +SEEN +BUFFER +VERSION +ADDRESS +TLS +MESSAGE/);
  assert.match(lines[1]!, /^a +Unavailable +20 +1\.17\.0 +dial tcp: i\/o timeout/);
  assert.match(lines[2]!, /^b +Connected +2h +1,500 +10\/4095 +1\.17\.0/);
  assert.equal(lines[3], '2 nodes, 1 not connected  (s/S: sort)');
  m.apply({ kind: 'nodes', source: 's', nodes: [{ name: 'a', state: 'NODE_CONNECTED' }] });
  const after = nodeTableLines(m.rows(), { width: 100, height: 10, scroll: 0, sort, heard: m.heard });
  assert.equal(after.length, 3, 'b is gone from the list');
  assert.doesNotMatch(after[1]!, /timeout/, 'a connected node drops the old reason');
});
