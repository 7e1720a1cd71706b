// The collector's path (RecordReader.feed + FlowMapper.mapAt reads conn and L7 records
// straight from the chunk) pinned field by field, and checked against the decoded-
// record path (RecordReader.push + FlowMapper.map) on the same stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordReader } from '../../src/bpf-bridge/records.ts';
import { FlowMapper } from '../../src/bpf-bridge/to-flow.ts';
import { formatProtoTimestamp } from '../../src/codec/timestamp.ts';
import type { Flow } from '../../src/model/flow.ts';
import type { SourceEvent } from '../../src/model/source.ts';
import { clockRecord, connRecord, dnsMessage, dnsRecord, dropRecord, l7Record, reasonRecord, statsRecord, textRecord } from './records-fixture.ts';
import { plainFlow } from '../../src/model/plain-flow.ts';

// realtime = boottime + offset; boot 0 is 2026-01-01T00:00:00Z.
const OFFSET = 1_767_225_600_000_000_000n;
// ~105 days of uptime: past 2^53 ns, where boot times no longer fit a double.
const BOOT = 9_100_000_000_000_000n;

const client = { saddr: '10.231.0.2', daddr: '10.231.0.3', sport: 40000, dport: 8080 };
const server = { saddr: '10.231.0.3', daddr: '10.231.0.2', sport: 8080, dport: 40000 };

function mapper(): FlowMapper {
  let n = 0;
  return new FlowMapper({ nodeName: 'node-1', sourceName: 'local', uuid: () => `u${++n}` });
}

/** The collector's path, the stream cut into chunks of `chunk` bytes. */
/** The chunk path's flows decode on demand (lazy-flow.ts): compared as plain objects. */
function plainEvent(ev: SourceEvent): SourceEvent {
  return ev.kind === 'flow' ? { kind: 'flow', flow: plainFlow(ev.flow) } : ev;
}

function viaChunks(stream: Buffer, chunk: number): SourceEvent[] {
  const m = mapper();
  const reader = new RecordReader();
  const out: SourceEvent[] = [];
  for (let off = 0; off < stream.length; off += chunk) {
    reader.feed(stream.subarray(off, off + chunk), (buf, at, size) => m.mapAt(buf, at, size, (ev) => out.push(plainEvent(ev))));
  }
  assert.equal(reader.pendingBytes, 0);
  return out;
}

function viaRecords(stream: Buffer): SourceEvent[] {
  const m = mapper();
  return new RecordReader().push(stream).flatMap((r) => m.map(r));
}

function flows(events: SourceEvent[]): Flow[] {
  return events.flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));
}

/** Same values and the same key order (JSON output follows it). */
function assertFlow(actual: Flow | undefined, expected: Flow): void {
  assert.deepEqual(actual, expected);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
}

const crrStream = Buffer.concat([
  clockRecord(OFFSET),
  l7Record({ tsNs: BOOT - 10_000n, t: client, cookie: 100_001, latencyNs: 21_500, reqEgress: true, req: 'q'.repeat(64), resp: 'r'.repeat(32), pid: 4242, comm: 'bpf-crr' }),
  connRecord({ open: false, tsNs: BOOT, t: client, cookie: 100_001, startNs: BOOT - 80_000n, estabNs: BOOT - 55_000n, bytesSent: 64, bytesReceived: 128, segsOut: 4, segsIn: 3, srttUs: 21, pid: 4242, flags: 0x11, comm: 'bpf-crr' }),
  connRecord({ open: false, tsNs: BOOT + 3_000n, t: server, cookie: 100_002, startNs: BOOT - 67_000n, estabNs: BOOT - 50_000n, bytesSent: 128, bytesReceived: 64, segsOut: 3, segsIn: 4, srttUs: 19, retrans: 1, pid: 4241, flags: 0x12, comm: 'bpf-crr' }),
  l7Record({ tsNs: BOOT + 1_000_000_000n, t: server, cookie: 100_004, latencyNs: 17_500_000, reqEgress: false, req: 'GET /api/x HTTP/1.1\r\nHost: web:8080\r\n\r\n', resp: 'HTTP/1.1 200 OK' }),
  connRecord({ open: true, tsNs: BOOT + 2_500_000_000n, t: server, cookie: 100_006, startNs: BOOT + 2_499_990_000n, estabNs: BOOT + 2_500_000_000n, flags: 0x12 }),
]);

