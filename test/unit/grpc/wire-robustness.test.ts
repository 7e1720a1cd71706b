// The wire decoder on input a well-behaved encoder does not make: fields out of order,
// unknown fields of every wire type, repeated scalars, split messages, oneof members one
// after another, unknown enum numbers, invalid UTF-8, and malformed bytes. Inputs are
// built with the fake relay's own writer (test/hubble-relay-fake/wire.ts), which shares
// nothing with the codec; where protobufjs follows the spec, its reading is the oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeGetFlowsResponse, encodeGetFlowsResponse, WireError } from '../../../src/grpc/wire/get-flows.ts';
import { Writer } from '../../hubble-relay-fake/wire.ts';
import { demoEvents, edgeEvents, referenceBytes, referenceDecode } from './wire-fixtures.ts';

const W = (): Writer => new Writer();
const ts = (seconds: number, nanos = 0): Writer => W().uint(1, seconds).uint(2, nanos);
const flowResponse = (flow: Writer): Buffer => W().message(1, flow).finish();
const raw = (...parts: (Buffer | number[])[]): Buffer => Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));
const decode = (b: Buffer) => decodeGetFlowsResponse(b);

function unknowns(b: Buffer): string[] {
  const out: string[] = [];
  decodeGetFlowsResponse(b, (f, v) => out.push(`${f}=${v}`));
  return out.sort();
}

test('fields in any order: reversed field order decodes to the same flow', () => {
  const endpoint = W().string(5, 'pod-a').string(4, 'k8s:app=a').string(3, 'ns').uint(2, 7).uint(1, 3);
  const reversed = W()
    .string(34, 'u-1')
    .string(11, 'node-1')
    .message(8, endpoint)
    .uint(2, 2)
    .message(1, ts(1_767_225_600, 5_000_000));
  const inOrder = W()
    .message(1, ts(1_767_225_600, 5_000_000))
    .uint(2, 2)
    .message(8, W().uint(1, 3).uint(2, 7).string(3, 'ns').string(4, 'k8s:app=a').string(5, 'pod-a'))
    .string(11, 'node-1')
    .string(34, 'u-1');
  const want = {
    kind: 'flow',
    flow: {
      time: '2026-01-01T00:00:00.005Z',
      uuid: 'u-1',
      verdict: 'DROPPED',
      source: { ID: 3, identity: 7, namespace: 'ns', labels: ['k8s:app=a'], pod_name: 'pod-a' },
      node_name: 'node-1',
    },
  };
  assert.deepStrictEqual(decode(flowResponse(reversed)), want);
  assert.deepStrictEqual(decode(flowResponse(inOrder)), want);
  // The response's own fields before its flow, too.
  const b = W().string(1000, 'resp-node').message(1001, ts(5)).message(1, W().string(34, 'x')).finish();
  assert.deepStrictEqual(decode(b), { kind: 'flow', flow: { uuid: 'x', time: '1970-01-01T00:00:05Z', node_name: 'resp-node' } });
});

/** Extra fields of every skippable wire type: varint, fixed64, length-delimited, fixed32. */
function extras(field: number): Buffer {
  return raw(
    W().uint(field, 2n ** 63n + 5n).finish(), // a ten-byte varint
    [...varintBytes((field + 1) * 8 + 1), 1, 2, 3, 4, 5, 6, 7, 8],
    W().bytes(field + 2, Buffer.from([0xff, 0x00, 0x80])).finish(), // bytes that would not parse as a message
    [...varintBytes((field + 3) * 8 + 5), 9, 9, 9, 9],
  );
}

