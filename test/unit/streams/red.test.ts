import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RedAggregator } from '../../../src/streams/red.ts';
import { quantile, newHistogram, record } from '../../../src/streams/histogram.ts';
import { mkFlow } from './fixtures.ts';

const T0 = 1_700_000_000_000;

test('histogram quantiles are within the bin resolution', () => {
  const h = newHistogram();
  for (let i = 1; i <= 100; i++) record(h, i);
  const p50 = quantile(h, 0.5)!;
  const p99 = quantile(h, 0.99)!;
  assert.ok(p50 > 45 && p50 < 56, `p50=${p50}`);
  assert.ok(p99 > 90 && p99 < 110, `p99=${p99}`);
  assert.equal(quantile(newHistogram(), 0.5), undefined);
});

test('rate, error % and percentiles per service over the current window', () => {
  const red = new RedAggregator({ bucketMs: 5000, windowMs: 10_000, horizonMs: 60_000 });
  // 40 s of traffic, 10 req/s; 10% 503s.
  for (let i = 0; i < 400; i++) {
    const t = T0 + i * 100;
    red.add(mkFlow({ t, svc: 'cartservice', http: { code: i % 10 === 0 ? 503 : 200, latencyMs: 10 } }), t);
  }
  const [s] = red.snapshot(95, T0 + 39_999);
  assert.equal(s.service, 'shop/cartservice');
  assert.ok(Math.abs(s.rate - 10) < 0.5, `rate=${s.rate}`);
  assert.ok(Math.abs(s.errorPct - 10) < 1, `err=${s.errorPct}`);
  assert.ok(s.p95! > 9 && s.p95! < 11.5);
  assert.equal(s.series.length, 12);
  assert.equal(s.series.filter((x) => x !== undefined).length, 8);
});

test('a slowdown shows in the current p95 and the series, against the baseline', () => {
  const red = new RedAggregator({ bucketMs: 5000, windowMs: 10_000, horizonMs: 120_000 });
  for (let i = 0; i < 900; i++) {
    const t = T0 + i * 100;
    const slow = i >= 800; // the last 10 s are slow
    red.add(mkFlow({ t, svc: 'checkout', http: { latencyMs: slow ? 200 : 20 } }), t);
    red.add(mkFlow({ t, svc: 'cart', http: { latencyMs: 5 } }), t);
  }
  const stats = red.snapshot(95, T0 + 89_999);
  const checkout = stats.find((s) => s.service === 'shop/checkout')!;
  const cart = stats.find((s) => s.service === 'shop/cart')!;
  assert.ok(checkout.p95! > 150, `p95=${checkout.p95}`);
  assert.ok(checkout.baseline! < 25, `baseline=${checkout.baseline}`);
  assert.ok(cart.p95! < 6);
  const last = checkout.series[checkout.series.length - 1]!;
  assert.ok(last > 150);
});

test('plain TCP connections count as requests, replies and mid-stream segments do not', () => {
  const red = new RedAggregator();
  red.add(mkFlow({ t: T0, svc: 'db', syn: true }), T0);
  red.add(mkFlow({ t: T0, svc: 'db' }), T0); // ACK only
  const [s] = red.snapshot(95, T0 + 1000);
  assert.equal(s.rate, 1);
  assert.equal(s.p95, undefined);
});

test('flows without Kubernetes identity are grouped by the server address and port', () => {
  const red = new RedAggregator({ bucketMs: 5000, windowMs: 10_000, horizonMs: 60_000 });
  // What the local collector reports without a cluster: an HTTP response from 127.0.0.1:18080.
  for (let i = 0; i < 20; i++) {
    const t = T0 + i * 100;
    red.add(
      {
        time: new Date(t).toISOString(),
        verdict: 'FORWARDED',
        IP: { source: '127.0.0.1', destination: '127.0.0.1', ipVersion: 'IPv4' },
        l4: { TCP: { source_port: 18080, destination_port: 40000 + i } },
        is_reply: true,
        Type: 'L7',
        l7: { type: 'RESPONSE', latency_ns: 2e6, http: { code: i < 2 ? 500 : 200, method: 'GET', url: '/' } },
      },
      t,
    );
  }
  const rows = red.snapshot(95, T0 + 2_000);
  assert.deepEqual(rows.map((r) => r.service), ['127.0.0.1:18080']);
  assert.equal(rows[0].errorPct, 10);
  assert.ok(rows[0].p95! > 1.5 && rows[0].p95! < 2.5, `p95=${rows[0].p95}`);
});