test('TCP_CRR records: full client and server flows, at ~105 days of uptime', () => {
  for (const events of [viaChunks(crrStream, 64 * 1024), viaChunks(crrStream, 7), viaRecords(crrStream)]) {
    const [l7c, closeC, closeS, l7s, openS] = flows(events);
    assertFlow(l7c, {
      time: '2026-04-16T07:46:39.999990Z',
      uuid: 'u1',
      node_name: 'node-1',
      IP: { source: '10.231.0.3', destination: '10.231.0.2', ipVersion: 'IPv4' },
      source: {},
      destination: {},
      verdict: 'FORWARDED',
      Type: 'L7',
      event_type: { type: 129 },
      l4: { TCP: { source_port: 8080, destination_port: 40000 } },
      is_reply: true,
      traffic_direction: 'EGRESS',
      socket_cookie: 100_001,
      l7: { type: 'RESPONSE', latency_ns: 21_500 },
      Summary: 'TCP response after 0.02ms',
      netscope: { pid: 4242, comm: 'bpf-crr' },
    });
    assertFlow(closeC, {
      time: '2026-04-16T07:46:40Z',
      uuid: 'u2',
      node_name: 'node-1',
      IP: { source: '10.231.0.2', destination: '10.231.0.3', ipVersion: 'IPv4' },
      source: {},
      destination: {},
      verdict: 'FORWARDED',
      Type: 'L3_L4',
      event_type: { type: 4, sub_type: 5 },
      trace_observation_point: 'FROM_ENDPOINT',
      l4: { TCP: { source_port: 40000, destination_port: 8080, flags: { FIN: true, ACK: true } } },
      is_reply: false,
      traffic_direction: 'EGRESS',
      socket_cookie: 100_001,
      Summary: 'TCP Flags: FIN, ACK',
      netscope: { srtt_us: 21, pid: 4242, comm: 'bpf-crr', connect_latency_ns: 25_000, bytes_sent: 64, bytes_received: 128, segments_sent: 4, segments_received: 3, retransmits: 0, duration_ns: 80_000 },
    });
    assertFlow(closeS, {
      time: '2026-04-16T07:46:40.000003Z',
      uuid: 'u3',
      node_name: 'node-1',
      IP: { source: '10.231.0.3', destination: '10.231.0.2', ipVersion: 'IPv4' },
      source: {},
      destination: {},
      verdict: 'FORWARDED',
      Type: 'L3_L4',
      event_type: { type: 4, sub_type: 0 },
      trace_observation_point: 'TO_ENDPOINT',
      l4: { TCP: { source_port: 8080, destination_port: 40000, flags: { FIN: true, ACK: true } } },
      is_reply: true,
      traffic_direction: 'INGRESS',
      socket_cookie: 100_002,
      Summary: 'TCP Flags: FIN, ACK',
      netscope: { srtt_us: 19, pid: 4241, comm: 'bpf-crr', bytes_sent: 128, bytes_received: 64, segments_sent: 3, segments_received: 4, retransmits: 1, duration_ns: 70_000 },
    });
    assertFlow(l7s, {
      time: '2026-04-16T07:46:41Z',
      uuid: 'u4',
      node_name: 'node-1',
      IP: { source: '10.231.0.3', destination: '10.231.0.2', ipVersion: 'IPv4' },
      source: {},
      destination: {},
      verdict: 'FORWARDED',
      Type: 'L7',
      event_type: { type: 129 },
      l4: { TCP: { source_port: 8080, destination_port: 40000 } },
      is_reply: true,
      traffic_direction: 'INGRESS',
      socket_cookie: 100_004,
      l7: { type: 'RESPONSE', latency_ns: 17_500_000, http: { method: 'GET', url: 'http://web:8080/api/x', protocol: 'HTTP/1.1', code: 200 } },
      // 17.5 ms: toFixed(0) rounds the tie up.
      Summary: 'HTTP/1.1 200 18ms (GET http://web:8080/api/x)',
    });
    assertFlow(openS, {
      time: '2026-04-16T07:46:42.500Z',
      uuid: 'u5',
      node_name: 'node-1',
      IP: { source: '10.231.0.3', destination: '10.231.0.2', ipVersion: 'IPv4' },
      source: {},
      destination: {},
      verdict: 'FORWARDED',
      Type: 'L3_L4',
      event_type: { type: 4, sub_type: 0 },
      trace_observation_point: 'TO_ENDPOINT',
      l4: { TCP: { source_port: 8080, destination_port: 40000, flags: { SYN: true, ACK: true } } },
      is_reply: true,
      traffic_direction: 'INGRESS',
      socket_cookie: 100_006,
      Summary: 'TCP Flags: SYN, ACK',
      netscope: { srtt_us: 0 },
    });
  }
});

