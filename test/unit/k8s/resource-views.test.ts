import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterStore } from '../../../src/k8s/store.ts';
import { contextsView, podsView, policiesView, servicesView, type ResourceData } from '../../../src/tables/kinds.ts';
import { initialState, onKey, renderView, visibleRows, type ViewState } from '../../../src/views/resources/state.ts';
import { age, filterRows, buildRows, sortRows } from '../../../src/tables/table.ts';
import { yamlLines } from '../../../src/tables/yaml-text.ts';
import { endpointSlice, networkPolicy, pod, service } from '../../fake-apiserver/fixtures.ts';

const NOW = Date.parse('2026-01-10T00:00:00Z');

function data(): ResourceData {
  const s = new ClusterStore();
  const p = (ns: string, name: string, ip: string, created: string, restarts = 0) => {
    const o = pod(ns, name, ip, { labels: { app: name.split('-')[0]! }, owner: `Deployment/${name.split('-')[0]}` });
    (o.metadata as Record<string, unknown>).creationTimestamp = created;
    o.status.containerStatuses[0]!.restartCount = restarts;
    return o;
  };
  s.replace('Pod', [
    p('shop', 'web-1', '10.0.0.10', '2026-01-09T23:00:00Z', 3),
    p('shop', 'cart-1', '10.0.0.9', '2026-01-01T00:00:00Z'),
    p('ops', 'prom-1', '10.0.0.100', '2026-01-09T23:59:30Z', 12),
  ]);
  s.replace('Service', [service('shop', 'cart', '10.96.0.2', { app: 'cart' })]);
  s.replace('EndpointSlice', [endpointSlice('shop', 'cart', [{ ip: '10.0.0.9', pod: 'cart-1' }])]);
  s.replace('NetworkPolicy', [networkPolicy('shop', 'deny-web', { app: 'web' })]);
  return {
    store: s,
    nowMs: NOW,
    contexts: [
      { name: 'prod', cluster: 'p', user: 'u', namespace: 'shop', current: true },
      { name: 'dev', cluster: 'd', user: 'u', namespace: '', current: false },
    ],
  };
}

test('table: sort by any column (numbers and ages too), filter with all terms and !exclusions', () => {
  const d = data();
  const cols = podsView.columns(d);
  const rows = buildRows(podsView.items(d, undefined), cols, podsView.key);
  const names = (rs: typeof rows) => rs.map((r) => r.item.name);
  assert.deepEqual(names(sortRows(rows, cols, { column: 1, descending: false })), ['cart-1', 'prom-1', 'web-1']);
  const restarts = cols.findIndex((c) => c.name === 'RESTARTS');
  assert.deepEqual(names(sortRows(rows, cols, { column: restarts, descending: true })), ['prom-1', 'web-1', 'cart-1']);
  const ip = cols.findIndex((c) => c.name === 'IP');
  assert.deepEqual(names(sortRows(rows, cols, { column: ip, descending: false })), ['cart-1', 'web-1', 'prom-1'], 'IPs sort numerically');
  const ageCol = cols.findIndex((c) => c.name === 'AGE');
  assert.deepEqual(names(sortRows(rows, cols, { column: ageCol, descending: false })), ['prom-1', 'web-1', 'cart-1'], 'youngest first');
  assert.deepEqual(names(filterRows(rows, 'shop deploy')), ['web-1', 'cart-1']);
  assert.deepEqual(names(filterRows(rows, 'shop !cart')), ['web-1']);
  assert.equal(age('2026-01-09T23:59:30Z', NOW), '30s');
  assert.equal(age('2026-01-09T23:00:00Z', NOW), '60m');
  assert.equal(age('2026-01-01T00:00:00Z', NOW), '9d');
});