test("a close summary carrying its connection's one request/response counts as a request with that latency", () => {
  const red = new RedAggregator();
  const close = (latencyMs?: number) => {
    const f = mkFlow({ t: T0, svc: 'db' });
    f.l4 = { TCP: { source_port: 40000, destination_port: 7070, flags: { FIN: true, ACK: true } } };
    if (latencyMs !== undefined) f.netscope = { response_latency_ns: latencyMs * 1e6, bytes_sent: 64 };
    return f;
  };
  for (let i = 0; i < 20; i++) red.add(close(40), T0);
  red.add(close(), T0); // a summary without a request/response: not a request
  const [s] = red.snapshot(95, T0 + 1000);
  assert.equal(s.service, 'shop/db');
  assert.equal(s.rate, 20);
  assert.ok(s.p95! > 36 && s.p95! < 44, `p95=${s.p95}`);
});

test('a request seen at both ends of its connection counts once; a failure seen at either end counts once', () => {
  const red = new RedAggregator();
  // The client's egress and the server's ingress SYN of one connection each (Hubble at both endpoints).
  const syn = (port: number, dir: 'EGRESS' | 'INGRESS', verdict: 'FORWARDED' | 'DROPPED' = 'FORWARDED') => {
    const f = mkFlow({ t: T0, svc: 'db', syn: true, verdict });
    f.l4 = { TCP: { source_port: port, destination_port: 5432, flags: { SYN: true } } };
    f.traffic_direction = dir;
    return f;
  };
  for (let port = 40000; port < 40010; port++) {
    red.add(syn(port, 'EGRESS'), T0);
    // every other attempt is denied by policy at the server's end
    red.add(syn(port, 'INGRESS', port % 2 === 0 ? 'DROPPED' : 'FORWARDED'), T0);
  }
  red.add(syn(41000, 'INGRESS'), T0); // seen at the server only
  const [s] = red.snapshot(95, T0 + 1000);
  assert.equal(s.rate, 11);
  // Denied attempts are drops, not errors of the service.
  assert.ok(Math.abs(s.dropPct - (5 / 11) * 100) < 0.01, `drop=${s.dropPct}`);
  assert.equal(s.errorPct, 0);
});

test('keep-alive connections: N responses seen at both ends count N times, with the latency of the first report', () => {
  const red = new RedAggregator();
  for (let i = 0; i < 3; i++) {
    for (const dir of ['EGRESS', 'INGRESS'] as const) {
      const f = mkFlow({ t: T0, svc: 'api', http: { code: 500, latencyMs: dir === 'EGRESS' ? 30 : 20 } });
      f.traffic_direction = dir;
      red.add(f, T0);
    }
  }
  const [s] = red.snapshot(95, T0 + 1000);
  assert.equal(s.rate, 3);
  assert.equal(s.errorPct, 100);
  assert.ok(s.p95! > 27 && s.p95! < 33, `p95=${s.p95}`);
});

test('drops and errors are counted apart: ERR% is out of the requests that got through, DROP% out of all attempts', () => {
  const red = new RedAggregator({ bucketMs: 5000, windowMs: 10_000, horizonMs: 60_000 });
  // 10 HTTP responses, 2 of them 503; and 10 connection attempts dropped by policy.
  for (let i = 0; i < 10; i++) red.add(mkFlow({ t: T0, svc: 'payments', http: { code: i < 2 ? 503 : 200, latencyMs: 3 } }), T0);
  for (let i = 0; i < 10; i++) red.add(mkFlow({ t: T0, svc: 'payments', syn: true, verdict: 'DROPPED' }), T0);
  const [s] = red.snapshot(95, T0 + 1000);
  assert.equal(s.rate, 20);
  assert.equal(s.errorPct, 20);
  assert.equal(s.dropPct, 50);
});

test('a service only ever reached by denied attempts reads 100% drops and 0% errors', () => {
  const red = new RedAggregator();
  for (let i = 0; i < 4; i++) red.add(mkFlow({ t: T0, svc: 'redis', syn: true, verdict: 'DROPPED' }), T0);
  const [s] = red.snapshot(95, T0 + 1000);
  assert.equal(s.dropPct, 100);
  assert.equal(s.errorPct, 0);
});