function varintBytes(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

test('unknown fields of every wire type are skipped, at every level', () => {
  for (const ev of [...edgeEvents(), ...demoEvents(1, 30).slice(0, 5)]) {
    const clean = referenceBytes(ev);
    const want = referenceDecode(clean);
    // At the end of the response, and at its start.
    assert.deepStrictEqual(decode(raw(clean, extras(5000))), want);
    assert.deepStrictEqual(decode(raw(extras(5000), clean)), want);
  }
  // Inside the flow and inside a nested endpoint, among the known fields.
  const inner = W().uint(1, 3).finish();
  const endpoint = raw(inner, extras(100), W().string(5, 'pod').finish());
  const flow = raw(extras(40), W().bytes(8, endpoint).finish(), extras(600000), W().string(34, 'u').finish());
  const b = W().bytes(1, flow).finish();
  assert.deepStrictEqual(decode(b), { kind: 'flow', flow: { uuid: 'u', source: { ID: 3, pod_name: 'pod' } } });
  assert.deepStrictEqual(decode(b), referenceDecode(b));
});

test('a group (wire types 3/4) is refused with a clear error', () => {
  const b = raw(W().message(1, W().string(34, 'u')).finish(), [(7 << 3) | 3, 0x08, 0x01, (7 << 3) | 4]);
  assert.throws(() => decode(b), (e: Error) => e instanceof WireError && /field 7 at byte \d+ is a group \(wire type 3\): groups are not supported/.test(e.message));
});

test('invalid wire types 6 and 7 are refused', () => {
  for (const wt of [6, 7]) {
    assert.throws(() => decode(Buffer.from([(9 << 3) | wt, 0])), new RegExp(`^WireError: GetFlowsResponse: field 9 at byte 1 has invalid wire type ${wt}$`));
  }
});

test('a known field with the wrong wire type is refused, naming the message and field', () => {
  const b = flowResponse(W().uint(34, 5)); // uuid (a string) sent as a varint
  assert.throws(() => decode(b), /^WireError: GetFlowsResponse: Flow field 34 at byte \d+ has wire type 0/);
});

test('field number 0 is refused', () => {
  assert.throws(() => decode(Buffer.from([0x00, 0x01])), /invalid field number 0 at byte 0/);
});

/** Where the top-level fields of a response end (all of them are length-delimited). */
function fieldEnds(b: Buffer): Set<number> {
  const ends = new Set<number>([0]);
  let i = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const c = b[i++]!;
      v += (c & 127) * mul;
      if (c < 128) return v;
      mul *= 128;
    }
  };
  while (i < b.length) {
    assert.equal(varint() & 7, 2);
    const len = varint();
    i += len;
    ends.add(i);
  }
  return ends;
}

test('every truncation of a valid response is refused, unless it falls between two of its fields', () => {
  // (protobufjs is no oracle here: it reads a varint past the end as zero and goes on.)
  const evs = [...edgeEvents().slice(0, 3), ...edgeEvents().slice(5, 7), ...demoEvents(1, 20).slice(0, 3)];
  let refused = 0;
  for (const ev of evs) {
    const full = encodeGetFlowsResponse(ev, 'n');
    const ends = fieldEnds(full);
    for (let n = 0; n < full.length; n++) {
      const cut = full.subarray(0, n);
      if (ends.has(n)) assert.deepStrictEqual(decode(cut), referenceDecode(cut), `cut at ${n} of ${full.length}`);
      else {
        assert.throws(() => decode(cut), (e: Error) => e instanceof WireError && /runs past the end/.test(e.message), `cut at ${n} of ${full.length}`);
        refused++;
      }
    }
  }
  assert.ok(refused > 1000);
});

test('a length past the end of its message is refused, even when the buffer goes on', () => {
  // An endpoint claiming 50 bytes inside a flow of 4: the bytes after the flow must not be read as the endpoint's.
  const flow = Buffer.from([(8 << 3) | 2, 50, 0x08, 0x01]);
  const b = raw(W().bytes(1, flow).finish(), W().string(1000, 'x'.repeat(60)).finish());
  assert.throws(() => decode(b), /^WireError: GetFlowsResponse: length 50 at byte 3 runs past the end of its message \(byte 6\)$/);
});

test('a varint of more than 10 bytes is refused', () => {
  // A flow whose verdict (field 2) is 11 continuation bytes and a last one.
  const flow = raw([0x0a, 13], [0x10, ...new Array<number>(11).fill(0xff), 0x01]);
  assert.throws(() => decode(flow), /malformed varint at byte 3: more than 10 bytes/);
  // Ten bytes are fine (a negative int32).
  assert.doesNotThrow(() => decode(raw([0x0a, 11], [0x10, ...new Array<number>(9).fill(0xff), 0x01])));
});

test('a repeated scalar: the last value wins, a zero included', () => {
  const b = flowResponse(W().uint(2, 1).uint(3, 133).uint(2, 2).uint(3, 0).string(34, 'a').string(34, 'b'));
  assert.deepStrictEqual(decode(b), { kind: 'flow', flow: { uuid: 'b', verdict: 'DROPPED' } });
  assert.deepStrictEqual(decode(b), referenceDecode(b));
});

test('a message field that comes twice is merged (scalars replaced, repeated fields appended)', () => {
  const split = flowResponse(W().message(8, W().uint(1, 5).string(4, 'k8s:a=1').string(5, 'pod-1')).message(8, W().string(3, 'ns').string(4, 'k8s:b=2').string(5, 'pod-2')));
  const whole = flowResponse(W().message(8, W().uint(1, 5).string(3, 'ns').string(4, 'k8s:a=1').string(4, 'k8s:b=2').string(5, 'pod-2')));
  const want = { kind: 'flow', flow: { source: { ID: 5, namespace: 'ns', labels: ['k8s:a=1', 'k8s:b=2'], pod_name: 'pod-2' } } };
  assert.deepStrictEqual(decode(whole), want);
  assert.deepStrictEqual(decode(whole), referenceDecode(whole));
  // protobufjs replaces the first endpoint with the second here; the spec (and Go) merge.
  assert.deepStrictEqual(decode(split), want);
});

