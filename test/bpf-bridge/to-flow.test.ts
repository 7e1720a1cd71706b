import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordReader } from '../../src/bpf-bridge/records.ts';
import { FlowMapper } from '../../src/bpf-bridge/to-flow.ts';
import type { Flow } from '../../src/model/flow.ts';
import type { SourceEvent } from '../../src/model/source.ts';
import { clockRecord, connRecord, dnsMessage, dnsRecord, dropRecord, l7Record, reasonRecord, statsRecord, textRecord } from './records-fixture.ts';

// realtime = boottime + offset; chosen so boot 1s is 2026-01-01T00:00:01Z
const OFFSET = 1_767_225_600_000_000_000n;

function run(...records: Buffer[]): SourceEvent[] {
  let n = 0;
  const mapper = new FlowMapper({ nodeName: 'node-1', sourceName: 'local', uuid: () => `u${++n}` });
  const reader = new RecordReader();
  return reader.push(Buffer.concat([clockRecord(OFFSET), ...records])).flatMap((r) => mapper.map(r));
}

function flows(events: SourceEvent[]): Flow[] {
  return events.flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));
}

const client = { saddr: '10.231.0.2', daddr: '10.231.0.3', sport: 40000, dport: 8080 };
const server = { saddr: '10.231.0.3', daddr: '10.231.0.2', sport: 8080, dport: 40000 };

test('client open: SYN, egress, connect latency, process, wall-clock time', () => {
  const [f] = flows(run(connRecord({ open: true, tsNs: 1_000_500_000n, t: client, cookie: 5, startNs: 1_000_000_000n, estabNs: 1_000_500_000n, srttUs: 30, pid: 42, flags: 0x11, comm: 'curl' })));
  assert.equal(f!.time, '2026-01-01T00:00:01.000500Z');
  assert.deepEqual(f!.IP, { source: '10.231.0.2', destination: '10.231.0.3', ipVersion: 'IPv4' });
  assert.deepEqual(f!.l4, { TCP: { source_port: 40000, destination_port: 8080, flags: { SYN: true } } });
  assert.equal(f!.verdict, 'FORWARDED');
  assert.equal(f!.traffic_direction, 'EGRESS');
  assert.equal(f!.trace_observation_point, 'FROM_ENDPOINT');
  assert.deepEqual(f!.event_type, { type: 4, sub_type: 5 });
  assert.equal(f!.is_reply, false);
  assert.equal(f!.node_name, 'node-1');
  assert.deepEqual(f!.netscope, { srtt_us: 30, pid: 42, comm: 'curl', connect_latency_ns: 500_000 });
});

test('server open is the SYN-ACK reply; close carries counters and duration', () => {
  const fs = flows(
    run(
      connRecord({ open: true, tsNs: 2_000_000_000n, t: server, cookie: 6, startNs: 1_999_000_000n, estabNs: 2_000_000_000n, flags: 0x12 }),
      connRecord({ open: false, tsNs: 3_000_000_000n, t: server, cookie: 6, startNs: 1_999_000_000n, estabNs: 2_000_000_000n, bytesSent: 500, bytesReceived: 80, segsOut: 4, segsIn: 5, srttUs: 25, retrans: 2, pid: 7, comm: 'node', flags: 0x12 }),
    ),
  );
  assert.deepEqual(fs[0]!.l4?.TCP?.flags, { SYN: true, ACK: true });
  assert.equal(fs[0]!.is_reply, true);
  assert.equal(fs[0]!.traffic_direction, 'INGRESS');
  assert.equal(fs[0]!.netscope?.pid, undefined, 'no owner known before the first send/recv');
  assert.deepEqual(fs[1]!.l4?.TCP?.flags, { FIN: true, ACK: true });
  assert.deepEqual(fs[1]!.netscope, { srtt_us: 25, pid: 7, comm: 'node', bytes_sent: 500, bytes_received: 80, segments_sent: 4, segments_received: 5, retransmits: 2, duration_ns: 1_001_000_000 });
});