test('flows share their constant parts frozen: a later stage cannot edit them for everyone', () => {
  const [, closeC] = flows(viaChunks(crrStream, 64 * 1024));
  assert.throws(() => {
    (closeC!.l4!.TCP!.flags as { SYN?: boolean }).SYN = true;
  }, TypeError);
});

test('wall-clock times are exact across 2^32 ns steps of the boot clock, past 2^53 ns, and after a new clock offset', () => {
  const step = 2n ** 32n;
  const boots = [1n, step - 1n, step, step + 999_999_999n, 5n * step - 1n, 2n ** 53n - 1n, 2n ** 53n + 1n, 2n ** 60n + 123_000_000n, BOOT + 999_999_999n];
  const offsets = [OFFSET, OFFSET + 999_999_999n, 1_790_000_000_999_999_999n];
  const records = offsets.flatMap((o) => [clockRecord(o), ...boots.map((ts, i) => connRecord({ open: false, tsNs: ts, t: client, cookie: i, flags: 0x11 }))]);
  const expected = offsets.flatMap((o) =>
    boots.map((ts) => {
      const t = ts + o;
      return formatProtoTimestamp({ seconds: Number(t / 1_000_000_000n), nanos: Number(t % 1_000_000_000n) });
    }),
  );
  assert.deepEqual(flows(viaChunks(Buffer.concat(records), 64 * 1024)).map((f) => f.time), expected);
  assert.equal(expected[2], '2026-01-01T00:00:04.294967296Z');
});

test('L7 summaries round milliseconds as toFixed does, ties included', () => {
  const lat = [0, 4_999, 5_000, 5_001, 15_000, 125_000, 1_005_000, 9_994_999, 9_995_000, 9_999_999, 10_000_000, 10_499_999, 10_500_000, 11_500_000, 12_345_678, 2 ** 40];
  const stream = Buffer.concat([clockRecord(OFFSET), ...lat.map((ns, i) => l7Record({ tsNs: BOOT, t: client, cookie: i, latencyNs: ns, reqEgress: true, req: 'ping', resp: 'pong' }))]);
  const summaries = flows(viaChunks(stream, 64 * 1024)).map((f) => f.Summary);
  assert.deepEqual(
    summaries,
    lat.map((ns) => `TCP response after ${(ns / 1e6).toFixed(ns < 10e6 ? 2 : 0)}ms`),
  );
  assert.deepEqual(summaries.slice(0, 4), ['TCP response after 0.00ms', 'TCP response after 0.00ms', 'TCP response after 0.01ms', 'TCP response after 0.01ms']);
  assert.equal(summaries[8], 'TCP response after 9.99ms'); // 9.995 is a little below .995 as a double
  assert.equal(summaries[12], 'TCP response after 11ms');
});

test('time fractions: 0, 3, 6 or 9 digits as protojson writes them, at any ns', () => {
  const fractions = [0n, 1n, 9n, 999n, 1_000n, 1_001n, 10_000n, 999_000n, 1_000_000n, 1_000_001n, 1_001_000n, 120_000_000n, 123_456_789n, 500_000_000n, 999_999_999n, 999_000_000n, 999_999_000n];
  for (let n = 7n; n < 1_000_000_000n; n += 7_919_003n) fractions.push(n, n - (n % 1000n), n - (n % 1_000_000n));
  // Same second and millisecond in a row, then back: the cached text must follow.
  const boots = fractions.flatMap((f) => [BOOT + f, BOOT + 5_000_000_000n + f, BOOT + f]);
  const stream = Buffer.concat([clockRecord(OFFSET), ...boots.map((ts, i) => connRecord({ open: false, tsNs: ts, t: client, cookie: i, flags: 0x11 }))]);
  const times = flows(viaChunks(stream, 64 * 1024)).map((f) => f.time);
  assert.deepEqual(
    times,
    boots.map((ts) => {
      const t = ts + OFFSET;
      return formatProtoTimestamp({ seconds: Number(t / 1_000_000_000n), nanos: Number(t % 1_000_000_000n) });
    }),
  );
  assert.deepEqual(times.slice(0, 3), ['2026-04-16T07:46:40Z', '2026-04-16T07:46:45Z', '2026-04-16T07:46:40Z']);
  assert.equal(times[3 * 11], '2026-04-16T07:46:40.120Z');
  assert.equal(times[3 * 12], '2026-04-16T07:46:40.123456789Z');
  assert.equal(times[3 * 4], '2026-04-16T07:46:40.000001Z');
});

