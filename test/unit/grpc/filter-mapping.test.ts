// FlowFilter through protobuf: what the flags build survives the wire unchanged, and a
// filter the compiler cannot honour is refused, not widened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilterArgs, FilterError } from '../../../src/filter/index.ts';
import { T } from '../../../src/grpc/schema.ts';
import { filterSetFromRequest, filterSetToRequest } from '../../../src/grpc/filter-mapping.ts';

function viaWire(args: string[]) {
  const set = parseFilterArgs(args);
  const req = T.GetFlowsRequest.decode(T.GetFlowsRequest.encode({ follow: true, ...filterSetToRequest(set) }).finish());
  return { set, back: filterSetFromRequest(req as unknown as Record<string, unknown>) };
}

const CASES: string[][] = [
  ['--verdict', 'DROPPED', '--namespace', 'shop'],
  ['--from-pod', 'shop/frontend', '--to-port', '6379', '--protocol', 'tcp'],
  ['--not', '--verdict', 'FORWARDED', '--traffic-direction', 'ingress'],
  ['--drop-reason-desc', 'POLICY_DENIED', '--tcp-flags', 'SYN,ACK', '--ip-version', '6'],
  ['--http-status', '5+', '--http-method', 'GET', '--http-path', '/api/.*', '--reply'],
  ['--from-workload', 'Deployment/frontend', '--to-identity', '42', '--type', 'trace:to-endpoint'],
  ['--node-name', 'kind-*', '--from-label', 'app in (a,b)', '--fqdn', '*.example.com'],
];

for (const args of CASES) {
  test(`${args.join(' ')}: the same FilterSet after the wire`, () => {
    const { set, back } = viaWire(args);
    assert.deepEqual(back, set);
    assert.ok(set.allow.length + set.deny.length > 0, 'the case builds a filter');
  });
}

test('an enum number this build does not know is refused, not dropped (that would widen the filter)', () => {
  const bytes = T.GetFlowsRequest.encode({ whitelist: [{ drop_reason_desc: [9999] }] }).finish();
  const req = T.GetFlowsRequest.decode(bytes) as unknown as Record<string, unknown>;
  assert.throws(() => filterSetFromRequest(req), FilterError);
});