test("a close carrying its connection's one request/response gives response_latency_ns, on both decoding paths", () => {
  const rec = connRecord({ open: false, tsNs: 3_000_000_000n, t: client, cookie: 5, startNs: 1_000_000_000n, estabNs: 1_000_500_000n, bytesSent: 64, bytesReceived: 128, segsOut: 3, segsIn: 3, srttUs: 30, pid: 42, comm: 'crr', flags: 0x11 | 0x40 | 0x80, l7ReqNs: 1_000_600_000n, l7RespNs: 1_000_720_500n });
  const expected = { srtt_us: 30, pid: 42, comm: 'crr', connect_latency_ns: 500_000, bytes_sent: 64, bytes_received: 128, segments_sent: 3, segments_received: 3, retransmits: 0, duration_ns: 2_000_000_000, response_latency_ns: 120_500 };
  assert.deepEqual(flows(run(rec))[0]!.netscope, expected);
  // The chunk path (what the collector uses) gives the same.
  const mapper = new FlowMapper({ nodeName: 'node-1', sourceName: 'local', uuid: () => 'u' });
  const out: Flow[] = [];
  new RecordReader().feed(Buffer.concat([clockRecord(OFFSET), rec]), (buf, at, size) => mapper.mapAt(buf, at, size, (e) => e.kind === 'flow' && out.push(e.flow)));
  assert.deepEqual(out[0]!.netscope, expected);
  // Without the flag the same bytes mean nothing.
  const plain = connRecord({ open: false, tsNs: 3_000_000_000n, t: client, cookie: 5, flags: 0x11, l7ReqNs: 1n, l7RespNs: 2n });
  assert.equal(flows(run(plain))[0]!.netscope?.response_latency_ns, undefined);
});

test('refused connection: RST close without establishment', () => {
  const [f] = flows(run(connRecord({ open: false, tsNs: 2_000_000_000n, t: client, cookie: 8, startNs: 1_999_900_000n, flags: 0x1 | 0x4, pid: 9, comm: 'nc' })));
  assert.deepEqual(f!.l4?.TCP?.flags, { RST: true });
  assert.equal(f!.Summary, 'TCP Flags: RST (connection refused)');
  assert.equal(f!.netscope?.connect_latency_ns, undefined);
});

test("an established connection's reset: the summary says which end sent it, from either socket", () => {
  // Flags: 0x1 active (the client's socket), 0x2 passive (the server's), 0x4 reset received, 0x8 reset sent, 0x10 established.
  const close = (t: typeof client, flags: number) => flows(run(connRecord({ open: false, tsNs: 2_000_000_000n, t, cookie: 8, startNs: 1_999_000_000n, estabNs: 1_999_100_000n, flags: 0x10 | flags, pid: 9, comm: 'x' })))[0]!;
  assert.equal(close(client, 0x1 | 0x4).Summary, 'TCP Flags: RST (reset by server)');
  assert.equal(close(server, 0x2 | 0x8).Summary, 'TCP Flags: RST (reset by server)');
  assert.equal(close(client, 0x1 | 0x8).Summary, 'TCP Flags: RST (reset by client)');
  assert.equal(close(server, 0x2 | 0x4).Summary, 'TCP Flags: RST (reset by client)');
  assert.deepEqual(close(client, 0x1 | 0x4).l4?.TCP?.flags, { RST: true });
});

test('drop: DROPPED with the reason name from the kernel BTF table', () => {
  const evs = run(reasonRecord(7, 'NETFILTER_DROP'), dropRecord({ tsNs: 1_000_000_000n, t: client, reason: 7, tcpFlags: 0x02, ifindex: 4 }), dropRecord({ tsNs: 1_000_000_000n, t: { ...client, proto: 17 }, reason: 99 }));
  const [f, g] = flows(evs);
  assert.equal(f!.verdict, 'DROPPED');
  assert.equal(f!.drop_reason_desc, 'NETFILTER_DROP');
  assert.deepEqual(f!.l4, { TCP: { source_port: 40000, destination_port: 8080, flags: { SYN: true } } });
  assert.deepEqual(f!.interface, { index: 4 });
  assert.equal(g!.drop_reason_desc, 'DROP_REASON_99', 'unknown codes stay visible');
  assert.deepEqual(g!.l4, { UDP: { source_port: 40000, destination_port: 8080 } });
});

test('HTTP request/response pair: RESPONSE flow from server to client with latency and code', () => {
  const [c, s] = flows(
    run(
      l7Record({ tsNs: 5_000_000_000n, t: client, cookie: 5, latencyNs: 3_500_000, reqEgress: true, req: 'GET /items HTTP/1.1\r\nHost: web:8080\r\n\r\n', resp: 'HTTP/1.1 503 Service Unavailable', pid: 42, comm: 'curl' }),
      l7Record({ tsNs: 5_000_000_000n, t: server, cookie: 6, latencyNs: 3_000_000, reqEgress: false, req: 'GET /items HTTP/1.1\r\nHost: web:8080\r\n\r\n', resp: 'HTTP/1.1 503 Service Unavailable' }),
    ),
  );
  for (const f of [c!, s!]) {
    assert.equal(f.Type, 'L7');
    assert.equal(f.IP?.source, '10.231.0.3');
    assert.equal(f.IP?.destination, '10.231.0.2');
    assert.deepEqual(f.l4, { TCP: { source_port: 8080, destination_port: 40000 } });
    assert.equal(f.is_reply, true);
    assert.deepEqual(f.l7?.http, { method: 'GET', url: 'http://web:8080/items', protocol: 'HTTP/1.1', code: 503 });
  }
  assert.equal(c!.l7?.latency_ns, 3_500_000);
  assert.equal(c!.traffic_direction, 'EGRESS');
  assert.equal(s!.traffic_direction, 'INGRESS');
  assert.equal(c!.Summary, 'HTTP/1.1 503 3.50ms (GET http://web:8080/items)');
});

