import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilterArgs, filterSetToArgs, tokenize, shellQuote } from '../../../src/filter/index.ts';
import type { FilterSet } from '../../../src/filter/index.ts';

const samples: string[][] = [
  [],
  ['--verdict', 'DROPPED'],
  ['--verdict', 'DROPPED', '--verdict', 'ERROR'],
  ['--namespace', 'shop'],
  ['-n', 'a', '-n', 'b', '--protocol', 'tcp'],
  ['--from-namespace', 'a', '--to-namespace', 'b'],
  ['--pod', 'shop/frontend', '--port', '8080'],
  ['-n', 'shop', '--pod', 'cart', '--service', 'cartservice'],
  ['--from-pod', 'shop/frontend', '--to-pod', 'shop/cart', '--verdict', 'DROPPED'],
  ['--ip', '10.0.0.0/8', '--ip', 'fd00::1'],
  ['--from-ip', '10.0.0.1', '--to-fqdn', '*.example.com'],
  ['--snat-ip', '192.168.1.1'],
  ['--label', 'k8s:app in (a, b)', '--label', '!canary'],
  ['--from-label', 'app=a', '--to-label', 'app=b'],
  ['--service', 'shop/cart'],
  ['--from-service', 'shop/front', '--to-service', 'shop/cart'],
  ['--workload', 'Deployment/api', '--workload', 'db'],
  ['--from-workload', 'StatefulSet/', '--to-workload', 'web'],
  ['--fqdn', 'api.github.com'],
  ['--identity', 'world', '--identity', '12345'],
  ['--from-identity', 'host', '--to-identity', '7'],
  ['--from-port', '1234', '--to-port', '53'],
  ['--protocol', 'udp', '--protocol', 'dns'],
  ['--drop-reason-desc', 'POLICY_DENIED'],
  ['--type', 'trace:to-endpoint', '--type', 'drop', '--type', 'l7', '--type', 'drop:133', '--type', 'sock'],
  ['--http-status', '5+', '--http-status', '404', '--http-method', 'POST', '--http-path', '^/api', '--http-url', 'x=1&y', '--http-header', 'k:v'],
  ['--dns-query', '.*\\.cluster\\.local\\.$'],
  ['--tcp-flags', 'SYN', '--tcp-flags', 'SYN,ACK'],
  ['--node-name', 'prod/worker-*', '--node-label', 'zone=a'],
  ['--traffic-direction', 'ingress', '--ip-version', '6', '-4'],
  ['--reply', '--uuid', 'abc'],
  ['--reply=false'],
  ['--cluster', 'east', '--interface', 'eth0', '--encrypted'],
  ['--from-cluster', 'a', '--to-cluster', 'b', '--unencrypted'],
  ['--allowlist', '{"interface":[{"index":4}]}'],
  ['--not', '--verdict', 'FORWARDED'],
  ['-n', 'shop', '--not', '--to-port', '53', '--not', '--protocol', 'udp'],
  ['--not', '--pod', 'kube-system/coredns', '--not', '--http-status', '2+'],
  ['--from-namespace', 'a', '--pod', 'x'],
  ['--to-namespace', 'b', '--service', 'svc', '--verdict', 'DROPPED'],
  ['--from-namespace', 'a', '--to-namespace', 'b', '--label', 'app=x'],
  ['--not', '--from-namespace', 'a', '--not', '--workload', 'w'],
  ['--allowlist', '{"source_pod":["a/"],"verdict":["DROPPED"]}', '--denylist', '{"protocol":["udp"]}'],
];

for (const args of samples) {
  test(`round trip: ${args.join(' ') || '(none)'}`, () => {
    const set = parseFilterArgs(args);
    const back = filterSetToArgs(set);
    assert.deepEqual(parseFilterArgs(back), set);
  });
}

test('readable forms are used where they exist', () => {
  assert.deepEqual(filterSetToArgs(parseFilterArgs(['-n', 'shop', '--verdict', 'DROPPED'])), ['--namespace', 'shop', '--verdict', 'DROPPED']);
  assert.deepEqual(filterSetToArgs(parseFilterArgs(['--from-namespace', 'a'])), ['--from-namespace', 'a']);
  assert.deepEqual(filterSetToArgs(parseFilterArgs(['--not', '--to-pod', 'x/y'])), ['--not', '--to-pod', 'x/y']);
  assert.deepEqual(filterSetToArgs(parseFilterArgs(['--type', 'trace:to-endpoint'])), ['--type', 'trace:to-endpoint']);
  // namespace flags are recovered from the pod names they qualified
  assert.deepEqual(filterSetToArgs(parseFilterArgs(['--from-namespace', 'a', '--pod', 'x'])), ['--from-namespace', 'a', '--pod', 'x']);
  assert.deepEqual(filterSetToArgs(parseFilterArgs(['--not', '--to-namespace', 'b', '--not', '--service', 'svc'])), ['--not', '--to-namespace', 'b', '--not', '--service', 'svc']);
  assert.deepEqual(filterSetToArgs(parseFilterArgs(['--from-namespace', 'a', '--to-namespace', 'b', '--label', 'app=x'])), ['--from-namespace', 'a', '--to-namespace', 'b', '--label', 'app=x']);
});

test('sets that flags cannot express fall back to exact --allowlist/--denylist JSON', () => {
  const set: FilterSet = {
    allow: [{ verdict: ['DROPPED'] }, { protocol: ['udp'] }, { source_pod: ['a/'] }],
    deny: [{ reply: [true] }],
  };
  const args = filterSetToArgs(set);
  assert.deepEqual(args, [
    '--allowlist', '{"verdict":["DROPPED"]}',
    '--allowlist', '{"protocol":["udp"]}',
    '--allowlist', '{"source_pod":["a/"]}',
    '--denylist', '{"reply":[true]}',
  ]);
  assert.deepEqual(parseFilterArgs(args), set);
});

test('shellQuote + tokenize give the argv back (for showing a command line)', () => {
  const args = filterSetToArgs(parseFilterArgs(['--label', "k8s:app in (a, b)", '--http-path', "^/it's$", '--allowlist', '{"protocol":["udp"]}']));
  const line = args.map(shellQuote).join(' ');
  assert.deepEqual(tokenize(line), args);
});
