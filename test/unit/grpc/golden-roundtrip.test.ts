// The golden proof of the protobuf mapping: every golden input line, JSON -> model ->
// GetFlowsResponse bytes -> model -> printer, prints the same bytes as JSON -> printer
// (and so as the real hubble CLI, which the golden files come from).
process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { decodeHubbleLine } from '../../../src/codec/hubble-json-decode.ts';
import type { PrinterOptions } from '../../../src/printer/index.ts';
import { GOLDEN, GOLDEN_CASES, goldenLines, renderEvents } from '../printer/render.ts';
import { canonicalTimestamp } from '../../../src/codec/timestamp.ts';
import type { SourceEvent } from '../../../src/model/source.ts';
import { T } from '../../../src/grpc/schema.ts';
import { eventFromResponse, eventToResponse } from '../../../src/grpc/flow-mapping.ts';

const lines = goldenLines();

function viaProtobuf(line: string): SourceEvent {
  const ev = decodeHubbleLine(line)!;
  const bytes = T.GetFlowsResponse.encode(eventToResponse(ev)!).finish();
  const unknown: string[] = [];
  const back = eventFromResponse(T.GetFlowsResponse.decode(bytes) as unknown as Record<string, unknown>, (f, v) => unknown.push(`${f}=${v}`));
  assert.deepEqual(unknown, [], 'no enum value got lost on the way');
  return back!;
}

const render = (opts: Partial<PrinterOptions>, events: SourceEvent[]) => renderEvents(events, opts);
const cases = GOLDEN_CASES;

const direct = lines.map((l) => decodeHubbleLine(l)!);
const roundTripped = lines.map(viaProtobuf);

for (const [file, opts] of cases) {
  test(`${file}: JSON -> protobuf -> printer gives the same bytes as JSON -> printer`, () => {
    const a = render(opts, direct);
    const b = render(opts, roundTripped);
    assert.equal(b.out, a.out);
    assert.equal(b.out, fs.readFileSync(`${GOLDEN}/${file}`, 'utf8'));
    assert.equal(b.err, '');
  });
}

/** proto3 cannot tell a zero scalar from an absent one (wrapper types can): drop them from the JSON side. */
function withoutZeros<V>(v: V): V {
  if (Array.isArray(v)) return v.map((x) => withoutZeros(x)) as V;
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const wrapper = k === 'is_reply' || k === 'cpu';
    if (!wrapper && (x === 0 || x === '' || x === false || (Array.isArray(x) && x.length === 0))) continue;
    out[k] = withoutZeros(x);
  }
  return out as V;
}

test('every golden event comes back as the same model value (times in protojson spelling)', () => {
  for (let i = 0; i < lines.length; i++) {
    const want = decodeHubbleLine(lines[i]!)!;
    // protobuf carries the instant, not its spelling: 10:00:01.000Z comes back as 10:00:01Z.
    if (want.kind === 'flow' && want.flow.time !== undefined) want.flow.time = canonicalTimestamp(want.flow.time);
    if ((want.kind === 'lost' || want.kind === 'node-status') && want.time !== undefined) want.time = canonicalTimestamp(want.time);
    assert.deepEqual(roundTripped[i], withoutZeros(want), `line ${i + 1}`);
  }
});