test('non-HTTP request/response still gives latency without http fields', () => {
  const [f] = flows(run(l7Record({ tsNs: 5_000_000_000n, t: client, cookie: 5, latencyNs: 120_000, reqEgress: true, req: 'ping\n', resp: 'pong\n' })));
  assert.equal(f!.l7?.latency_ns, 120_000);
  assert.equal(f!.l7?.http, undefined);
});

test('DNS: query then answer on the same socket gives latency; names keep the trailing dot', () => {
  const dnsClient = { saddr: '10.231.0.2', daddr: '10.231.0.53', sport: 5353, dport: 53 };
  const dnsReply = { saddr: '10.231.0.53', daddr: '10.231.0.2', sport: 53, dport: 5353 };
  const [q, a] = flows(
    run(
      dnsRecord({ tsNs: 1_000_000_000n, t: dnsClient, cookie: 3, egress: true, msg: dnsMessage({ id: 9, response: false, name: 'web.lab' }) }),
      dnsRecord({ tsNs: 1_000_800_000n, t: dnsReply, cookie: 3, egress: false, msg: dnsMessage({ id: 9, response: true, name: 'web.lab', answers: ['10.231.0.3'] }) }),
    ),
  );
  assert.equal(q!.l7?.type, 'REQUEST');
  assert.equal(q!.l7?.dns?.query, 'web.lab.');
  assert.equal(q!.traffic_direction, 'EGRESS');
  assert.equal(a!.l7?.type, 'RESPONSE');
  assert.equal(a!.l7?.latency_ns, 800_000);
  assert.deepEqual(a!.l7?.dns?.ips, ['10.231.0.3']);
  assert.equal(a!.l7?.dns?.rcode, 0);
  assert.equal(a!.is_reply, true);
  assert.equal(a!.traffic_direction, 'EGRESS');
});

// The send-side program sees a datagram before the route gives an unbound socket its
// address: the record's source is 0.0.0.0 and the address comes from the answer.
const unboundQuery = { saddr: '0.0.0.0', daddr: '10.231.0.53', sport: 5353, dport: 53 };
const answerIn = { saddr: '10.231.0.53', daddr: '10.231.0.2', sport: 53, dport: 5353 };
const queryMsg = (id: number): Buffer => dnsMessage({ id, response: false, name: 'web.lab' });
const answerMsg = (id: number): Buffer => dnsMessage({ id, response: true, name: 'web.lab', answers: ['10.231.0.3'] });

test('DNS from an unbound socket: the query waits for its answer, which names its source address', () => {
  const evs = run(
    dnsRecord({ tsNs: 1_000_000_000n, t: unboundQuery, cookie: 3, egress: true, msg: queryMsg(9) }),
    dnsRecord({ tsNs: 1_000_800_000n, t: answerIn, cookie: 3, egress: false, msg: answerMsg(9) }),
  );
  const [q, a] = flows(evs);
  assert.equal(flows(evs).length, 2);
  assert.equal(q!.l7?.type, 'REQUEST');
  assert.deepEqual(q!.IP, { source: '10.231.0.2', destination: '10.231.0.53', ipVersion: 'IPv4' });
  assert.equal(q!.time, '2026-01-01T00:00:01Z', 'the query keeps its own time');
  assert.equal(q!.traffic_direction, 'EGRESS');
  assert.equal(a!.l7?.type, 'RESPONSE');
  assert.equal(a!.l7?.latency_ns, 800_000);
});