test('split at every level: the flow itself, its l4 TCP (ports, then flags), its time', () => {
  const a = W().message(1, ts(100)).message(6, W().message(1, W().uint(1, 80))).string(34, 'u');
  const b = W().message(1, W().uint(2, 7_000_000)).message(6, W().message(1, W().message(3, W().uint(2, true)))).uint(2, 1);
  const split = W().message(1, a).string(1000, 'n').message(1, b).finish();
  assert.deepStrictEqual(decode(split), {
    kind: 'flow',
    flow: { time: '1970-01-01T00:01:40.007Z', uuid: 'u', verdict: 'FORWARDED', l4: { TCP: { source_port: 80, flags: { SYN: true } } }, node_name: 'n' },
  });
  // The same flow in one piece, read by protobufjs.
  const whole = W().message(1, W().message(1, ts(100, 7_000_000)).uint(2, 1).message(6, W().message(1, W().uint(1, 80).message(3, W().uint(2, true)))).string(34, 'u')).string(1000, 'n').finish();
  assert.deepStrictEqual(decode(split), referenceDecode(whole));
});

test('a oneof: the member read last wins (l4, l7 record, the response type)', () => {
  const l4 = flowResponse(W().message(6, W().message(1, W().uint(1, 80)).message(2, W().uint(2, 53))));
  assert.deepStrictEqual(decode(l4), { kind: 'flow', flow: { l4: { UDP: { destination_port: 53 } } } });
  const l7 = flowResponse(W().message(15, W().message(101, W().uint(1, 200)).message(100, W().string(1, 'q.'))));
  assert.deepStrictEqual(decode(l7), { kind: 'flow', flow: { l7: { dns: { query: 'q.' } } } });
  const resp = W().message(1, W().string(34, 'u')).message(3, W().uint(2, 4)).string(1000, 'n').finish();
  assert.deepStrictEqual(decode(resp), { kind: 'lost', lost: { num_events_lost: 4 }, node_name: 'n', time: undefined });
});

test('unknown enum numbers are left out and reported with the field, as flowFromProto does', () => {
  const flow = W()
    .uint(2, 99)
    .message(5, W().string(1, '10.0.0.1').uint(3, 7))
    .uint(10, 12)
    .message(15, W().uint(1, 9).uint(2, 5))
    .uint(22, 3)
    .uint(24, 77)
    .uint(25, 999)
    .uint(27, 2)
    .uint(35, 8)
    .uint(36, 40)
    .string(34, 'u');
  const b = flowResponse(flow);
  const ref: string[] = [];
  const want = referenceDecode(b, (f, v) => ref.push(`${f}=${v}`));
  assert.deepStrictEqual(decode(b), want);
  assert.deepStrictEqual(unknowns(b), ref.sort());
  assert.equal(ref.length, 10);
  assert.deepStrictEqual(want, { kind: 'flow', flow: { uuid: 'u', IP: { source: '10.0.0.1' }, l7: { latency_ns: 5 } } });
  // A negative enum number (int32 sign-extended to ten bytes), the lost and node-status enums.
  const neg = flowResponse(W().uint(2, 2n ** 64n - 1n));
  assert.deepStrictEqual(unknowns(neg), ['flow.verdict=-1']);
  const lost = W().message(3, W().uint(1, 42).uint(2, 1)).finish();
  assert.deepStrictEqual(unknowns(lost), ['lost_events.source=42']);
  const status = W().message(2, W().uint(1, 17)).finish();
  assert.deepStrictEqual(unknowns(status), ['node_status.state_change=17']);
});

test('invalid UTF-8 becomes U+FFFD, as protobufjs reads it from a Buffer', () => {
  const bad = [Buffer.from([0x61, 0xff, 0x62]), Buffer.from([0xe2, 0x82]), Buffer.from([0xc0, 0xaf, 0x41]), Buffer.from('ok €', 'utf8')];
  for (const s of bad) {
    const b = flowResponse(W().bytes(11, s).bytes(34, s).message(8, W().bytes(4, s)));
    assert.deepStrictEqual(decode(b), referenceDecode(b));
  }
  assert.deepStrictEqual(decode(flowResponse(W().bytes(34, Buffer.from([0x61, 0xff, 0x62])))), { kind: 'flow', flow: { uuid: 'a\uFFFDb' } });
});