test('pods view: namespace scope, keys move the selection, / filters, Enter details, f and l give effects', () => {
  const d = data();
  let st: ViewState = initialState();
  const rows = () => visibleRows(podsView, d, 'shop', st);
  assert.deepEqual(rows().map((r) => r.item.name), ['cart-1', 'web-1']);
  let r = onKey(podsView, d, rows(), st, 'j', 10);
  st = r.state;
  assert.equal(st.selectedKey, 'shop/web-1');
  r = onKey(podsView, d, rows(), st, 'f', 10);
  assert.deepEqual(r.effect, { type: 'flows', filter: '--pod shop/web-1' });
  r = onKey(podsView, d, rows(), st, 'l', 10);
  assert.equal(r.effect, undefined, 'web-1 backs no service');
  assert.match(r.state.message, /no service/);
  st = onKey(podsView, d, rows(), st, 'k', 10).state;
  r = onKey(podsView, d, rows(), st, 'l', 10);
  assert.deepEqual(r.effect, { type: 'latency', row: 'shop/cart' });
  r = onKey(podsView, d, rows(), st, 'enter', 10);
  st = r.state;
  assert.equal(st.mode, 'detail');
  assert.ok(st.page.some((l) => /^Services\s+shop\/cart$/.test(l)));
  assert.ok(st.page.some((l) => /^Workload\s+Deployment\/cart$/.test(l)));
  st = onKey(podsView, d, rows(), st, 'enter', 10).state;
  assert.equal(st.mode, 'list');
  // `/` then typing: a filter; Enter ends editing and keeps it.
  for (const k of ['/', 'w', 'e', 'b', 'enter']) st = onKey(podsView, d, rows(), st, k, 10).state;
  assert.equal(st.filter, 'web');
  assert.deepEqual(rows().map((r) => r.item.name), ['web-1']);
  r = onKey(podsView, d, rows(), st, 'y', 10);
  assert.equal(r.state.mode, 'yaml');
  assert.equal(r.effect?.type, 'yaml');
});

test('services and policies views show endpoints, selectors and directions', () => {
  const d = data();
  const st = initialState();
  const svc = renderView(servicesView, visibleRows(servicesView, d, undefined, st), d, st, { width: 100, height: 6 });
  assert.match(svc.lines[0]!, /^NAMESPACE\s+NAME↑\s+TYPE\s+CLUSTER-IP\s+PORTS\s+ENDPOINTS\s+AGE/);
  assert.match(svc.lines[1]!, /^shop\s+cart\s+ClusterIP\s+10\.96\.0\.2\s+80\/TCP\s+1\s/);
  const np = renderView(policiesView, visibleRows(policiesView, d, undefined, st), d, st, { width: 100, height: 6 });
  assert.match(np.lines[1]!, /^shop\s+deny-web\s+NetworkPolicy\s+app=web\s+Ingress/);
  assert.match(svc.lines.at(-1)!, /^1 services/);
});

test('contexts: Enter selects the context to switch to', () => {
  const d = data();
  const st = initialState();
  const rows = visibleRows(contextsView, d, undefined, st);
  assert.deepEqual(rows.map((r) => r.cells[0] + r.item.name), ['dev', '*prod']);
  const r = onKey(contextsView, d, rows, st, 'enter', 10);
  assert.deepEqual(r.effect, { type: 'select', item: d.contexts[1] });
  assert.equal(onKey(contextsView, d, rows, st, 'y', 10).effect, undefined, 'contexts have no YAML');
});

test('hostile names are shown escaped, never as terminal control', () => {
  const d = data();
  d.store.upsert('Pod', pod('shop', 'evil\u001b[2J-1', '10.0.0.66'));
  const st = initialState();
  const out = renderView(podsView, visibleRows(podsView, d, 'shop', st), d, st, { width: 120, height: 8 });
  assert.ok(out.lines.every((l) => !l.includes('\u001b')));
  assert.ok(out.lines.some((l) => l.includes('evil\\e[2J-1')));
});

test('YAML view text drops managedFields and keeps the rest', () => {
  const lines = yamlLines({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', managedFields: [{ manager: 'kubectl' }] }, spec: { nodeName: 'n1' } });
  assert.deepEqual(lines, ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: x', 'spec:', '  nodeName: n1']);
});

test('namespaces: Enter selects (no details), d shows details', async () => {
  const { namespacesView } = await import('../../../src/tables/kinds.ts');
  const d = data();
  d.store.replace('Namespace', [{ metadata: { name: 'shop' }, status: { phase: 'Active' } }]);
  const st = initialState();
  const rows = visibleRows(namespacesView, d, undefined, st);
  assert.deepEqual(rows[0]!.cells.slice(0, 3), ['shop', 'Active', '2']);
  const enter = onKey(namespacesView, d, rows, st, 'enter', 10);
  assert.deepEqual(enter.effect, { type: 'select', item: rows[0]!.item });
  assert.equal(enter.state.mode, 'list');
  const det = onKey(namespacesView, d, rows, st, 'd', 10);
  assert.equal(det.state.mode, 'detail');
  assert.equal(onKey(namespacesView, d, rows, det.state, 'd', 10).state.mode, 'list');
});
