// The simulator's traffic behaves like Online Boutique under Hubble: real call
// graph edges and ports, paired handshakes and L7 request/response, DNS with a
// 30 s cache, timestamps in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../../../src/model/flow.ts';
import { CALL_GRAPH, WORKLOADS } from '../../../src/sources/demo/boutique.ts';
import { demoClusterObjects } from '../../../src/sources/demo/index.ts';
import { DemoSimulator } from '../../../src/sources/demo/simulator.ts';
import { START_US, SECOND_US, isDns, isHttp, isProbe, runSim, tcp, timeNs, workloadOf } from './helpers.ts';

// Ten virtual minutes at 200 flows/s: long enough for connection rotation and DNS refreshes.
const { flows } = runSim({ seconds: 600, rate: 200 });
const objects = demoClusterObjects();
const edges = new Set(CALL_GRAPH.map(([a, b]) => `${a}->${b}`));
const spec = new Map(WORKLOADS.map((w) => [w.name, w]));

/** client -> server of a non-DNS, non-drop flow, whichever way the packet goes. */
function clientServer(f: Flow): [string, string] {
  const src = workloadOf(f, 'source');
  const dst = workloadOf(f, 'destination');
  return f.is_reply ? [dst, src] : [src, dst];
}

test('same seed, same flows; other seed, other flows and another cluster layout', () => {
  const a = runSim({ seed: 42, seconds: 20 }).flows;
  const b = runSim({ seed: 42, seconds: 20 }).flows;
  const c = runSim({ seed: 43, seconds: 20 }).flows;
  assert.ok(a.length > 1000);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.slice(0, 100), c.slice(0, 100));
  const pods42 = demoClusterObjects({ seed: 42 }).pods.map((p) => p.metadata.name);
  const pods43 = demoClusterObjects({ seed: 43 }).pods.map((p) => p.metadata.name);
  assert.notDeepEqual(pods42, pods43);
  assert.deepEqual(pods42, demoClusterObjects({ seed: 42 }).pods.map((p) => p.metadata.name));
});

