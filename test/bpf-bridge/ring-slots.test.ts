// The server's ring keeps the collector's flows as record bytes in its own arena plus
// what enrichment assigned (src/grpc/ring.ts): what it gives back must be the flows it
// was given, checked against eager decoding of the same records (an independent path).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../../src/model/flow.ts';
import type { IpIdentity } from '../../src/k8s/identity.ts';
import { isDeferred, plainFlow } from '../../src/model/plain-flow.ts';
import { EventRing } from '../../src/grpc/ring.ts';
import { enrichFlow } from '../../src/streams/enrich.ts';
import { everyKind } from './every-kind.ts';
import { counter, decode } from './lazy-compare.ts';

const flowsOf = (stream: Buffer, chunk: number, eager: boolean): Flow[] =>
  decode(stream, chunk, { eager, uuid: eager ? counter() : undefined }).flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));

/** The stream's lazy flows, decoded from chunks the test can overwrite afterwards. */
function lazyFromChunks(chunk: number): { flows: Flow[]; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  for (let off = 0; off < everyKind.length; off += chunk) chunks.push(Buffer.from(everyKind.subarray(off, off + chunk)));
  const flows = decode(chunks, chunk, { eager: false, uuid: counter() }).flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));
  return { flows, chunks };
}

const ids = new Map<string, IpIdentity>([
  ['10.231.0.2', { ip: '10.231.0.2', kind: 'pod', namespace: 'shop', podName: 'client-1', nodeName: 'node-1', labels: ['k8s:app=client'], workloads: [{ name: 'client', kind: 'Deployment' }] }],
  ['10.231.0.3', { ip: '10.231.0.3', kind: 'pod', namespace: 'shop', podName: 'web-1', nodeName: 'node-2', labels: ['k8s:app=web'], workloads: [], service: { name: 'web', namespace: 'shop' } }],
]);
const model = { lookup: (ip: string) => ids.get(ip) };

test('flows read back from the ring are the flows pushed, after their chunks were overwritten', () => {
  for (const chunk of [7, 240, 1 << 16]) {
    const { flows, chunks } = lazyFromChunks(chunk);
    const eager = flowsOf(everyKind, chunk, true);
    assert.equal(flows.length, eager.length);
    const ring = new EventRing(64);
    const seqs = flows.map((flow) => ring.push({ kind: 'flow', flow }));
    // The ring copied what it keeps: the loader's chunks may go (or be reused).
    for (const c of chunks) c.fill(0xa5);
    seqs.forEach((seq, i) => {
      const e = ring.at(seq)!;
      assert.equal(e.seq, seq);
      assert.equal(e.ev.kind, 'flow');
      const f = (e.ev as { flow: Flow }).flow;
      assert.deepEqual(plainFlow(f), eager[i], `flow ${i} (chunks of ${chunk})`);
      assert.equal(JSON.stringify(f), JSON.stringify(eager[i]));
    });
  }
});

test('enriched collector flows come back with the names they were given, sharing the model\'s endpoints', () => {
  const { flows } = lazyFromChunks(1 << 16);
  const eager = flowsOf(everyKind, 1 << 16, true);
  const ring = new EventRing(64);
  const named = flows.map((f) => enrichFlow(f, model));
  const seqs = named.map((flow) => ring.push({ kind: 'flow', flow }));
  let slotted = 0;
  seqs.forEach((seq, i) => {
    const f = (ring.at(seq)!.ev as { flow: Flow }).flow;
    assert.deepEqual(plainFlow(f), enrichFlow(eager[i]!, model), `flow ${i}`);
    if (isDeferred(f) && f !== named[i]) {
      slotted++;
      assert.equal(f.source, named[i]!.source, 'the same endpoint object, not a copy per flow');
    }
  });
  assert.ok(slotted >= 10, `most flows are lazy ones, kept in slots (${slotted})`);
});

test('a flow with other fields assigned, and events that are not collector flows, are kept as they are', () => {
  const { flows } = lazyFromChunks(1 << 16);
  const ring = new EventRing(8);
  const edited = flows[0]!;
  edited.Summary = 'edited';
  const plain: Flow = { time: '2026-12-03T12:00:00Z', verdict: 'FORWARDED' };
  const a = ring.push({ kind: 'flow', flow: edited });
  const b = ring.push({ kind: 'flow', flow: plain });
  const c = ring.push({ kind: 'lost', time: '2026-12-03T12:00:01Z', lost: { num_events_lost: 2 } });
  assert.equal((ring.at(a)!.ev as { flow: Flow }).flow, edited);
  assert.equal((ring.at(b)!.ev as { flow: Flow }).flow, plain);
  assert.equal(ring.at(c)!.ev.kind, 'lost');
  assert.equal(ring.at(a), ring.at(a), 'an object entry is the same entry each time (its encoding is shared)');
});

test('when the ring wraps, a slot holds the newest event of either kind, with its own cached encoding', () => {
  const { flows } = lazyFromChunks(1 << 16);
  const eager = flowsOf(everyKind, 1 << 16, true);
  const ring = new EventRing(3);
  const lost = { kind: 'lost' as const, time: '2026-12-03T12:00:01Z', lost: { num_events_lost: 1 } };
  const seqs: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < flows.length; i++) {
      seqs.push(ring.push(i % 4 === 3 ? lost : { kind: 'flow', flow: flows[i]! }));
      const seq = seqs.at(-1)!;
      const e = ring.at(seq)!;
      assert.equal(e.bytes, undefined, 'a new entry has no encoding of an old one');
      e.bytes = Buffer.from([seq & 255]);
      assert.deepEqual(ring.at(seq)!.bytes, Buffer.from([seq & 255]), 'the encoding is kept for the next reader');
      if (i % 4 !== 3) assert.deepEqual(plainFlow((e.ev as { flow: Flow }).flow), eager[i]);
      else assert.equal(e.ev.kind, 'lost');
    }
  }
  assert.equal(ring.at(seqs.at(-4)!), undefined, 'overwritten');
  assert.equal(ring.size, 3);
  assert.equal(ring.evictedCount, seqs.length - 3);
});
