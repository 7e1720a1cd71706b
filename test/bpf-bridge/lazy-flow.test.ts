// Lazy flows (lazy-flow.ts): the same flows as eager decoding for every record kind,
// and plain-object behaviour for the consumers that copy, assign or encode them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../../src/model/flow.ts';
import { copyFlow, isDeferred, plainFlow } from '../../src/model/plain-flow.ts';
import { enrichFlow } from '../../src/streams/enrich.ts';
import { flowToProto } from '../../src/grpc/flow-mapping.ts';
import type { IpIdentity } from '../../src/k8s/identity.ts';
import { clockRecord, connRecord, dnsMessage, dnsRecord, dropRecord, l7Record, reasonRecord, statsRecord, textRecord } from './records-fixture.ts';
import { assertLazyMatchesEager, counter, decode } from './lazy-compare.ts';

const OFFSET = 1_767_225_600_000_000_000n;
const client = { saddr: '10.231.0.2', daddr: '10.231.0.3', sport: 40000, dport: 8080 };
const server = { saddr: '10.231.0.3', daddr: '10.231.0.2', sport: 8080, dport: 40000 };
const v6 = { saddr: 'fd00::2', daddr: 'fd00::3', sport: 1000, dport: 80 };
const mapped = { saddr: '::ffff:a00:2', daddr: '::ffff:a00:3', sport: 80, dport: 1000 };
const dnsC = { saddr: '10.231.0.2', daddr: '10.231.0.53', sport: 5353, dport: 53 };
const FOLDED = 0x40;
const REQ_EGRESS = 0x80;
const OWN = 0x100;

/** Every record kind, and every shape of conn and L7 flow: opens, closes (FIN, RST, refused), folded pairs, HTTP, v6. */
const everyKind = Buffer.concat([
  clockRecord(OFFSET),
  textRecord(100, 'ns_set_state,ns_l7'),
  reasonRecord(7, 'NETFILTER_DROP'),
  connRecord({ open: true, tsNs: 1_000_500_000n, t: client, cookie: 5, startNs: 1_000_000_000n, estabNs: 1_000_500_000n, srttUs: 30, pid: 42, flags: 0x11, comm: 'curl' }),
  connRecord({ open: true, tsNs: 1_000_600_000n, t: server, cookie: 6, startNs: 1_000_100_000n, estabNs: 1_000_600_000n, flags: 0x12 }),
  connRecord({ open: false, tsNs: 2_000_000_000n, t: client, cookie: 8, startNs: 1_999_900_000n, flags: 0x5, pid: 9, comm: 'nc' }),
  connRecord({ open: false, tsNs: 2_000_000_000n, t: server, cookie: 9, startNs: 1_999_900_000n, estabNs: 1_999_950_000n, flags: 0x1a }),
  connRecord({ open: false, tsNs: 2_100_000_000n, t: client, cookie: 13, startNs: 2_000_000_000n, estabNs: 2_000_050_000n, bytesSent: 64, bytesReceived: 128, segsOut: 4, segsIn: 3, srttUs: 21, pid: 4242, flags: 0x11 | FOLDED | REQ_EGRESS | OWN, comm: 'bpf-crr', l7ReqNs: 2_000_060_000n, l7RespNs: 2_000_081_500n }),
  connRecord({ open: false, tsNs: 2_100_000_000n, t: server, cookie: 14, startNs: 2_000_000_000n, estabNs: 2_000_040_000n, flags: 0x12 | FOLDED | OWN, l7ReqNs: 2_000_062_000n, l7RespNs: 2_000_080_000n }),
  connRecord({ open: false, tsNs: 2_200_000_000n, t: client, cookie: 15, startNs: 2_000_000_000n, estabNs: 2_000_050_000n, pid: 77, flags: 0x11 | FOLDED | REQ_EGRESS, comm: 'folded', l7ReqNs: 2_000_060_000n, l7RespNs: 2_000_090_000n }),
  // A new clock offset: flows decoded before it keep the old one, however late they are read.
  clockRecord(OFFSET + 5_000_000_123n),
  connRecord({ open: false, tsNs: 3_000_000_000n, t: v6, cookie: 10, flags: 0x11 }),
  connRecord({ open: false, tsNs: 3_000_000_000n, t: mapped, cookie: 11, startNs: 2_000_000_000n, flags: 0x12, pid: 1, comm: 'a-very-long-nam' }),
  l7Record({ tsNs: 4_000_000_000n, t: v6, cookie: 10, latencyNs: 3_500_000, reqEgress: true, req: 'POST /x HTTP/1.0\r\nhost: h\r\n\r\n', resp: 'HTTP/1.0 503 Unavailable' }),
  l7Record({ tsNs: 4_000_000_000n, t: mapped, cookie: 11, latencyNs: 300, reqEgress: false, req: 'GET /only-a-path', resp: 'garbage', pid: 3, comm: 'srv' }),
  l7Record({ tsNs: 4_000_000_000n, t: client, cookie: 12, latencyNs: 300, reqEgress: true, req: 'get / HTTP/1.1\r\n', resp: 'HTTP/1.1 200 OK' }),
  l7Record({ tsNs: 4_100_000_000n, t: server, cookie: 16, latencyNs: 17_500_000, reqEgress: false, req: 'GET /api/x HTTP/1.1\r\nHost: web:8080\r\n\r\n', resp: 'HTTP/1.1 200 OK', pid: 4241, comm: 'web' }),
  dropRecord({ tsNs: 5_000_000_000n, t: client, reason: 7, tcpFlags: 0x12, ifindex: 4 }),
  dropRecord({ tsNs: 5_000_000_000n, t: { ...client, proto: 17 }, reason: 99 }),
  dnsRecord({ tsNs: 6_000_000_000n, t: dnsC, cookie: 3, egress: true, msg: dnsMessage({ id: 9, response: false, name: 'web.lab' }) }),
  dnsRecord({ tsNs: 6_000_800_000n, t: { ...dnsC, saddr: dnsC.daddr, daddr: dnsC.saddr, sport: 53, dport: 5353 }, cookie: 3, egress: false, msg: dnsMessage({ id: 9, response: true, name: 'web.lab', answers: ['10.231.0.3'] }) }),
  statsRecord(3, 100),
  textRecord(104, 'packet drops not observed'),
]);

