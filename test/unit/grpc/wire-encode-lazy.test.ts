// The lazy-flow fast path of encodeGetFlowsResponse (src/grpc/wire/encode-lazy.ts): the
// collector's flows written straight from their records must be the bytes the general
// encoder writes for the same flows as plain objects, and the bytes protobufjs writes
// (flow-mapping.ts), on thousands of generated records of every shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LazyRecord, lazyRecord } from '../../../src/bpf-bridge/lazy-flow.ts';
import { copyFlow, plainFlow } from '../../../src/model/plain-flow.ts';
import type { Flow } from '../../../src/model/flow.ts';
import type { SourceEvent } from '../../../src/model/source.ts';
import { encodeGetFlowsResponse } from '../../../src/grpc/wire/get-flows.ts';
import { clockRecord, connRecord, l7Record, type TupleSpec } from '../../bpf-bridge/records-fixture.ts';
import { counter, decode } from '../../bpf-bridge/lazy-compare.ts';
import { referenceBytes } from './wire-fixtures.ts';

/** A small seeded generator: the same records every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const TUPLES: TupleSpec[] = [
  { saddr: '10.231.0.2', daddr: '10.231.0.3', sport: 40000, dport: 8000 },
  { saddr: '192.168.1.250', daddr: '10.0.0.1', sport: 1, dport: 65535 },
  { saddr: 'fd00::2', daddr: 'fd00::3', sport: 1000, dport: 80 },
  { saddr: '::ffff:a00:2', daddr: '::ffff:a00:3', sport: 80, dport: 1000 },
];
const REQS = ['GET /api/x HTTP/1.1\r\nHost: web:8080\r\n\r\n', 'POST /x HTTP/1.0\r\nhost: h\r\n\r\n', 'PING\r\n', 'GET /only-a-path', 'get / HTTP/1.1\r\n', '\x00\x01binary'];
const RESPS = ['HTTP/1.1 200 OK', 'HTTP/1.0 503 Unavailable', 'PONG', 'garbage', ''];

/** Records of every kind and flag combination, with clock offsets before 1970 and after. */
function records(n: number, seed: number): Buffer {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const big = (): number => (r() < 0.2 ? Math.floor(r() * 2 ** 53) : Math.floor(r() * 100_000));
  const out: Buffer[] = [clockRecord(1_767_225_600_000_000_000n)];
  let ts = 1_000_000_000n;
  for (let i = 0; i < n; i++) {
    if (i % 500 === 250) out.push(clockRecord(pick([1_767_225_600_000_000_123n, -100_000_000_000_000n, 0n, 9_000_000_000_000_000_000n])));
    ts += BigInt(Math.floor(r() * 3_000_000_000)) + (r() < 0.01 ? 1n << 33n : 0n);
    const t = pick(TUPLES);
    const pid = r() < 0.3 ? 0 : Math.floor(r() * 2 ** 32);
    const comm = pick(['', 'curl', 'a-very-long-nam', 'bpf-crr']);
    if (r() < 0.25) {
      out.push(l7Record({ tsNs: ts, t, cookie: big(), latencyNs: Math.floor(r() * (r() < 0.5 ? 20_000_000 : 900_000_000)), reqEgress: r() < 0.5, req: pick(REQS), resp: pick(RESPS), pid, comm }));
      continue;
    }
    const flags = Math.floor(r() * 0x200); // every ConnFlag bit, in any combination
    const started = r() < 0.8;
    const startNs = started ? ts - BigInt(Math.floor(r() * 1_000_000)) : 0n;
    out.push(
      connRecord({
        open: r() < 0.3,
        tsNs: ts,
        t,
        cookie: big(),
        startNs,
        estabNs: started && r() < 0.8 ? startNs + 1000n : 0n,
        bytesSent: big(),
        bytesReceived: big(),
        segsOut: Math.floor(r() * 2 ** 32),
        segsIn: Math.floor(r() * 100),
        srttUs: Math.floor(r() * 1000),
        retrans: Math.floor(r() * 3),
        pid,
        flags,
        comm,
        l7ReqNs: ts - 50_000n,
        l7RespNs: ts - BigInt(Math.floor(r() * 40_000)),
      }),
    );
  }
  return Buffer.concat(out);
}

const flowsOf = (evs: SourceEvent[]): Flow[] => evs.flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));
const hex = (b: Buffer): string => b.toString('hex');

for (const [seed, uuids] of [
  [1, 'numbered'],
  [2, 'given as text'],
] as const) {
  test(`lazy flows encode to the bytes of their plain objects and of protobufjs (seed ${seed}, uuids ${uuids})`, () => {
    const stream = records(4000, seed);
    const opts = (): { eager: false; uuid?: () => string } => (uuids === 'numbered' ? { eager: false } : { eager: false, uuid: counter() });
    // Two decodings: one encoded on the fast path, the other materialized first; numbered
    // uuids are a random run prefix, so those are compared by the fast path's own text.
    const fast = flowsOf(decode(stream, 4096, opts()));
    const slow = flowsOf(decode(stream, 4096, opts()));
    assert.equal(fast.length, slow.length);
    assert.ok(fast.length > 4000, `${fast.length} flows`);
    const rec = new LazyRecord();
    const shapes = new Set<string>();
    for (let i = 0; i < fast.length; i++) {
      assert.ok(lazyRecord(fast[i]!, rec), `flow ${i} takes the fast path`);
      const bytes = Buffer.from(encodeGetFlowsResponse({ kind: 'flow', flow: fast[i]! }, 'the-node'));
      const plain = { ...plainFlow(slow[i]!), uuid: fast[i]!.uuid };
      const ev: SourceEvent = { kind: 'flow', flow: plain };
      const where = `flow ${i} (${plain.Summary}, ${plain.time})`;
      assert.equal(hex(bytes), hex(encodeGetFlowsResponse(ev, 'the-node')), `${where}: the general encoder`);
      assert.equal(hex(bytes), hex(referenceBytes(ev, 'the-node')), `${where}: protobufjs`);
      shapes.add(`${plain.Type} ${plain.IP?.ipVersion} ${plain.netscope === undefined ? '' : Object.keys(plain.netscope).join(',')} ${plain.l7?.http ? 'http' : ''} ${plain.time?.startsWith('19') ? 'pre-1970' : ''}`);
    }
    assert.ok(shapes.size > 20, `${shapes.size} shapes of flow`);
    assert.ok([...shapes].some((s) => s.includes('pre-1970')), 'a time before 1970 (its text is parsed)');
  });
}

test('a lazy flow with a field assigned is encoded with that field, by the general encoder', () => {
  const [f] = flowsOf(decode(records(10, 3), 4096, { eager: false, uuid: counter() }));
  const c = copyFlow(f!);
  c.source = { namespace: 'shop', pod_name: 'web-1', labels: ['app=web'] };
  c.node_name = 'other-node';
  assert.equal(lazyRecord(c, new LazyRecord()), false);
  const bytes = encodeGetFlowsResponse({ kind: 'flow', flow: c }, 'the-node');
  assert.equal(hex(bytes), hex(referenceBytes({ kind: 'flow', flow: plainFlow(c) }, 'the-node')));
  assert.ok(bytes.includes(Buffer.from('web-1')) && bytes.includes(Buffer.from('other-node')));
});
