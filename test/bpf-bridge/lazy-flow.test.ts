// Lazy flows (lazy-flow.ts): the same flows as eager decoding for every record kind,
// and plain-object behaviour for the consumers that copy, assign or encode them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../../src/model/flow.ts';
import { copyFlow, isDeferred, plainFlow } from '../../src/model/plain-flow.ts';
import { enrichFlow } from '../../src/streams/enrich.ts';
import { flowToProto } from '../../src/grpc/flow-mapping.ts';
import type { IpIdentity } from '../../src/k8s/identity.ts';
import { everyKind } from './every-kind.ts';
import { assertLazyMatchesEager, counter, decode } from './lazy-compare.ts';


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