test('lazy flows are the eager flows for every record kind, cut into chunks anywhere', () => {
  for (const chunk of [1, 7, 16, 100, 240, 4096, 1 << 16]) {
    // 2 opens, 4 plain closes, 2 closes with their pair as a flow of its own (2 each), 1 folded close, 4 L7 records.
    assert.equal(assertLazyMatchesEager(everyKind, chunk), 15, `chunks of ${chunk} bytes`);
  }
});

test('a flow decoded before a new clock offset keeps the old one when read after it', () => {
  const flows = decode(everyKind, 1 << 16, { eager: false }).flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));
  const before = flows.find((f) => f.socket_cookie === 9)!;
  const after = flows.find((f) => f.socket_cookie === 10)!;
  assert.equal(before.time, '2026-01-01T00:00:02Z');
  assert.equal(after.time, '2026-01-01T00:00:08.000000123Z');
});

test('without given uuids, lazy flows print the run\'s uuids in decoding order when read in any order', () => {
  const flows = decode(everyKind, 1 << 16, { eager: false }).flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));
  const uuids = flows.map((f) => f).reverse().map((f) => f.uuid!).reverse();
  assert.equal(new Set(uuids).size, flows.length);
  for (const u of uuids) assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  for (let i = 1; i < uuids.length; i++) {
    const prev = parseInt(uuids[i - 1]!.slice(-12), 16);
    const next = parseInt(uuids[i]!.slice(-12), 16);
    assert.equal(next, (prev + 1) % 2 ** 48, `uuid ${i} follows uuid ${i - 1}`);
  }
});

/** The conn close and the L7 flow of the stream, lazy and eager. */
function pairs(): { lazy: Flow; eager: Flow }[] {
  const flows = (eager: boolean): Flow[] => decode(everyKind, 1 << 16, { eager, uuid: counter() }).flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));
  const lazy = flows(false);
  const eager = flows(true);
  const at = (cookie: number, type: string): number => eager.findIndex((f) => f.socket_cookie === cookie && f.Type === type);
  return [at(8, 'L3_L4'), at(13, 'L7'), at(16, 'L7'), at(12, 'L7')].map((i) => ({ lazy: lazy[i]!, eager: eager[i]! }));
}

test('assigned fields shadow decoded ones and new ones join, as on a plain object', () => {
  for (const { lazy, eager } of pairs()) {
    assert.ok(isDeferred(lazy));
    for (const f of [lazy, eager]) {
      f.source = { namespace: 'shop', pod_name: 'web-1' };
      f.destination_service = { name: 'db', namespace: 'shop' };
      f.Summary = 'edited';
    }
    assert.deepEqual(lazy.source, { namespace: 'shop', pod_name: 'web-1' });
    assert.equal(lazy.Summary, 'edited');
    assert.ok('destination_service' in lazy);
    assert.deepEqual(plainFlow(lazy), eager);
    assert.equal(JSON.stringify(lazy), JSON.stringify(eager));
  }
});

test('copyFlow gives an equal flow whose edits leave the original as it was', () => {
  for (const { lazy, eager } of pairs()) {
    lazy.node_name = 'renamed';
    eager.node_name = 'renamed';
    const c = copyFlow(lazy);
    assert.ok(isDeferred(c), 'the copy decodes on demand too');
    assert.deepEqual(plainFlow(c), eager);
    c.node_name = 'other';
    c.source_service = { name: 'web' };
    assert.equal(lazy.node_name, 'renamed');
    assert.equal('source_service' in lazy, false);
    assert.deepEqual(plainFlow(lazy), eager);
  }
});

test('enrichment and the gRPC encoding give the same results for lazy and eager flows', () => {
  const ids = new Map<string, IpIdentity>([
    ['10.231.0.2', { ip: '10.231.0.2', kind: 'pod', namespace: 'shop', podName: 'client-1', nodeName: 'node-1', labels: ['k8s:app=client'], workloads: [{ name: 'client', kind: 'Deployment' }] }],
    ['10.231.0.3', { ip: '10.231.0.3', kind: 'pod', namespace: 'shop', podName: 'web-1', nodeName: 'node-1', labels: ['k8s:app=web'], workloads: [], service: { name: 'web', namespace: 'shop' } }],
  ]);
  const model = { lookup: (ip: string) => ids.get(ip) };
  for (const { lazy, eager } of pairs()) {
    const enriched = enrichFlow(lazy, model);
    assert.notEqual(enriched, lazy, 'the model names these addresses: a copy');
    assert.deepEqual(plainFlow(enriched), enrichFlow(eager, model));
    assert.equal(lazy.source?.pod_name, undefined, 'the original is not edited');
    assert.deepEqual(flowToProto(lazy), flowToProto(eager));
  }
});
