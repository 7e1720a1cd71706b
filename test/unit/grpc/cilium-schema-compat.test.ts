// A netscope-served Flow read by a client that knows only Cilium's schema (as the hubble
// CLI does): netscope's extra field 480000 is skipped as unknown, every standard field
// still decodes, and the JSON form carries no netscope data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { buildRoot } from '../../../src/grpc/schema.ts';
import { PROTO_FILES } from '../../../src/grpc/proto/schema.ts';
import { T } from '../../../src/grpc/schema.ts';
import { eventFromResponse, eventToResponse } from '../../../src/grpc/flow-mapping.ts';
import { decodeHubbleLine } from '../../../src/codec/hubble-json-decode.ts';
import { encodeEvent } from '../../../src/codec/hubble-json-encode.ts';
import type { SourceEvent } from '../../../src/model/source.ts';

const NETSCOPE_FIELD = '    netscope.v1.FlowExtension netscope = 480000;\n';
const NETSCOPE_IMPORT = 'import "netscope.proto";\n';

function ciliumOnlyRoot() {
  const flow = PROTO_FILES['flow.proto']!;
  assert.ok(flow.includes(NETSCOPE_FIELD) && flow.includes(NETSCOPE_IMPORT), 'flow.proto still has the netscope field to strip');
  const files = { ...PROTO_FILES, 'flow.proto': flow.replace(NETSCOPE_FIELD, '').replace(NETSCOPE_IMPORT, '') };
  return buildRoot(files, ['relay.proto', 'flow.proto', 'observer.proto']);
}

const GOLDEN = new URL('../../integration/observe/golden/flows.jsonl', import.meta.url).pathname;

test('Flow field 480000 collides with no field of Cilium\'s Flow', () => {
  const cilium = ciliumOnlyRoot().lookupType('flow.Flow');
  assert.equal(cilium.fieldsById[480000], undefined);
  assert.equal(T.Flow.fieldsById[480000]?.name, 'netscope');
});

test('every golden flow, with netscope data added, decodes under Cilium\'s schema alone without it', () => {
  const Response = ciliumOnlyRoot().lookupType('observer.GetFlowsResponse');
  const lines = fs.readFileSync(GOLDEN, 'utf8').trimEnd().split('\n');
  let flows = 0;
  for (const [i, line] of lines.entries()) {
    const ev = decodeHubbleLine(line)!;
    if (ev.kind !== 'flow') continue;
    flows++;
    const withExt: SourceEvent = { kind: 'flow', flow: { ...ev.flow, netscope: { pid: 7, comm: 'nginx', bytes_sent: 1234, connect_latency_ns: 250_000 } } };
    const bytes = T.GetFlowsResponse.encode(eventToResponse(withExt)!).finish();
    const msg = Response.decode(bytes);
    const json = JSON.stringify(Response.toObject(msg, { enums: String, longs: String, defaults: false }));
    assert.ok(!json.includes('netscope') && !json.includes('nginx'), `line ${i + 1}: no netscope data in Cilium's view`);
    const seen = eventFromResponse(msg as unknown as Record<string, unknown>)!;
    // Same JSON (hubble's -o json) as the flow had before netscope data was added.
    assert.equal(encodeEvent(seen), encodeEvent(ev), `line ${i + 1}: every standard field`);
  }
  assert.ok(flows >= 5, 'the golden file has flows');
});
