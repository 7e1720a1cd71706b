// Flows as policy questions (replies, host traffic), the annotator's verdicts and
// disagreements, and objects files with mistakes reported as file:line: object: field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../../../src/model/flow.ts';
import { flowQuery } from '../../../src/policy/flow-query.ts';
import { PolicyAnnotator } from '../../../src/streams/policy-annotate.ts';
import { ClusterStore } from '../../../src/k8s/store.ts';
import { parseObjects, problemLines } from '../../../src/policy/objects-file.ts';
import { compilePolicies } from '../../../src/policy/policy-set.ts';
import { engine, makeWorld, np } from './helpers.ts';

const world = makeWorld({ shop: {} }, { 'shop/web': { labels: { app: 'web' }, ip: '10.0.0.1' }, 'shop/db': { labels: { app: 'db' }, ip: '10.0.0.2' } });
const dbOnlyFromApi = np('shop', 'db-in', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }] });

function tcp(src: string, sport: number, dst: string, dport: number, extra: Partial<Flow> = {}): Flow {
  return { IP: { source: src, destination: dst }, l4: { TCP: { source_port: sport, destination_port: dport } }, ...extra };
}

test('a reply is answered as its connection: the server port, the client as source', () => {
  const q = flowQuery(world, tcp('10.0.0.2', 5432, '10.0.0.1', 40000, { is_reply: true }))!;
  assert.equal(q.reply, true);
  assert.equal(q.port, 5432);
  assert.equal(q.from.kind === 'pod' && q.from.pod.name, 'web');
  const e = engine(world, [dbOnlyFromApi]);
  assert.equal(e.evaluate(q).verdict, 'denied');
  // A SYN-ACK without is_reply is a reply too.
  const synack = flowQuery(world, { IP: { source: '10.0.0.2', destination: '10.0.0.1' }, l4: { TCP: { source_port: 5432, destination_port: 40000, flags: { SYN: true, ACK: true } } } })!;
  assert.equal(synack.reply, true);
});

function storeWith(objects: unknown[]): ClusterStore {
  const s = new ClusterStore();
  const by = new Map<string, unknown[]>();
  for (const o of objects) {
    const k = (o as { kind: string }).kind;
    by.set(k, [...(by.get(k) ?? []), o]);
  }
  for (const [k, items] of by) s.replace(k as 'Pod', items);
  return s;
}

const objects = [
  { kind: 'Namespace', metadata: { name: 'shop' } },
  { kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { nodeName: 'n1' }, status: { phase: 'Running', podIP: '10.0.0.1' } },
  { kind: 'Pod', metadata: { name: 'db', namespace: 'shop', labels: { app: 'db' } }, spec: { nodeName: 'n1' }, status: { phase: 'Running', podIP: '10.0.0.2' } },
  { kind: 'NetworkPolicy', metadata: { name: 'db-in', namespace: 'shop' }, spec: (dbOnlyFromApi.raw as { spec: unknown }).spec },
];

test('the annotator flags a flow forwarded although the policies deny it, and counts hits', () => {
  const store = storeWith(objects);
  const a = new PolicyAnnotator(() => store);
  const fwd = tcp('10.0.0.1', 40000, '10.0.0.2', 5432, { verdict: 'FORWARDED', is_reply: false });
  const n = a.annotate(fwd)!;
  assert.equal(n.answer.verdict, 'denied');
  assert.deepEqual(n.decidedBy, ['shop/db-in']);
  assert.match(n.mismatch ?? '', /forwarded although the policies deny it/);
  assert.equal(a.note(fwd), n, 'remembered in the side table');
  assert.equal(a.hits.get('NetworkPolicy|shop/db-in')?.denied, 1);
  assert.equal(JSON.stringify(fwd).includes('db-in'), false, 'the flow itself is not changed');
});

test('the annotator flags a drop the policies allow, and cross-checks Hubble names', () => {
  const store = storeWith(objects);
  const a = new PolicyAnnotator(() => store);
  const drop = tcp('10.0.0.2', 40000, '10.0.0.1', 80, { verdict: 'DROPPED', drop_reason_desc: 'CT_MAP_INSERTION_FAILED', ingress_denied_by: [{ name: 'other', namespace: 'shop' }] });
  const n = a.annotate(drop)!;
  assert.equal(n.answer.verdict, 'allowed');
  assert.match(n.mismatch ?? '', /dropped \(CT_MAP_INSERTION_FAILED\) although the policies allow it/);
  assert.match(n.hubble ?? '', /Hubble: denied by shop\/other \(the model decides by no policy\)/);
});

test('the annotator follows the model: a new policy changes the answer', () => {
  const store = storeWith(objects.slice(0, 3));
  const a = new PolicyAnnotator(() => store, { minRebuildMs: 0 });
  assert.equal(a.annotate(tcp('10.0.0.1', 1, '10.0.0.2', 5432)), undefined, 'no policies: nothing to say');
  store.replace('NetworkPolicy', [objects[3]]);
  assert.equal(a.annotate(tcp('10.0.0.1', 2, '10.0.0.2', 5432))?.answer.verdict, 'denied');
});

test('objects file: a typo, a bad operator and a bad CIDR are reported as file:line: object: field; the rest is evaluated', () => {
  const text = [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata: {name: typo, namespace: shop}',
    'spec:',
    '  podSelecter: {}',
    '  ingress: []',
    '---',
    'kind: NetworkPolicy',
    'metadata: {name: badop, namespace: shop}',
    'spec:',
    '  podSelector:',
    '    matchExpressions:',
    '    - key: app',
    '      operator: Inn',
    '      values: [db]',
    '---',
    'kind: List',
    'items:',
    '- kind: NetworkPolicy',
    '  metadata: {name: badcidr, namespace: shop}',
    '  spec:',
    '    podSelector: {}',
    '    ingress:',
    '    - from:',
    '      - ipBlock: {cidr: 10.0.0.0/33}',
    '- kind: Pod',
    '  metadata: {name: x, namespace: shop}',
  ].join('\n');
  const loaded = parseObjects(text, 'draft.yaml');
  assert.equal(loaded.policies.length, 3);
  assert.equal(loaded.objects.get('Pod')?.length, 1);
  const set = compilePolicies(loaded.policies);
  const lines = problemLines(set.problems);
  assert.deepEqual(lines, [
    'draft.yaml:5: NetworkPolicy shop/typo: spec.podSelecter: unknown field "podSelecter" (ignored; known: podSelector, policyTypes, ingress, egress)',
    'draft.yaml:14: NetworkPolicy shop/badop: spec.podSelector.matchExpressions[0].operator: unknown operator "Inn" (want In, NotIn, Exists or DoesNotExist) (policy left out)',
    'draft.yaml:25: NetworkPolicy shop/badcidr: spec.ingress[0].from[0].ipBlock.cidr: invalid CIDR "10.0.0.0/33": prefix length must be 0-32 (policy left out)',
  ]);
  // The typo is only a warning: that policy (deny-all ingress, podSelector defaulted) is in effect.
  assert.deepEqual(set.refs.map((r) => r.name), ['typo']);
});

test('objects file: broken YAML is one line with its line number', () => {
  const loaded = parseObjects('kind: Pod\nmetadata: {name: [x\n', 'bad.yaml');
  assert.equal(loaded.errors.length > 0, true);
  assert.match(loaded.errors[0]!, /^bad\.yaml:\d+: invalid YAML: /);
});