test('64-bit integers as numbers, negative int32 as ten-byte varints', () => {
  const ev = {
    kind: 'flow' as const,
    flow: { socket_cookie: 2 ** 53 - 1, l7: { latency_ns: 2 ** 40, kafka: { error_code: -1 } }, netscope: { bytes_sent: 2 ** 50 } },
  };
  const b = encodeGetFlowsResponse(ev, 'n');
  // Kafka.error_code = -1: tag 0x08, then ff x9 01.
  assert.ok(b.toString('hex').includes('08ffffffffffffffffff01'), b.toString('hex'));
  const back = decode(b);
  assert.ok(back?.kind === 'flow');
  assert.equal(back.flow.socket_cookie, 2 ** 53 - 1);
  assert.equal(back.flow.l7?.latency_ns, 2 ** 40);
  assert.equal(back.flow.l7?.kafka?.error_code, -1);
  assert.equal(back.flow.netscope?.bytes_sent, 2 ** 50);
});

test('the encoder refuses netscope-only events', () => {
  assert.throws(() => encodeGetFlowsResponse({ kind: 'status', source: 'demo', state: 'connected' }, 'n'), /status event is netscope's own/);
});

test('an empty response carries no event', () => {
  assert.equal(decode(Buffer.alloc(0)), undefined);
  assert.equal(decode(W().string(1000, 'n').finish()), undefined);
});

test('the decoder\'s endpoint cache: endpoints that differ only in the middle stay apart, and each flow gets its own copy', () => {
  const labels = (mid: string) => ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop', mid, 'k8s:io.cilium.k8s.policy.cluster=default'];
  const ep = (mid: string) => W().uint(1, 11).uint(2, 22).string(3, 'shop').string(4, labels(mid)[0]!).string(4, labels(mid)[1]!).string(4, mid).string(4, labels(mid)[3]!).string(5, 'web-1').message(6, W().string(1, 'web').string(2, 'Deployment')).string(7, 'default');
  const resp = (mid: string) => flowResponse(W().message(8, ep(mid)));
  const want = (mid: string) => ({ kind: 'flow', flow: { source: { ID: 11, identity: 22, cluster_name: 'default', namespace: 'shop', labels: labels(mid), pod_name: 'web-1', workloads: [{ name: 'web', kind: 'Deployment' }] } } });
  for (const mid of ['k8s:tier=aaaa', 'k8s:tier=bbbb', 'k8s:tier=aaaa', 'k8s:tier=cccc', 'k8s:tier=bbbb']) assert.deepStrictEqual(decode(resp(mid)), want(mid));
  const first = decode(resp('k8s:tier=aaaa'));
  assert.ok(first?.kind === 'flow');
  first.flow.source!.labels!.push('mutated');
  first.flow.source!.workloads![0]!.name = 'mutated';
  first.flow.source!.pod_name = 'mutated';
  assert.deepStrictEqual(decode(resp('k8s:tier=aaaa')), want('k8s:tier=aaaa'));
});

test('the encoder\'s endpoint cache: the same pod name with any other field changed is encoded afresh', () => {
  const base = { ID: 1, identity: 2, cluster_name: 'c', namespace: 'ns', labels: ['k8s:a=1', 'k8s:b=2'], pod_name: 'pod-x', workloads: [{ name: 'w', kind: 'Deployment' }] };
  // Each one after base, so it differs from what the cache holds in that one field only.
  const variants = [
    { ...base, ID: 9 },
    { ...base, identity: 9 },
    { ...base, cluster_name: 'd' },
    { ...base, namespace: 'other' },
    { ...base, labels: ['k8s:a=1', 'k8s:b=3'] },
    { ...base, labels: ['k8s:a=1'] },
    { ...base, workloads: [{ name: 'w', kind: 'StatefulSet' }] },
    { ...base, workloads: undefined },
  ].flatMap((v) => [base, v]);
  for (const [i, source] of variants.entries()) {
    const ev = { kind: 'flow' as const, flow: { uuid: `u-${i}`, source, destination: source } };
    assert.equal(encodeGetFlowsResponse(ev, 'n').toString('hex'), referenceBytes(ev, 'n').toString('hex'), `variant ${i}`);
  }
  // A labels array changed in place after it was encoded.
  const labels = ['k8s:a=1'];
  const ev = { kind: 'flow' as const, flow: { source: { pod_name: 'pod-y', labels } } };
  encodeGetFlowsResponse(ev, 'n');
  labels[0] = 'k8s:a=2';
  assert.equal(encodeGetFlowsResponse(ev, 'n').toString('hex'), referenceBytes(ev, 'n').toString('hex'));
});
