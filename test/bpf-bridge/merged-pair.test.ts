// A close record that carries its connection's one request/response only to save the
// kernel a record (ConnFlag.L7Own: no open scan ran, bpf/ns_l7.bpf.c NS_FOLD_RECORD)
// gives exactly the flows of the two records it replaces: the L7 record the kernel
// writes for a held pair, then the close record without the pair. Through both
// decoding paths (chunks read in place, and decoded records).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordReader } from '../../src/bpf-bridge/records.ts';
import { FlowMapper } from '../../src/bpf-bridge/to-flow.ts';
import type { Flow } from '../../src/model/flow.ts';
import type { SourceEvent } from '../../src/model/source.ts';
import { clockRecord, connRecord, l7Record } from './records-fixture.ts';
import { plainFlow } from '../../src/model/plain-flow.ts';

const OFFSET = 1_767_225_600_000_000_000n;
const BOOT = 9_100_000_000_000_000n;
const FOLDED = 0x40;
const REQ_EGRESS = 0x80;
const OWN = 0x100;

const client = { saddr: '10.231.0.2', daddr: '10.231.0.3', sport: 40000, dport: 7000 };
const server = { saddr: '10.231.0.3', daddr: '10.231.0.2', sport: 7000, dport: 40000 };

function mapper(): FlowMapper {
  let n = 0;
  return new FlowMapper({ nodeName: 'node-1', sourceName: 'local', uuid: () => `u${++n}` });
}

/** The chunk path's flows decode on demand (lazy-flow.ts): compared as plain objects. */
function plainEvent(ev: SourceEvent): SourceEvent {
  return ev.kind === 'flow' ? { kind: 'flow', flow: plainFlow(ev.flow) } : ev;
}

function viaChunks(stream: Buffer, chunk: number): Flow[] {
  const m = mapper();
  const reader = new RecordReader();
  const out: SourceEvent[] = [];
  for (let off = 0; off < stream.length; off += chunk) reader.feed(stream.subarray(off, off + chunk), (buf, at, size) => m.mapAt(buf, at, size, (ev) => out.push(plainEvent(ev))));
  return out.flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));
}

function viaRecords(stream: Buffer): Flow[] {
  const m = mapper();
  return new RecordReader()
    .push(stream)
    .flatMap((r) => m.map(r))
    .flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));
}

const reqNs = BOOT - 40_000n;
const respNs = BOOT - 18_500n;
const side = (t: typeof client, cookie: number, flags: number, egress: boolean, pid: number) => ({
  close: { open: false, tsNs: BOOT + BigInt(cookie), t, cookie, startNs: BOOT - 80_000n, estabNs: BOOT - 55_000n, bytesSent: 10, bytesReceived: 10, segsOut: 4, segsIn: 4, srttUs: 21, pid, comm: 'echo', flags },
  pair: { tsNs: respNs, t, cookie, latencyNs: Number(respNs - reqNs), reqEgress: egress, req: '', resp: '', pid, comm: 'echo' },
});
const c = side(client, 1, 0x11, true, 4242);
const s = side(server, 2, 0x12, false, 4241);

const merged = Buffer.concat([
  clockRecord(OFFSET),
  connRecord({ ...c.close, flags: c.close.flags | FOLDED | REQ_EGRESS | OWN, l7ReqNs: reqNs, l7RespNs: respNs }),
  connRecord({ ...s.close, flags: s.close.flags | FOLDED | OWN, l7ReqNs: reqNs, l7RespNs: respNs }),
]);
const separate = Buffer.concat([clockRecord(OFFSET), l7Record(c.pair), connRecord(c.close), l7Record(s.pair), connRecord(s.close)]);

test('a close record carrying its pair for transport gives the flows of the L7 record and the close record it replaces', () => {
  const expected = viaRecords(separate);
  assert.equal(expected.length, 4);
  assert.deepEqual(
    expected.map((f) => f.Type),
    ['L7', 'L3_L4', 'L7', 'L3_L4'],
  );
  for (const got of [viaRecords(merged), viaChunks(merged, 64 * 1024), viaChunks(merged, 7)]) {
    assert.deepEqual(got, expected);
    assert.equal(JSON.stringify(got), JSON.stringify(expected), 'same key order');
  }
  // The pair is its own flow, not a field of the close summary.
  assert.equal(expected[0]!.l7?.latency_ns, 21_500);
  assert.equal(expected[0]!.Summary, 'TCP response after 0.02ms');
  assert.equal(expected[1]!.netscope?.response_latency_ns, undefined);
});

test('without the transport flag, a folded pair stays in the close summary as one flow', () => {
  const folded = Buffer.concat([clockRecord(OFFSET), connRecord({ ...c.close, flags: c.close.flags | FOLDED | REQ_EGRESS, l7ReqNs: reqNs, l7RespNs: respNs })]);
  const got = viaRecords(folded);
  assert.equal(got.length, 1);
  assert.equal(got[0]!.netscope?.response_latency_ns, 21_500);
  assert.deepEqual(viaChunks(folded, 13), got);
});