test('flows come out in time order, with unique uuids and RFC 3339 times as protobuf JSON writes them', () => {
  let prev = 0n;
  const uuids = new Set<string>();
  for (const f of flows) {
    assert.match(f.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$/);
    const t = timeNs(f);
    assert.ok(t >= prev, `${f.time} after previous`);
    prev = t;
    assert.match(f.uuid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    uuids.add(f.uuid ?? '');
  }
  assert.equal(uuids.size, flows.length);
  assert.ok(timeNs(flows[0]) >= BigInt(START_US) * 1000n);
});

test('only real call-graph edges carry application traffic, and every edge is used', () => {
  const seen = new Set<string>();
  for (const f of flows) {
    if (isDns(f) || isProbe(f) || f.verdict !== 'FORWARDED') continue;
    const [client, server] = clientServer(f);
    const edge = `${client}->${server}`;
    assert.ok(edges.has(edge), `unexpected edge ${edge}: ${f.Summary}`);
    seen.add(edge);
  }
  assert.deepEqual([...seen].sort(), [...edges].sort());
});

test('ports and protocols are the real ones: HTTP/1.1 to frontend:8080, gRPC over HTTP/2, Redis without L7', () => {
  for (const f of flows) {
    if (isDns(f) || isProbe(f) || f.verdict !== 'FORWARDED') continue;
    const [, server] = clientServer(f);
    const w = spec.get(server);
    assert.ok(w !== undefined);
    const ports = tcp(f);
    assert.ok(ports !== undefined, 'application traffic is TCP');
    const serverPort = f.is_reply ? ports.source_port : ports.destination_port;
    assert.equal(serverPort, w.containerPort, `${server} listens on ${w.containerPort}`);
    const clientPort = f.is_reply ? ports.destination_port : ports.source_port;
    assert.ok(clientPort !== undefined && clientPort >= 32768 && clientPort <= 60999, 'ephemeral client port');
    if (!isHttp(f)) continue;
    const http = f.l7?.http;
    assert.notEqual(server, 'redis-cart', 'Redis has no L7 records');
    if (server === 'frontend') {
      assert.equal(http?.protocol, 'HTTP/1.1');
      assert.match(http?.url ?? '', /^http:\/\/frontend:80\/(|product\/[0-9A-Z]{10}|cart|cart\/checkout|setCurrency)$/);
    } else {
      assert.equal(http?.protocol, 'HTTP/2');
      assert.equal(http?.method, 'POST');
      const svc = objects.services.find((s) => s.metadata.name === server);
      const port = svc?.spec.ports[0].port;
      assert.match(http?.url ?? '', new RegExp(`^http://${server}:${port}/${w.grpcService?.replace('.', '\\.')}/[A-Z][A-Za-z]+$`));
    }
  }
  // emailservice: Service port 5000 in the URL, target port 8080 on the wire.
  const email = flows.find((f) => f.l7?.http?.url?.includes('EmailService'));
  assert.equal(email?.l7?.http?.url, 'http://emailservice:5000/hipstershop.EmailService/SendOrderConfirmation');
  assert.equal(tcp(email as Flow)?.destination_port ?? tcp(email as Flow)?.source_port, 8080);
});

test('every L7 request has one response on the same connection, later, with its latency and Hubble summary', () => {
  const open = new Map<string, Flow>();
  let pairs = 0;
  for (const f of flows) {
    if (!isHttp(f)) continue;
    const p = tcp(f);
    const conn = f.is_reply
      ? `${f.IP?.destination}:${p?.destination_port}>${f.IP?.source}:${p?.source_port}`
      : `${f.IP?.source}:${p?.source_port}>${f.IP?.destination}:${p?.destination_port}`;
    const key = `${conn} ${f.l7?.http?.method} ${f.l7?.http?.url}`;
    if (f.l7?.type === 'REQUEST') {
      assert.equal(f.is_reply, false);
      assert.equal(f.Summary, `${f.l7.http?.protocol} ${f.l7.http?.method} ${f.l7.http?.url}`);
      assert.equal(f.event_type?.type, 129);
      assert.equal(f.Type, 'L7');
      // HTTP/2 multiplexes; the same call can be outstanding twice on one connection only for HTTP/2.
      open.set(`${key} ${timeNs(f)}`, f);
      continue;
    }
    assert.equal(f.l7?.type, 'RESPONSE');
    assert.equal(f.is_reply, true);
    const candidates = [...open.entries()].filter(([k]) => k.startsWith(`${key} `));
    assert.ok(candidates.length > 0, `response without request: ${f.Summary}`);
    // The request whose start plus latency gives this response's time.
    const t = timeNs(f);
    const match = candidates.find(([, req]) => {
      const d = t - timeNs(req);
      return d >= 0n && (d - BigInt(f.l7?.latency_ns ?? -1)) ** 2n < 4_000_000n; // within 2 µs (ns digits)
    });
    assert.ok(match !== undefined, `latency_ns ${f.l7?.latency_ns} matches a request for ${f.Summary}`);
    open.delete(match[0]);
    const ms = Math.floor((f.l7?.latency_ns ?? 0) / 1e6);
    assert.equal(f.Summary, `${f.l7?.http?.protocol} ${f.l7?.http?.code} ${ms}ms (${f.l7?.http?.method} ${f.l7?.http?.url})`);
    pairs++;
  }
  assert.ok(pairs > 10_000);
  // Only requests still in flight at the end of the run may lack a response.
  const endNs = BigInt(START_US + 600 * SECOND_US) * 1000n;
  for (const req of open.values()) assert.ok(endNs - timeNs(req) < 2_000_000_000n, `unanswered ${req.Summary}`);
});

test('HTTP/1.1 connections carry one request at a time; HTTP/2 ones multiplex', () => {
  const outstanding = new Map<string, number>();
  let maxH2 = 0;
  for (const f of flows) {
    const http = f.l7?.http;
    if (http === undefined) continue;
    const p = tcp(f);
    const conn = f.is_reply ? `${f.IP?.destination}:${p?.destination_port}` : `${f.IP?.source}:${p?.source_port}`;
    const n = (outstanding.get(conn) ?? 0) + (f.l7?.type === 'REQUEST' ? 1 : -1);
    outstanding.set(conn, n);
    if (http.protocol === 'HTTP/1.1') assert.ok(n <= 1, `two requests in flight on HTTP/1.1 connection ${conn}`);
    else maxH2 = Math.max(maxH2, n);
  }
  assert.ok(maxH2 > 1, 'concurrent gRPC calls share a connection');
});

test('new connections shake hands (SYN, SYN-ACK reply, ACK), rotated ones close with FINs', () => {
  const synAcks = new Set<string>();
  const acks = new Set<string>();
  const syns: Flow[] = [];
  let fins = 0;
  for (const f of flows) {
    const t = tcp(f);
    if (t?.flags === undefined || f.verdict !== 'FORWARDED' || f.event_type?.type !== 4) continue;
    const fl = t.flags;
    const id = f.is_reply
      ? `${f.IP?.destination}:${t.destination_port}>${f.IP?.source}:${t.source_port}`
      : `${f.IP?.source}:${t.source_port}>${f.IP?.destination}:${t.destination_port}`;
    if (fl.SYN && !fl.ACK) {
      assert.equal(f.is_reply, false);
      assert.equal(f.Summary, 'TCP Flags: SYN');
      syns.push(f);
    } else if (fl.SYN && fl.ACK) {
      assert.equal(f.is_reply, true);
      assert.equal(f.Summary, 'TCP Flags: SYN, ACK');
      synAcks.add(id);
    } else if (fl.FIN) {
      assert.equal(f.Summary, 'TCP Flags: ACK, FIN');
      fins++;
    } else if (fl.ACK && !fl.PSH) {
      // The client's handshake ACK, or the server's last ACK of a close.
      assert.equal(f.Summary, 'TCP Flags: ACK');
      if (!f.is_reply) acks.add(id);
    } else {
      assert.equal(f.Summary, 'TCP Flags: ACK, PSH');
    }
    assert.equal(f.trace_observation_point, 'TO_ENDPOINT');
    assert.equal(f.traffic_direction, f.is_reply ? 'EGRESS' : 'INGRESS');
  }
  assert.ok(syns.length > 20, `connections rotate in 10 minutes (${syns.length} SYNs)`);
  assert.ok(fins >= 2 * (syns.length - 10), 'rotations close the old connection');
  for (const s of syns.slice(0, -5)) {
    const t = tcp(s);
    const id = `${s.IP?.source}:${t?.source_port}>${s.IP?.destination}:${t?.destination_port}`;
    assert.ok(synAcks.has(id), `SYN-ACK for ${id}`);
    assert.ok(acks.has(id), `ACK for ${id}`);
  }
});

test('DNS: A queries for <svc>.<ns>.svc.cluster.local. to coredns, answered with the ClusterIP, cached 30 s', () => {
  const clusterIP = new Map(objects.services.map((s) => [`${s.metadata.name}.${s.metadata.namespace}.svc.cluster.local.`, s.spec.clusterIP]));
  const coredns = new Set(objects.pods.filter((p) => p.metadata.labels?.['k8s-app'] === 'kube-dns').map((p) => p.status.podIP));
  const lastQuery = new Map<string, bigint>();
  const pending = new Map<string, Flow>();
  let answers = 0;
  for (const f of flows) {
    if (!isDns(f)) continue;
    const dns = f.l7?.dns;
    const udp = f.l4?.UDP;
    assert.ok(udp !== undefined, 'DNS over UDP');
    if (f.l7?.type === 'REQUEST') {
      assert.equal(udp.destination_port, 53);
      assert.ok(coredns.has(f.IP?.destination ?? ''), 'asks a coredns pod');
      assert.equal(f.destination?.namespace, 'kube-system');
      assert.deepEqual(f.destination_service, { name: 'kube-dns', namespace: 'kube-system' });
      assert.deepEqual(dns?.qtypes, ['A']);
      assert.equal(f.Summary, `DNS Query ${dns?.query} A`);
      assert.equal(f.traffic_direction, 'EGRESS');
      const who = `${f.source?.pod_name} ${dns?.query}`;
      const prev = lastQuery.get(who);
      if (prev !== undefined) assert.ok(timeNs(f) - prev >= 30_000_000_000n, `${who} re-asked within the TTL`);
      lastQuery.set(who, timeNs(f));
      pending.set(`${f.IP?.source}:${udp.source_port}`, f);
    } else {
      const req = pending.get(`${f.IP?.destination}:${udp.destination_port}`);
      assert.ok(req !== undefined, 'answer to a query');
      assert.equal(udp.source_port, 53);
      assert.equal(dns?.query, req.l7?.dns?.query);
      assert.equal(dns?.rcode, undefined, 'NOERROR: a zero rcode is left out, as in protobuf JSON');
      assert.equal(dns?.ttl, 30);
      assert.deepEqual(dns?.rrtypes, ['A']);
      const ip = clusterIP.get(dns?.query ?? '');
      assert.ok(ip !== undefined, `query ${dns?.query} names a Service`);
      assert.deepEqual(dns?.ips, [ip]);
      assert.equal(f.Summary, `DNS Answer "${ip}" TTL: 30 (Proxy ${dns?.query} A)`);
      assert.equal(BigInt(f.l7?.latency_ns ?? 0) > 0n, true);
      assert.equal(f.is_reply, true);
      answers++;
    }
  }
  assert.ok(answers > 100);
  // Every caller keeps resolving each service it calls (refresh after the TTL).
  const callers = new Set([...lastQuery.keys()].map((k) => k.split(' ')[0].replace(/-[a-z0-9]+-[a-z0-9]{5}$/, '')));
  for (const c of ['loadgenerator', 'frontend', 'checkoutservice', 'recommendationservice', 'cartservice', 'toolbox']) {
    assert.ok(callers.has(c), `${c} resolves names`);
  }
});

test('the volume mix looks like Hubble with L7 visibility: mostly L7 records and TCP flag traces', () => {
  let l7 = 0;
  let trace = 0;
  for (const f of flows) {
    if (f.Type === 'L7') l7++;
    else if (f.event_type?.type === 4) trace++;
  }
  assert.ok(l7 / flows.length > 0.3, `L7 share ${l7 / flows.length}`);
  assert.ok((l7 + trace) / flows.length > 0.9);
});

test('L7 records carry the client\'s request headers, sorted by key, with one x-request-id per request', () => {
  const reqById = new Map<string, Flow>();
  for (const f of flows) {
    const h = f.l7?.http?.headers;
    if (h === undefined || isProbe(f)) continue;
    const keys = h.map((x) => x.key ?? '');
    assert.deepEqual(keys, [...keys].sort());
    const id = h.find((x) => x.key === 'x-request-id')?.value ?? '';
    assert.match(id, /^[0-9a-f-]{36}$/);
    const ua = h.find((x) => x.key === 'user-agent')?.value ?? '';
    const client = workloadOf(f, f.is_reply ? 'destination' : 'source');
    if (h.some((x) => x.key === 'grpc-status')) {
      // A failed gRPC call's response: the headers the server sent (trailers-only), with the request's id.
      assert.deepEqual(keys, ['content-type', 'grpc-message', 'grpc-status', 'x-request-id']);
    } else if (client === 'loadgenerator') assert.match(ua, /^python-requests\//);
    else if (client === 'recommendationservice') assert.match(ua, /^grpc-python\//);
    else assert.match(ua, /^grpc-go\//);
    if (f.l7?.type === 'REQUEST') {
      assert.ok(!reqById.has(id), 'request ids are unique');
      reqById.set(id, f);
    } else {
      assert.equal(reqById.get(id)?.l7?.http?.url, f.l7?.http?.url, 'response echoes its request id');
    }
  }
});

test('kubelet probes: from the node itself to pods on that node, a new connection each, health endpoints only', () => {
  const probes = flows.filter(isProbe);
  assert.ok(probes.length > 0.01 * flows.length && probes.length < 0.06 * flows.length, `probe share ${probes.length / flows.length}`);
  const nodes = new Map(objects.nodes.map((n) => [n.metadata.name, n]));
  const probed = new Set<string>();
  const conns = new Map<string, string[]>();
  const done: string[][] = [];
  for (const f of probes) {
    const hostSide = f.is_reply ? f.destination : f.source;
    const podSide = f.is_reply ? f.source : f.destination;
    assert.deepEqual(hostSide?.labels, ['reserved:host']);
    assert.equal(hostSide?.identity, 1);
    const hostIP = f.is_reply ? f.IP?.destination : f.IP?.source;
    const pod = objects.pods.find((p) => p.metadata.name === podSide?.pod_name);
    assert.ok(pod !== undefined);
    assert.equal(hostIP, nodes.get(pod.spec.nodeName)?.metadata.annotations?.['network.cilium.io/ipv4-cilium-host'], 'from the pod\'s own node');
    assert.equal(f.node_name, pod.spec.nodeName);
    assert.equal(f.verdict, 'FORWARDED');
    probed.add(pod.metadata.labels?.app ?? '?');
    const http = f.l7?.http;
    if (http !== undefined) {
      const port = f.is_reply ? tcp(f)?.source_port : tcp(f)?.destination_port;
      const path = pod.metadata.labels?.app === 'frontend' ? '/_healthz' : '/grpc.health.v1.Health/Check';
      assert.equal(http.url, `http://${pod.status.podIP}:${port}${path}`);
      assert.equal(port, pod.spec.containers[0].ports?.[0].containerPort);
      assert.match(http.headers?.find((h) => h.key === 'user-agent')?.value ?? '', /^kube-probe\//);
      if (f.l7?.type === 'RESPONSE') assert.equal(http.code, 200);
    }
    const t = tcp(f);
    const key = f.is_reply ? `${f.IP?.destination}:${t?.destination_port}` : `${f.IP?.source}:${t?.source_port}`;
    const step = `${f.is_reply ? '<' : '>'}${f.Type === 'L7' ? f.l7?.type : f.Summary?.replace('TCP Flags: ', '')}`;
    // A SYN starts a new connection (the kernel may reuse an ephemeral port later on).
    if (step === '>SYN' && conns.has(key)) {
      done.push(conns.get(key) ?? []);
      conns.delete(key);
    }
    conns.set(key, [...(conns.get(key) ?? []), step]);
  }
  for (const app of ['frontend', 'cartservice', 'productcatalogservice', 'redis-cart']) assert.ok(probed.has(app), `${app} is probed`);
  assert.ok(!probed.has('loadgenerator') && !probed.has('toolbox'));
  // (the last few may still be open when the run ends)
  const shapes = new Set([...done, ...[...conns.values()].slice(0, -3)].map((x) => x.join(' ')));
  assert.deepEqual([...shapes].sort(), [
    '>SYN <SYN, ACK >ACK >ACK, FIN <ACK, FIN >ACK',
    '>SYN <SYN, ACK >ACK >ACK, PSH >REQUEST <RESPONSE <ACK, PSH >ACK, FIN <ACK, FIN >ACK',
  ]);
});

test('the namespace option moves the whole application, its DNS names and policies', () => {
  const other = runSim({ namespace: 'boutique', seconds: 60, rate: 200 }).flows;
  for (const f of other) {
    for (const ep of [f.source, f.destination]) {
      if (ep?.labels?.includes('reserved:host')) continue;
      if (ep?.namespace === 'kube-system') assert.match(ep.pod_name ?? '', /^coredns-/);
      else assert.equal(ep?.namespace, 'boutique');
    }
    const q = f.l7?.dns?.query;
    if (q !== undefined) assert.match(q, /^[a-z-]+\.boutique\.svc\.cluster\.local\.$/);
    for (const p of f.ingress_denied_by ?? []) assert.equal(p.namespace, 'boutique');
  }
});

test('the flows do not depend on how time is sliced (live ticks vs. history steps)', () => {
  const run = (stepUs: number) => {
    const sim = new DemoSimulator({ seed: 11, namespace: 'shop', rate: 500, startUs: START_US, slowdownAtUs: START_US + 10 * SECOND_US });
    const out: Flow[] = [];
    for (let t = START_US; t < START_US + 20 * SECOND_US; ) {
      t = Math.min(t + stepUs, START_US + 20 * SECOND_US);
      out.push(...sim.advanceTo(t));
    }
    return out;
  };
  const coarse = run(SECOND_US);
  const fine = run(37_123);
  assert.ok(coarse.length > 5_000);
  assert.deepEqual(fine, coarse);
});
