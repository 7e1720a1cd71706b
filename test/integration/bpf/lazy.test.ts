// Lazy decoding on a real run's records (runs as root in CI): the loader's raw output
// around HTTP, plain TCP (short and long-lived), a refused and a blocked connection
// and DNS, kept chunk by chunk as the collector read it, decoded again lazily and
// eagerly: the same flows, field by field, after materializing, and in JSON. And the
// agent's encoding of them: every flow encoded straight from its record
// (src/grpc/wire/encode-lazy.ts) must be the bytes the general encoder and protobufjs
// write for the same flow as a plain object.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Lab, REPO_ROOT, destroyLab } from '../../lab/lab.ts';
import { collectAround } from '../../lab/collect.ts';
import { formatAddress } from '../../../src/bpf-bridge/address.ts';
import { RecordReader, RecType, TUPLE } from '../../../src/bpf-bridge/records.ts';
import { LazyRecord, lazyRecord } from '../../../src/bpf-bridge/lazy-flow.ts';
import { isDeferred, plainFlow } from '../../../src/model/plain-flow.ts';
import type { Flow } from '../../../src/model/flow.ts';
import type { SourceEvent } from '../../../src/model/source.ts';
import { encodeGetFlowsResponse } from '../../../src/grpc/wire/get-flows.ts';
import { assertLazyMatchesEager, counter, decode } from '../../bpf-bridge/lazy-compare.ts';
import { referenceBytes } from '../../unit/grpc/wire-fixtures.ts';

let lab: Lab;
const chunks: Buffer[] = [];
let live: Flow[] = [];

before(async () => {
  execFileSync('bash', [`${REPO_ROOT}/scripts/build-bpf.sh`], { stdio: 'inherit' });
  lab = Lab.create(['client', 'web', 'echo', 'dns']);
  const web = lab.pod('web').ip;
  await lab.startAgent('web', 'http-server', ['8080']);
  await lab.startAgent('echo', 'echo-server', ['7000']);
  await lab.startAgent('dns', 'dns-server', [`web.lab=${web}`]);
  lab.nft('web', 'table inet labfw {\n  chain input {\n    type filter hook input priority 0;\n    tcp dport 9999 drop\n  }\n}\n');
  const run = await collectAround(lab, { allOpens: true, onChunk: (c) => chunks.push(Buffer.from(c)) }, async () => {
    await lab.runAgent('client', 'http-client', [web, '8080', '/hello/1', '/missing']);
    await lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7000', '3', '100']);
    await lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7000', '1', '10', '300']);
    await lab.runAgent('client', 'try-connect', [web, '7777', '2000']);
    await lab.runAgent('client', 'try-connect', [web, '9999', '1000']);
    await lab.runAgent('client', 'dns-client', [lab.pod('dns').ip, 'web.lab', 'nope.lab']);
  });
  live = run.flows;
});

after(() => destroyLab(lab));

/**
 * The run's records that concern the lab, cut as they were read: the collector sees the
 * whole machine's traffic (other tests' labs, benchmarks), which this test does not
 * compare. Records without a tuple (clock, ready, reason, stats, warn) are all kept.
 */
function labChunks(): Buffer[] {
  const reader = new RecordReader();
  const out: Buffer[] = [];
  for (const c of chunks) {
    const kept: Buffer[] = [];
    reader.feed(c, (buf, at, size) => {
      const type = buf.readUInt32LE(at);
      if (type >= RecType.ConnOpen && type <= RecType.Dns) {
        const family = buf[at + TUPLE.family] === 6 ? 6 : 4;
        if (!lab.owns(formatAddress(buf, at + TUPLE.saddr, family)) || !lab.owns(formatAddress(buf, at + TUPLE.daddr, family))) return;
      }
      kept.push(Buffer.from(buf.subarray(at, at + size)));
    });
    if (kept.length > 0) out.push(Buffer.concat(kept));
  }
  return out;
}

test('a lab run: the collector handed out lazy flows, and its records hold every kind', () => {
  assert.ok(live.some((f) => isDeferred(f)), 'conn and L7 flows decode on demand');
  const kinds = new Set(new RecordReader().push(Buffer.concat(labChunks())).map((r) => r.type));
  for (const k of ['clock', 'ready', 'conn-open', 'conn-close', 'l7', 'drop', 'dns']) assert.ok(kinds.has(k as never), `${k} records in the run: ${[...kinds].join(', ')}`);
});

test('a lab run\'s records: lazy flows are the eager flows, as read and cut anywhere', () => {
  const own = labChunks();
  const deferred = assertLazyMatchesEager(own, 0);
  assert.ok(deferred > 0);
  for (const chunk of [7, 1000, 1 << 16]) assert.equal(assertLazyMatchesEager(Buffer.concat(own), chunk), deferred, `chunks of ${chunk} bytes`);
});

const flowsOf = (evs: SourceEvent[]): Flow[] => evs.flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));

test("a lab run's lazy flows encode to the bytes of their plain objects and of protobufjs", () => {
  const own = labChunks();
  const fast = flowsOf(decode(own, 0, { eager: false, uuid: counter() }));
  const slow = flowsOf(decode(own, 0, { eager: false, uuid: counter() }));
  const rec = new LazyRecord();
  let direct = 0;
  for (let i = 0; i < fast.length; i++) {
    if (lazyRecord(fast[i]!, rec)) direct++;
    const bytes = Buffer.from(encodeGetFlowsResponse({ kind: 'flow', flow: fast[i]! }, 'lab-node'));
    const ev: SourceEvent = { kind: 'flow', flow: plainFlow(slow[i]!) };
    assert.equal(bytes.toString('hex'), encodeGetFlowsResponse(ev, 'lab-node').toString('hex'), `flow ${i} (${ev.flow.Summary}): the general encoder`);
    assert.equal(bytes.toString('hex'), referenceBytes(ev, 'lab-node').toString('hex'), `flow ${i} (${ev.flow.Summary}): protobufjs`);
  }
  // Conn opens and closes, HTTP and plain L7 flows; drops and DNS take the general encoder.
  assert.ok(direct >= 10 && direct < fast.length, `${direct} of ${fast.length} flows encoded from their records`);
});