test('DNS from an unbound socket: an unanswered query goes out with the unspecified address after 2 s, or when the collector stops', () => {
  const late = run(
    dnsRecord({ tsNs: 1_000_000_000n, t: unboundQuery, cookie: 3, egress: true, msg: queryMsg(9) }),
    statsRecord(0, 1, 3_000_000_000n),
  );
  const q = flows(late);
  assert.equal(q.length, 1);
  assert.equal(q[0]!.IP?.source, '0.0.0.0');
  assert.equal(q[0]!.l7?.dns?.query, 'web.lab.');
  // Not yet due: held back, then written by flush.
  const mapper = new FlowMapper({ nodeName: 'n', sourceName: 'local', uuid: () => 'u' });
  const reader = new RecordReader();
  const out: SourceEvent[] = [];
  const emit = (e: SourceEvent): void => void out.push(e);
  reader.feed(Buffer.concat([clockRecord(OFFSET), dnsRecord({ tsNs: 1_000_000_000n, t: unboundQuery, cookie: 3, egress: true, msg: queryMsg(9) }), statsRecord(0, 1, 1_500_000_000n)]), (b, at, size) => mapper.mapAt(b, at, size, emit));
  assert.equal(flows(out).length, 0, 'held within 2 s');
  reader.feed(statsRecord(0, 1, 3_100_000_000n), (b, at, size) => mapper.mapAt(b, at, size, emit));
  assert.equal(flows(out).length, 1, 'released by a later record (mapAt path)');
  reader.feed(dnsRecord({ tsNs: 4_000_000_000n, t: unboundQuery, cookie: 4, egress: true, msg: queryMsg(10) }), (b, at, size) => mapper.mapAt(b, at, size, emit));
  mapper.flush(emit);
  assert.deepEqual(flows(out).map((f) => f.l7?.dns?.query), ['web.lab.', 'web.lab.']);
});

test('DNS from unbound sockets: a full table of waiting queries lets the oldest go without an address, not lost', () => {
  const recs = Array.from({ length: 4097 }, (_, i) => dnsRecord({ tsNs: 1_000_000_000n + BigInt(i), t: unboundQuery, cookie: 100 + i, egress: true, msg: queryMsg(i & 0xffff) }));
  const out = flows(run(...recs));
  assert.equal(out.length, 1);
  assert.equal(out[0]!.socket_cookie, 100);
  assert.equal(out[0]!.IP?.source, '0.0.0.0');
});

test('DNS server on 0.0.0.0:53: its answer takes the address the query arrived at', () => {
  const queryIn = { saddr: '10.231.0.2', daddr: '10.231.0.53', sport: 5353, dport: 53 };
  const unboundAnswer = { saddr: '0.0.0.0', daddr: '10.231.0.2', sport: 53, dport: 5353 };
  const [q, a] = flows(
    run(
      dnsRecord({ tsNs: 1_000_000_000n, t: queryIn, cookie: 7, egress: false, msg: queryMsg(9) }),
      dnsRecord({ tsNs: 1_000_100_000n, t: unboundAnswer, cookie: 7, egress: true, msg: answerMsg(9) }),
    ),
  );
  assert.equal(q!.traffic_direction, 'INGRESS');
  assert.deepEqual(a!.IP, { source: '10.231.0.53', destination: '10.231.0.2', ipVersion: 'IPv4' });
  assert.equal(a!.traffic_direction, 'INGRESS');
  assert.equal(a!.l7?.latency_ns, 100_000);
});

test('lost events: increases of the kernel counter become lost events with the delta', () => {
  const evs = run(statsRecord(0, 10), statsRecord(5, 20), statsRecord(5, 30), statsRecord(12, 40));
  const lost = evs.flatMap((e) => (e.kind === 'lost' ? [e.lost.num_events_lost] : []));
  assert.deepEqual(lost, [5, 7]);
});

test('ready and warning records become status events', () => {
  const evs = run(textRecord(100, 'ns_set_state,ns_kfree_skb'), textRecord(104, 'packet drops not observed'));
  assert.deepEqual(
    evs.map((e) => (e.kind === 'status' ? [e.state, e.message] : [])),
    [
      ['connected', 'eBPF collector attached on node-1: 2 programs (ns_set_state, ns_kfree_skb)'],
      ['warning', 'packet drops not observed'],
    ],
  );
});

test('IPv6 sockets: IPv6 flows, and IPv4-mapped peers of dual-stack sockets shown as IPv4', () => {
  const [v6, mapped] = flows(
    run(
      connRecord({ open: false, tsNs: 2_000_000_000n, t: { saddr: 'fd00::2', daddr: 'fd00::3', sport: 1000, dport: 80 }, cookie: 1, flags: 0x11 }),
      connRecord({ open: false, tsNs: 2_000_000_000n, t: { saddr: '::ffff:a00:2', daddr: '::ffff:a00:3', sport: 80, dport: 1000 }, cookie: 2, flags: 0x12 }),
    ),
  );
  assert.deepEqual(v6!.IP, { source: 'fd00::2', destination: 'fd00::3', ipVersion: 'IPv6' });
  assert.deepEqual(mapped!.IP, { source: '10.0.0.2', destination: '10.0.0.3', ipVersion: 'IPv4' });
});
