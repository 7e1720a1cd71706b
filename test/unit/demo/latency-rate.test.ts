// Latency shapes, the "bad deploy" slowdown and the flow rate, all on virtual time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../../../src/model/flow.ts';
import { DemoSimulator } from '../../../src/sources/demo/simulator.ts';
import { SECOND_US, START_US, quantile, runSim, timeNs, workloadOf } from './helpers.ts';

/** Response latencies (ms) of `service`'s L7 responses whose time falls in [fromS, toS). */
function latencies(flows: Flow[], service: string, fromS: number, toS: number, urlPart = ''): number[] {
  const lo = BigInt(START_US + fromS * SECOND_US) * 1000n;
  const hi = BigInt(START_US + toS * SECOND_US) * 1000n;
  const out: number[] = [];
  for (const f of flows) {
    if (f.l7?.type !== 'RESPONSE' || f.l7.http === undefined || workloadOf(f, 'source') !== service) continue;
    if (!(f.l7.http.url ?? '').includes(urlPart)) continue;
    const t = timeNs(f);
    if (t >= lo && t < hi) out.push((f.l7.latency_ns ?? 0) / 1e6);
  }
  return out;
}

/** A gRPC call's status as Cilium's proxy logs it when the server answered trailers-only. */
function grpcStatus(f: Flow): string | undefined {
  return f.l7?.http?.headers?.find((h) => h.key === 'grpc-status')?.value;
}

function errorShare(flows: Flow[], service: string): number {
  const rs = flows.filter((f) => f.l7?.type === 'RESPONSE' && f.l7.http !== undefined && workloadOf(f, 'source') === service);
  return rs.filter((f) => (f.l7?.http?.code ?? 0) >= 500 || (grpcStatus(f) ?? '0') !== '0').length / rs.length;
}

const SLOW_AT = 120;
const { flows } = runSim({ seconds: 240, rate: 400, slowdownAfterSeconds: SLOW_AT });

test('productcatalogservice gets markedly slower after the configured time, not before', () => {
  const early = latencies(flows, 'productcatalogservice', 0, 60);
  const beforeSlow = latencies(flows, 'productcatalogservice', 60, SLOW_AT);
  const after = latencies(flows, 'productcatalogservice', SLOW_AT + 1, 240);
  assert.ok(early.length > 500 && beforeSlow.length > 500 && after.length > 500);
  const p95 = (xs: number[]) => quantile(xs, 0.95);
  // Steady before: the two halves before the slowdown agree.
  assert.ok(p95(beforeSlow) / p95(early) < 1.4 && p95(beforeSlow) / p95(early) > 0.7, `${p95(early)} vs ${p95(beforeSlow)}`);
  // After: p95 several times higher, median too.
  assert.ok(p95(after) / p95(beforeSlow) > 3, `p95 ${p95(beforeSlow)} -> ${p95(after)}`);
  assert.ok(quantile(after, 0.5) / quantile(beforeSlow, 0.5) > 2.5);
  // Other leaf services are unaffected.
  const cur = (a: number, b: number) => quantile(latencies(flows, 'currencyservice', a, b), 0.95);
  assert.ok(cur(SLOW_AT + 1, 240) / cur(0, SLOW_AT) < 1.4);
});

test('callers follow: frontend product pages and recommendationservice slow down with their callee', () => {
  const front = (a: number, b: number) => quantile(latencies(flows, 'frontend', a, b, '/product/'), 0.5);
  assert.ok(front(SLOW_AT + 1, 240) - front(0, SLOW_AT) > 5, `frontend median ${front(0, SLOW_AT)} -> ${front(SLOW_AT + 1, 240)} ms`);
  const rec = (a: number, b: number) => quantile(latencies(flows, 'recommendationservice', a, b), 0.5);
  assert.ok(rec(SLOW_AT + 1, 240) > rec(0, SLOW_AT));
});

