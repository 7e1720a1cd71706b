// Which pods are agent targets, and how a change of the pod set becomes stream changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentNode, diffTargets, labelSelector, nodesWithoutAgent, podTarget, type AgentTarget } from '../../../src/agent/discovery.ts';
import { AGENT_LABELS, AGENT_LABEL_SELECTOR } from '../../../src/agent/manifest.ts';

const raw = (o: { name?: string; uid?: string; node?: string; phase?: string; deleting?: boolean; labels?: Record<string, string> } = {}) => ({
  metadata: { name: o.name ?? 'netscope-agent-a', namespace: 'netscope', uid: o.uid ?? 'u1', labels: o.labels ?? { ...AGENT_LABELS }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { nodeName: o.node ?? 'node-1' },
  status: { phase: o.phase ?? 'Running', podIP: '10.0.0.5' },
});

test('podTarget: scheduled, live agent pods only (not-ready ones included, to be shown failing)', () => {
  assert.deepEqual(podTarget(raw(), AGENT_LABELS), { id: 'netscope/netscope-agent-a', uid: 'u1', namespace: 'netscope', pod: 'netscope-agent-a', node: 'node-1', podIP: '10.0.0.5' });
  assert.equal(podTarget(raw({ node: '' }), AGENT_LABELS), undefined, 'unscheduled');
  assert.equal(podTarget(raw({ deleting: true }), AGENT_LABELS), undefined, 'terminating');
  assert.equal(podTarget(raw({ phase: 'Failed' }), AGENT_LABELS), undefined);
  assert.equal(podTarget(raw({ phase: 'Succeeded' }), AGENT_LABELS), undefined);
  assert.ok(podTarget(raw({ phase: 'Pending' }), AGENT_LABELS), 'scheduled but starting: a target');
  assert.equal(podTarget(raw({ labels: { 'app.kubernetes.io/name': 'netscope' } }), AGENT_LABELS), undefined, 'labels must all match');
  assert.equal(labelSelector(AGENT_LABELS), AGENT_LABEL_SELECTOR);
});

test('diffTargets: removed, added, and replaced (same name, new uid or node) pods', () => {
  const t = (id: string, uid: string, node: string): AgentTarget => ({ id, uid, node, namespace: 'netscope', pod: id, podIP: '' });
  const from = new Map([['a', t('a', '1', 'n1')], ['b', t('b', '2', 'n2')], ['c', t('c', '3', 'n3')]]);
  const to = new Map([['a', t('a', '1', 'n1')], ['c', t('c', '9', 'n3')], ['d', t('d', '4', 'n4')]]);
  assert.deepEqual(diffTargets(from, to), [
    { type: 'remove', id: 'b' },
    { type: 'remove', id: 'c' },
    { type: 'add', target: t('c', '9', 'n3') },
    { type: 'add', target: t('d', '4', 'n4') },
  ]);
  assert.deepEqual(diffTargets(to, to), []);
});

test('nodes the DaemonSet runs on, and those without an agent', () => {
  const n = (name: string, os?: string) => ({ metadata: { name, labels: os ? { 'kubernetes.io/os': os } : {} } });
  assert.equal(agentNode(n('a', 'linux')), 'a');
  assert.equal(agentNode(n('b')), 'b', 'no os label: assumed linux');
  assert.equal(agentNode(n('w', 'windows')), undefined);
  const t = (node: string): AgentTarget => ({ id: node, uid: node, node, namespace: 'netscope', pod: node, podIP: '' });
  assert.deepEqual([...nodesWithoutAgent(new Set(['a', 'b', 'c']), [t('a'), t('c'), t('x')])], ['b']);
});
