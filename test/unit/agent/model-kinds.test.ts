// The agent's model lists exactly what its ClusterRole grants: a kind it lists without the
// grant is refused in a real cluster (403, retried forever); a grant it does not use is
// privilege for nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AGENT_LIST_PAGE, AGENT_MODEL_KINDS, agentSourceOptions } from '../../../src/cli/commands/agent-run.ts';
import { MODEL_RULES } from '../../../src/agent/manifest.ts';
import { RESOURCE_TYPES } from '../../../src/k8s/resources.ts';

test('the agent lists and watches what its ClusterRole grants, nothing more or less', () => {
  const listed = AGENT_MODEL_KINDS.map((k) => `${RESOURCE_TYPES[k].group}/${RESOURCE_TYPES[k].plural}`).sort();
  const granted = MODEL_RULES.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}`))).sort();
  assert.deepEqual(listed, granted);
});

test('in a cluster the agent\'s source is the model with those kinds around the collector', () => {
  const o = agentSourceOptions({ nodeName: 'n', listen: [], insecure: false, cluster: true, clusterName: 'default', heapGrowingPercent: 25, kubeconfig: '/nonexistent/kubeconfig-given' });
  assert.ok(o.kind === 'cluster');
  assert.deepEqual(o.kinds, AGENT_MODEL_KINDS);
  assert.equal(o.pageSize, AGENT_LIST_PAGE);
  assert.equal(o.flows?.kind, 'local');
});