test('every record type: the chunk path gives the events of the decoded-record path, cut anywhere', () => {
  const v6 = { saddr: 'fd00::2', daddr: 'fd00::3', sport: 1000, dport: 80 };
  const mapped = { saddr: '::ffff:a00:2', daddr: '::ffff:a00:3', sport: 80, dport: 1000 };
  const dnsC = { saddr: '10.231.0.2', daddr: '10.231.0.53', sport: 5353, dport: 53 };
  const stream = Buffer.concat([
    clockRecord(OFFSET),
    textRecord(100, 'ns_set_state,ns_l7'),
    reasonRecord(7, 'NETFILTER_DROP'),
    connRecord({ open: true, tsNs: 1_000_500_000n, t: client, cookie: 5, startNs: 1_000_000_000n, estabNs: 1_000_500_000n, srttUs: 30, pid: 42, flags: 0x11, comm: 'curl' }),
    connRecord({ open: false, tsNs: 2_000_000_000n, t: client, cookie: 8, startNs: 1_999_900_000n, flags: 0x5, pid: 9, comm: 'nc' }),
    connRecord({ open: false, tsNs: 2_000_000_000n, t: server, cookie: 9, startNs: 1_999_900_000n, estabNs: 1_999_950_000n, flags: 0x1a }),
    connRecord({ open: false, tsNs: 3_000_000_000n, t: v6, cookie: 10, flags: 0x11 }),
    connRecord({ open: false, tsNs: 3_000_000_000n, t: mapped, cookie: 11, startNs: 2_000_000_000n, flags: 0x12, pid: 1, comm: 'a-very-long-nam' }),
    l7Record({ tsNs: 4_000_000_000n, t: v6, cookie: 10, latencyNs: 3_500_000, reqEgress: true, req: 'POST /x HTTP/1.0\r\nhost: h\r\n\r\n', resp: 'HTTP/1.0 503 Unavailable' }),
    l7Record({ tsNs: 4_000_000_000n, t: mapped, cookie: 11, latencyNs: 300, reqEgress: false, req: 'GET /only-a-path', resp: 'garbage', pid: 3, comm: 'srv' }),
    l7Record({ tsNs: 4_000_000_000n, t: client, cookie: 12, latencyNs: 300, reqEgress: true, req: 'get / HTTP/1.1\r\n', resp: 'HTTP/1.1 200 OK' }),
    dropRecord({ tsNs: 5_000_000_000n, t: client, reason: 7, tcpFlags: 0x12, ifindex: 4 }),
    dropRecord({ tsNs: 5_000_000_000n, t: { ...client, proto: 17 }, reason: 99 }),
    dnsRecord({ tsNs: 6_000_000_000n, t: dnsC, cookie: 3, egress: true, msg: dnsMessage({ id: 9, response: false, name: 'web.lab' }) }),
    dnsRecord({ tsNs: 6_000_800_000n, t: { ...dnsC, saddr: dnsC.daddr, daddr: dnsC.saddr, sport: 53, dport: 5353 }, cookie: 3, egress: false, msg: dnsMessage({ id: 9, response: true, name: 'web.lab', answers: ['10.231.0.3'] }) }),
    statsRecord(3, 100),
    textRecord(104, 'packet drops not observed'),
    textRecord(150, 'from a newer loader'),
  ]);
  const expected = viaRecords(stream);
  assert.equal(expected.length, 16);
  for (const chunk of [1, 5, 16, 17, 100, 240, 4096, 1 << 16]) {
    assert.equal(JSON.stringify(viaChunks(stream, chunk)), JSON.stringify(expected), `chunks of ${chunk} bytes`);
  }
});

test('a conn or L7 record shorter than its layout is an error on the chunk path too', () => {
  for (const type of [2, 4]) {
    const short = Buffer.alloc(40);
    short.writeUInt32LE(type, 0);
    short.writeUInt32LE(40, 4);
    assert.throws(() => viaChunks(short, 64), /record of 40 bytes, expected/);
  }
});
