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

// A gRPC response as Hubble shows it from Cilium's proxy: HTTP/2, HTTP 200, and, when
// the server answered trailers-only, the status among the response headers.
function grpcResponse(status: string | undefined, port: number) {
  const f = mkFlow({ t: T0, svc: 'cartservice', http: { method: 'POST', url: '/hipstershop.CartService/GetCart', code: 200, latencyMs: 2 } });
  f.l4 = { TCP: { source_port: 7070, destination_port: port } };
  f.l7!.http!.protocol = 'HTTP/2';
  f.l7!.http!.headers = [{ key: 'content-type', value: 'application/grpc' }];
  if (status !== undefined) f.l7!.http!.headers.push({ key: 'grpc-message', value: 'boom' }, { key: 'grpc-status', value: status });
  f.l7!.http!.headers.push({ key: 'x-request-id', value: 'r' });
  return f;
}

test('gRPC: server-side statuses (UNAVAILABLE, INTERNAL, ...) are errors with HTTP 200; caller-side ones and OK are not', () => {
  const red = new RedAggregator();
  // 14 UNAVAILABLE, 13 INTERNAL, 4 DEADLINE_EXCEEDED, 2 UNKNOWN: the service's.
  const statuses = ['14', '13', '4', '2', '0', '5', '3', '7', '16', undefined];
  statuses.forEach((st, i) => red.add(grpcResponse(st, 40000 + i), T0));
  const [s] = red.snapshot(95, T0 + 1000);
  assert.equal(s.rate, 10);
  assert.equal(s.errorPct, 40);
  assert.equal(s.dropPct, 0);
});

test('gRPC: the status header is found whatever its case', () => {
  const red = new RedAggregator();
  const f = grpcResponse(undefined, 40000);
  f.l7!.http!.headers!.push({ key: 'Grpc-Status', value: '14' });
  red.add(f, T0);
  assert.equal(red.snapshot(95, T0 + 1000)[0].errorPct, 100);
});

// Hubble's packets of one connection 10.0.0.1:port -> 10.0.0.2:5432 (db), seen at the
// client's node (EGRESS) and at the server's (INGRESS).
function packet(port: number, flags: { SYN?: boolean; ACK?: boolean; RST?: boolean }, fromServer: boolean, dir: 'EGRESS' | 'INGRESS') {
  const f = mkFlow({ t: T0, svc: 'db' });
  if (fromServer) {
    [f.source, f.destination] = [f.destination, f.source];
    [f.source_service, f.destination_service] = [f.destination_service, undefined];
    f.IP = { source: '10.0.0.2', destination: '10.0.0.1', ipVersion: 'IPv4' };
    f.l4 = { TCP: { source_port: 5432, destination_port: port, flags } };
  } else {
    f.l4 = { TCP: { source_port: port, destination_port: 5432, flags } };
  }
  f.is_reply = fromServer;
  f.traffic_direction = dir;
  f.Summary = `TCP Flags: ${Object.keys(flags).join(', ')}`;
  return f;
}

test("resets (Hubble): the server's RST of a connection is one error of the service, once though both nodes saw it", () => {
  const red = new RedAggregator();
  for (let port = 40000; port < 40004; port++) {
    for (const dir of ['EGRESS', 'INGRESS'] as const) red.add(packet(port, { SYN: true }, false, dir), T0);
  }
  // The server resets two of the four; the client resets a third (its own abort: not the service's error).
  for (const dir of ['EGRESS', 'INGRESS'] as const) {
    red.add(packet(40000, { ACK: true, RST: true }, true, dir), T0);
    red.add(packet(40001, { RST: true }, true, dir), T0);
    red.add(packet(40002, { RST: true }, false, dir), T0);
  }
  const [s] = red.snapshot(95, T0 + 1000);
  assert.equal(s.rate, 4);
  assert.equal(s.errorPct, 50);
  assert.equal(s.dropPct, 0);
});

test('a dropped RST is not a reset of the service', () => {
  const red = new RedAggregator();
  red.add(packet(40000, { SYN: true }, false, 'EGRESS'), T0);
  const rst = packet(40000, { RST: true }, true, 'INGRESS');
  rst.verdict = 'DROPPED';
  red.add(rst, T0);
  const [s] = red.snapshot(95, T0 + 1000);
  assert.equal(s.errorPct, 0);
  assert.equal(s.dropPct, 0, 'nor a dropped attempt: the attempt was the SYN');
});

// netscope's collector: one close summary per socket (client EGRESS, server INGRESS).
function closeSummary(port: number, summary: string, serverSocket: boolean, latencyMs?: number) {
  const f = mkFlow({ t: T0, svc: 'db' });
  if (serverSocket) {
    [f.source, f.destination] = [f.destination, f.source];
    [f.source_service, f.destination_service] = [f.destination_service, undefined];
    f.IP = { source: '10.0.0.2', destination: '10.0.0.1', ipVersion: 'IPv4' };
    f.l4 = { TCP: { source_port: 5432, destination_port: port, flags: { RST: true } } };
  } else {
    f.l4 = { TCP: { source_port: port, destination_port: 5432, flags: { RST: true } } };
  }
  f.is_reply = serverSocket;
  f.traffic_direction = serverSocket ? 'INGRESS' : 'EGRESS';
  f.Summary = summary;
  f.netscope = latencyMs === undefined ? { bytes_sent: 10 } : { bytes_sent: 10, response_latency_ns: latencyMs * 1e6 };
  return f;
}

test("resets (collector): a close summary reset by the server counts once per connection, one reset by the client not at all", () => {
  const red = new RedAggregator();
  // Four connections, each with its request/response folded into the close summaries of both sockets.
  const ends = [
    [40000, 'TCP Flags: RST (reset by server)'],
    [40001, 'TCP Flags: RST (reset by client)'],
    [40002, 'TCP Flags: FIN, ACK'],
    [40003, 'TCP Flags: FIN, ACK'],
  ] as const;
  for (const [port, summary] of ends) {
    for (const serverSocket of [false, true]) {
      const f = closeSummary(port, summary, serverSocket, 5);
      if (summary.startsWith('TCP Flags: FIN')) f.l4!.TCP!.flags = { FIN: true, ACK: true };
      red.add(f, T0);
    }
  }
  // A long connection: its opening was counted (SYN), its reset by the server comes without a pair.
  red.add(packet(41000, { SYN: true }, false, 'EGRESS'), T0);
  red.add(closeSummary(41000, 'TCP Flags: RST (reset by server)', false), T0);
  red.add(closeSummary(41000, 'TCP Flags: RST (reset by server)', true), T0);
  const [s] = red.snapshot(95, T0 + 1000);
  assert.equal(s.rate, 5);
  assert.equal(s.errorPct, 40);
  assert.equal(s.dropPct, 0);
});

test('a refused connection (SYN answered by RST) is a failed attempt in ERR%, not DROP%', () => {
  const red = new RedAggregator();
  // The collector reports a refused attempt only by the client's close summary.
  for (let port = 40000; port < 40003; port++) red.add(closeSummary(port, 'TCP Flags: RST (connection refused)', false), T0);
  red.add(closeSummary(40010, 'TCP Flags: FIN, ACK', false, 3), T0);
  // Hubble: the SYN and the server's RST, ACK answering it.
  red.add(packet(40020, { SYN: true }, false, 'EGRESS'), T0);
  red.add(packet(40020, { ACK: true, RST: true }, true, 'INGRESS'), T0);
  const [s] = red.snapshot(95, T0 + 1000);
  assert.equal(s.rate, 5);
  assert.equal(s.errorPct, 80);
  assert.equal(s.dropPct, 0);
});
