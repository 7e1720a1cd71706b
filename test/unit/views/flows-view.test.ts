import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer } from '../../../src/streams/ring-buffer.ts';
import type { Flow } from '../../../src/model/flow.ts';
import { flowsView, initialFlowsState, moveSelection, pendingWhilePaused, selectedFlow, toggleOrder, togglePause } from '../../../src/views/flows-view.ts';
import { endpointLabel, flowSummary } from '../../../src/views/flow-format.ts';
import { mkFlow } from '../streams/fixtures.ts';
import { color, mono, plain } from './helpers.ts';

const T0 = Date.parse('2026-01-02T03:04:05.678Z');

function ring(n: number, cap = 100): RingBuffer<Flow> {
  const r = new RingBuffer<Flow>(cap);
  for (let i = 0; i < n; i++) r.push(mkFlow({ t: T0 + i * 1000, to: `shop/svc${i}-6c9b8d7f5c-fghij` }));
  return r;
}

test('one line per flow: time, source -> destination with port, protocol, verdict, summary; newest first', () => {
  const r = ring(3);
  r.push(mkFlow({ t: T0 + 5000, verdict: 'DROPPED', dropReason: 'POLICY_DENIED' }));
  const v = flowsView(r, initialFlowsState(), { width: 170, height: 10 }, mono);
  const lines = plain(v.lines);
  assert.match(lines[0], /^TIME +SOURCE +DESTINATION +PROTO +VERDICT +SUMMARY/);
  assert.match(lines[1], /^03:04:10\.678 shop\/frontend-5d8f7c6b9d-abcde:40000 +-> shop\/cartservice-6c9b8d7f5c-fghij:7070 +TCP +DROPPED +POLICY_DENIED/);
  assert.match(lines[2], /svc2-/);
  assert.equal(lines.length, 5);
  assert.match(v.title, /\[1\/4\] newest first/);
});

test('verdicts are coloured: DROPPED red, FORWARDED green; monochrome marks DROPPED bold', () => {
  const r = new RingBuffer<Flow>(10);
  r.push(mkFlow({ verdict: 'FORWARDED' }));
  r.push(mkFlow({ verdict: 'DROPPED' }));
  const c = flowsView(r, initialFlowsState(), { width: 120, height: 5 }, color).lines;
  assert.ok(c[1].includes('{red-fg}DROPPED'));
  assert.ok(c[2].includes('{green-fg}FORWARDED'));
  const m = flowsView(r, initialFlowsState(), { width: 120, height: 5 }, mono).lines;
  assert.ok(!m.join('').includes('-fg}'));
  assert.ok(m[1].includes('{bold}DROPPED'));
});

test('summary shows HTTP method, path, status and latency', () => {
  const f = mkFlow({ http: { method: 'GET', url: 'http://cart:7070/cart?id=1', code: 503, latencyMs: 12 } });
  assert.equal(flowSummary(f), 'GET /cart?id=1 503 12ms');
});

test("a close summary shows its connection's folded request/response latency", () => {
  const f = mkFlow({});
  f.l4 = { TCP: { source_port: 40000, destination_port: 7000, flags: { FIN: true, ACK: true } } };
  f.netscope = { response_latency_ns: 120_000 };
  assert.equal(flowSummary(f), 'FIN, ACK  response after 0.12ms');
});

test('selection moves with j/k, jumps with g/G, stays on its flow while new flows arrive', () => {
  const r = ring(10);
  let st = initialFlowsState();
  assert.equal(selectedFlow(r, st), r.bySeq(9));
  st = moveSelection(r, st, { by: 2 });
  assert.equal(selectedFlow(r, st), r.bySeq(7));
  r.push(mkFlow({ t: T0 + 99_000 }));
  assert.equal(selectedFlow(r, st), r.bySeq(7), 'still the same flow');
  st = moveSelection(r, st, 'bottom');
  assert.equal(selectedFlow(r, st), r.bySeq(0));
  st = moveSelection(r, st, 'top');
  assert.equal(st.selectedSeq, null, 'back on the newest: follows again');
});

test('the view scrolls to keep the selection visible', () => {
  const r = ring(50);
  let st = initialFlowsState();
  st = moveSelection(r, st, { by: 30 });
  const v = flowsView(r, st, { width: 120, height: 10 }, mono);
  assert.ok(v.scrollTop > 0);
  assert.ok(plain(v.lines).some((l) => l.includes('svc19-')), 'selected row (seq 19) on screen');
});

test('pause freezes the rows while flows keep arriving; resume shows them all', () => {
  const r = ring(5);
  let st = togglePause(r, initialFlowsState());
  for (let i = 0; i < 3; i++) r.push(mkFlow({ t: T0 + 50_000 + i, to: `shop/new${i}-6c9b8d7f5c-fghij` }));
  const paused = plain(flowsView(r, st, { width: 120, height: 20 }, mono).lines);
  assert.ok(!paused.some((l) => l.includes('new')));
  assert.equal(pendingWhilePaused(r, st), 3);
  assert.match(flowsView(r, st, { width: 120, height: 20 }, mono).title, /PAUSED \+3/);
  st = togglePause(r, st);
  const live = plain(flowsView(r, st, { width: 120, height: 20 }, mono).lines);
  assert.equal(live.filter((l) => l.includes('new')).length, 3);
});

test('oldest-first order puts the newest flow last', () => {
  const r = ring(3);
  const st = toggleOrder(initialFlowsState());
  const lines = plain(flowsView(r, st, { width: 120, height: 10 }, mono).lines);
  assert.match(lines[1], /svc0-/);
  assert.match(lines[3], /svc2-/);
});

test('hostile names are sanitized and cannot inject tags', () => {
  const r = new RingBuffer<Flow>(2);
  r.push(mkFlow({ from: 'shop/evil\u001b[2J{red-fg}x' }));
  const line = flowsView(r, initialFlowsState(), { width: 160, height: 5 }, mono).lines[1];
  assert.ok(!line.includes('\u001b'));
  assert.ok(line.includes('{open}red-fg{close}'));
});

test('endpoints without a pod are named by service, DNS name, reserved identity or IP', () => {
  const f = mkFlow({});
  f.destination = { labels: ['reserved:world'] };
  f.IP = { source: '10.0.0.1', destination: '140.82.112.3' };
  assert.equal(endpointLabel(f, 'destination'), '140.82.112.3:7070');
  f.destination_names = ['api.github.com'];
  assert.equal(endpointLabel(f, 'destination'), 'api.github.com:7070');
  f.destination = { namespace: 'kube-system' };
  f.destination_service = { name: 'kube-dns', namespace: 'kube-system' };
  assert.equal(endpointLabel(f, 'destination'), 'kube-system/kube-dns:7070');
  f.destination = { labels: ['reserved:host'] };
  f.destination_service = undefined;
  f.destination_names = undefined;
  assert.equal(endpointLabel(f, 'destination'), 'host:7070');
});