test('a caller\'s latency includes its callees (call graph)', () => {
  // Checkout calls eight services one after another; it can never be faster than payment alone.
  const checkout = quantile(latencies(flows, 'checkoutservice', 0, SLOW_AT), 0.5);
  const payment = quantile(latencies(flows, 'paymentservice', 0, SLOW_AT), 0.5);
  const email = quantile(latencies(flows, 'emailservice', 0, SLOW_AT), 0.5);
  assert.ok(checkout > payment + email, `checkout ${checkout} > payment ${payment} + email ${email}`);
  const home = quantile(latencies(flows, 'frontend', 0, SLOW_AT, ':80/product/'), 0.5);
  assert.ok(home > quantile(latencies(flows, 'recommendationservice', 0, SLOW_AT), 0.5));
});

test('latencies are long-tailed per service: p99 well above the median', () => {
  for (const svc of ['cartservice', 'currencyservice', 'adservice', 'recommendationservice']) {
    const xs = latencies(flows, svc, 0, SLOW_AT);
    assert.ok(quantile(xs, 0.99) > 1.8 * quantile(xs, 0.5), `${svc} tail`);
  }
});

test('errors: a small 5xx rate where services fail, and the slowdown adds a bump', () => {
  const cart = errorShare(flows, 'cartservice');
  assert.ok(cart > 0 && cart < 0.03, `cartservice error share ${cart}`);
  const pcBefore = errorShare(flows.filter((f) => timeNs(f) < BigInt(START_US + SLOW_AT * SECOND_US) * 1000n), 'productcatalogservice');
  const pcAfter = errorShare(flows.filter((f) => timeNs(f) >= BigInt(START_US + SLOW_AT * SECOND_US) * 1000n), 'productcatalogservice');
  assert.ok(pcAfter > pcBefore, `productcatalog errors ${pcBefore} -> ${pcAfter}`);
  // A failed cart lookup fails the page that needed it.
  assert.ok(flows.some((f) => workloadOf(f, 'source') === 'frontend' && f.l7?.http?.code === 500));
  // gRPC servers fail with HTTP 200 and a grpc-status: INTERNAL, UNAVAILABLE once overloaded.
  const grpcFailures = flows.filter((f) => f.l7?.type === 'RESPONSE' && grpcStatus(f) !== undefined);
  assert.ok(grpcFailures.length > 0 && grpcFailures.every((f) => f.l7?.http?.code === 200 && f.l7.http.protocol === 'HTTP/2'));
  assert.deepEqual([...new Set(grpcFailures.map(grpcStatus))].sort(), ['13', '14']);
  assert.ok(!flows.some((f) => f.l7?.http?.protocol === 'HTTP/2' && (f.l7.http.code ?? 0) >= 500), 'no gRPC service answers 5xx');
});

test('the rate is honoured on virtual time at low, medium and high rates', () => {
  for (const [rate, seconds] of [[20, 900], [500, 120], [50_000, 4]] as const) {
    const n = runSim({ rate, seconds, seed: 3 }).flows.length;
    const expected = rate * seconds;
    assert.ok(Math.abs(n - expected) / expected < 0.15, `rate ${rate}: ${n} flows in ${seconds} s, expected about ${expected}`);
  }
});

test('skipTo jumps a stalled generator forward instead of bursting, and reports how much it skipped', () => {
  const sim = new DemoSimulator({ seed: 1, namespace: 'shop', rate: 1000, startUs: START_US, slowdownAtUs: Infinity });
  sim.advanceTo(START_US + SECOND_US);
  const skipped = sim.skipTo(START_US + 61 * SECOND_US);
  assert.ok(skipped > 55_000 && skipped < 65_000, `skipped ${skipped}`);
  const next = sim.advanceTo(START_US + 62 * SECOND_US);
  assert.ok(next.length < 2_500, `one second's worth after the jump, got ${next.length}`);
  for (const f of next) assert.ok(timeNs(f) <= BigInt(START_US + 62 * SECOND_US) * 1000n);
});
