// Lazy flows (the collector's path) checked against eager decoding of the same
// records: shared by the record-fixture test and the lab test (a real run's records).
import assert from 'node:assert/strict';
import { RecordReader } from '../../src/bpf-bridge/records.ts';
import { FlowMapper } from '../../src/bpf-bridge/to-flow.ts';
import type { Flow } from '../../src/model/flow.ts';
import { isDeferred, plainFlow } from '../../src/model/plain-flow.ts';
import type { SourceEvent } from '../../src/model/source.ts';

/** Every top-level Flow field (model/flow.ts), for checking `in` and absent fields. */
export const FLOW_KEYS = [
  'time', 'uuid', 'verdict', 'drop_reason', 'auth_type', 'ethernet', 'IP', 'l4', 'source', 'destination', 'Type', 'node_name',
  'node_labels', 'source_names', 'destination_names', 'l7', 'reply', 'event_type', 'source_service', 'destination_service',
  'traffic_direction', 'policy_match_type', 'trace_observation_point', 'trace_reason', 'drop_reason_desc', 'is_reply',
  'debug_capture_point', 'interface', 'proxy_port', 'socket_cookie', 'cgroup_id', 'Summary', 'egress_allowed_by',
  'ingress_allowed_by', 'egress_denied_by', 'ingress_denied_by', 'policy_log', 'netscope',
] as const;

/**
 * The stream fed through RecordReader.feed + FlowMapper.mapAt, as the collector does:
 * in chunks of `chunk` bytes, or as the given chunks (a recorded run, cut as read).
 */
export function decode(stream: Buffer | Buffer[], chunk: number, opts: { eager: boolean; uuid?: () => string }): SourceEvent[] {
  const m = new FlowMapper({ nodeName: 'node-1', sourceName: 'local', eager: opts.eager, ...(opts.uuid ? { uuid: opts.uuid } : {}) });
  const reader = new RecordReader();
  const out: SourceEvent[] = [];
  const chunks: Buffer[] = [];
  if (Array.isArray(stream)) chunks.push(...stream);
  else for (let off = 0; off < stream.length; off += chunk) chunks.push(stream.subarray(off, off + chunk));
  for (const c of chunks) reader.feed(c, (buf, at, size) => m.mapAt(buf, at, size, (ev) => out.push(ev)));
  m.flush((ev) => out.push(ev));
  return out;
}

export function counter(): () => string {
  let n = 0;
  return () => `u${++n}`;
}

const flowsOf = (evs: SourceEvent[]): Flow[] => evs.flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));

/**
 * Asserts that the lazy flows of `stream` are the eager ones: deep-equal and the same
 * JSON (key order) after materializing, the same value read field by field (read
 * only after the whole stream was decoded, last flow first, so no field can depend
 * on decoding order or on a buffer reused meanwhile), `in` true for exactly the same
 * keys. Returns the number of lazy flows.
 */
export function assertLazyMatchesEager(stream: Buffer | Buffer[], chunk: number): number {
  const lazyEvents = decode(stream, chunk, { eager: false, uuid: counter() });
  const eagerEvents = decode(stream, chunk, { eager: true, uuid: counter() });
  assert.deepEqual(
    lazyEvents.map((e) => e.kind),
    eagerEvents.map((e) => e.kind),
  );
  const lazy = flowsOf(lazyEvents);
  const eager = flowsOf(eagerEvents);
  let deferred = 0;
  for (let i = lazy.length - 1; i >= 0; i--) {
    const l = lazy[i]!;
    const e = eager[i]!;
    const where = `flow ${i} (${e.Summary})`;
    assert.equal(isDeferred(e), false, `${where}: eager gives plain objects`);
    if (isDeferred(l)) deferred++;
    for (const k of FLOW_KEYS) {
      assert.equal(k in l, k in e, `${where}: '${k}' in`);
      assert.deepEqual(l[k], e[k], `${where}: ${k}`);
    }
    assert.deepEqual(plainFlow(l), e, where);
    assert.equal(JSON.stringify(l), JSON.stringify(e), `${where}: JSON, key order`);
    assert.deepEqual(Object.keys(plainFlow(l)), Object.keys(e), `${where}: keys`);
  }
  // The other events (status, lost) are the same too.
  assert.deepEqual(
    lazyEvents.filter((e) => e.kind !== 'flow'),
    eagerEvents.filter((e) => e.kind !== 'flow'),
  );
  return deferred;
}
