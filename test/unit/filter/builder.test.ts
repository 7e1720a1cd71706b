import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseFilterArgs, FilterBuilder, FilterError, rawFiltersText, flowFilterToJSON } from '../../../src/filter/index.ts';
import type { FilterSet } from '../../../src/filter/index.ts';

/** The set as hubble's JSON lines: easy to compare with --print-raw-filters. */
function json(set: FilterSet): { allow: string[]; deny: string[] } {
  return { allow: set.allow.map(flowFilterToJSON), deny: set.deny.map(flowFilterToJSON) };
}

function throwsFilter(args: string[], pattern: RegExp): void {
  assert.throws(
    () => parseFilterArgs(args),
    (err: unknown) => {
      assert.ok(err instanceof FilterError, `expected FilterError, got ${String(err)}`);
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    },
  );
}

test('golden: --verdict DROPPED prints like hubble --print-raw-filters', () => {
  const golden = readFileSync(new URL('../../integration/observe/golden/hubble-print-raw-filters-verdict-dropped.txt', import.meta.url), 'utf8');
  assert.equal(rawFiltersText(parseFilterArgs(['--verdict', 'DROPPED'])), golden);
});

test('no flags: empty set', () => {
  assert.deepEqual(parseFilterArgs([]), { allow: [], deny: [] });
});

test('either-side flags produce a source filter and a destination filter', () => {
  assert.deepEqual(json(parseFilterArgs(['--namespace', 'kube-system'])).allow, [
    '{"source_pod":["kube-system/"]}',
    '{"destination_pod":["kube-system/"]}',
  ]);
  assert.deepEqual(json(parseFilterArgs(['--pod', 'shop/frontend'])).allow, [
    '{"source_pod":["shop/frontend"]}',
    '{"destination_pod":["shop/frontend"]}',
  ]);
  assert.deepEqual(json(parseFilterArgs(['--ip', '10.0.0.1', '--verdict', 'DROPPED'])).allow, [
    '{"source_ip":["10.0.0.1"],"verdict":["DROPPED"]}',
    '{"destination_ip":["10.0.0.1"],"verdict":["DROPPED"]}',
  ]);
  for (const [flag, src, dst, value] of [
    ['label', 'source_label', 'destination_label', 'app=x'],
    ['service', 'source_service', 'destination_service', 'shop/cart'],
    ['fqdn', 'source_fqdn', 'destination_fqdn', '*.example.com'],
    ['port', 'source_port', 'destination_port', '443'],
  ] as const) {
    assert.deepEqual(json(parseFilterArgs([`--${flag}`, value])).allow, [
      JSON.stringify({ [src]: [value] }),
      JSON.stringify({ [dst]: [value] }),
    ]);
  }
  assert.deepEqual(json(parseFilterArgs(['--identity', 'world'])).allow, ['{"source_identity":[2]}', '{"destination_identity":[2]}']);
  assert.deepEqual(json(parseFilterArgs(['--workload', 'Deployment/api'])).allow, [
    '{"source_workload":[{"name":"api","kind":"Deployment"}]}',
    '{"destination_workload":[{"name":"api","kind":"Deployment"}]}',
  ]);
});

test('one-sided flags fill one side in a single filter', () => {
  assert.deepEqual(json(parseFilterArgs(['--from-namespace', 'a', '--to-namespace', 'b'])).allow, [
    '{"source_pod":["a/"],"destination_pod":["b/"]}',
  ]);
  assert.deepEqual(json(parseFilterArgs(['--from-pod', 'shop/frontend', '--to-port', '8080'])).allow, [
    '{"source_pod":["shop/frontend"],"destination_port":["8080"]}',
  ]);
  assert.deepEqual(json(parseFilterArgs(['--from-label', 'app=a', '--to-label', 'app=b'])).allow, [
    '{"source_label":["app=a"],"destination_label":["app=b"]}',
  ]);
});

test('--namespace qualifies bare pod and service names (hubble)', () => {
  assert.deepEqual(json(parseFilterArgs(['-n', 'shop', '--pod', 'cart'])).allow, [
    '{"source_pod":["shop/cart"]}',
    '{"destination_pod":["shop/cart"]}',
  ]);
  assert.deepEqual(json(parseFilterArgs(['-n', 'shop', '--service', 'cart'])).allow, [
    '{"source_service":["shop/cart"]}',
    '{"destination_service":["shop/cart"]}',
  ]);
  assert.deepEqual(json(parseFilterArgs(['--from-namespace', 'a', '--from-namespace', 'b'])).allow, ['{"source_pod":["a/","b/"]}']);
});

test('--not sends the next flag to the deny list; all plain flags to the allow list', () => {
  const set = json(parseFilterArgs(['--verdict', 'DROPPED', '--not', '--namespace', 'kube-system', '--protocol', 'tcp']));
  assert.deepEqual(set.allow, ['{"verdict":["DROPPED"],"protocol":["tcp"]}']);
  assert.deepEqual(set.deny, ['{"source_pod":["kube-system/"]}', '{"destination_pod":["kube-system/"]}']);
  assert.equal(
    rawFiltersText(parseFilterArgs(['--not', '--namespace', 'kube-system'])),
    `denylist:\n    - '{"source_pod":["kube-system/"]}'\n    - '{"destination_pod":["kube-system/"]}'\n`,
  );
});

test('both --flag value and --flag=value; short forms -n x, -n=x, -nx', () => {
  const a = parseFilterArgs(['--verdict', 'DROPPED', '--to-port', '53']);
  const b = parseFilterArgs(['--verdict=DROPPED', '--to-port=53']);
  assert.deepEqual(a, b);
  const n1 = parseFilterArgs(['-n', 'shop']);
  assert.deepEqual(parseFilterArgs(['-n=shop']), n1);
  assert.deepEqual(parseFilterArgs(['-nshop']), n1);
  assert.deepEqual(parseFilterArgs(['--namespace=shop']), n1);
  assert.deepEqual(json(parseFilterArgs(['--http-path=^/a=b$'])).allow, ['{"http_path":["^/a=b$"]}']);
});

test('values are normalized to hubble spellings', () => {
  const set = json(parseFilterArgs([
    '--verdict', 'dropped', '--protocol', 'TCP', '--traffic-direction', 'Ingress', '--ip-version', 'v6',
    '--type', 'trace:to-endpoint', '--tcp-flags', 'syn,ack', '--reply',
  ]));
  assert.deepEqual(set.allow, [
    '{"traffic_direction":["INGRESS"],"verdict":["DROPPED"],"event_type":[{"type":4,"match_sub_type":true}],"protocol":["tcp"],"reply":[true],"tcp_flags":[{"SYN":true,"ACK":true}],"ip_version":["IPv6"]}',
  ]);
  assert.deepEqual(json(parseFilterArgs(['--http-method', 'get'])).allow, ['{"http_method":["GET"]}']);
  assert.deepEqual(json(parseFilterArgs(['--type', 'drop'])).allow, ['{"event_type":[{"type":1}]}']);
  assert.deepEqual(json(parseFilterArgs(['--type', 'trace:from-endpoint'])).allow, ['{"event_type":[{"type":4,"match_sub_type":true,"sub_type":5}]}']);
  assert.deepEqual(json(parseFilterArgs(['--drop-reason-desc', 'policy_denied'])).allow, ['{"drop_reason_desc":["POLICY_DENIED"]}']);
  assert.deepEqual(json(parseFilterArgs(['--reply=false', '-4'])).allow, ['{"reply":[false],"ip_version":["IPv4"]}']);
});

const invalidValues: [string, string, RegExp][] = [
  ['--http-status', '6xx', /^invalid --http-status "6xx": want a code like 404 or a class like 5\+$/],
  ['--http-status', '5++', /--http-status "5\+\+"/],
  ['--verdict', 'ALLOWED', /^invalid --verdict "ALLOWED": want one of FORWARDED, DROPPED/],
  ['--protocol', 'quic', /^invalid --protocol "quic": want one of tcp/],
  ['--port', '70000', /^invalid --port "70000": want a port number/],
  ['--from-port', 'http', /^invalid --from-port "http"/],
  ['--to-port', '-1', /--to-port/],
  ['--ip', '10.0.0.300', /^invalid --ip "10.0.0.300": want an IP address or a CIDR/],
  ['--from-ip', '10.0.0.0/33', /^invalid --from-ip "10.0.0.0\/33": prefix length/],
  ['--to-ip', 'fd00::/129', /--to-ip "fd00::\/129"/],
  ['--snat-ip', 'x', /--snat-ip "x"/],
  ['--type', 'bogus', /^invalid --type "bogus": unknown event type "bogus"/],
  ['--type', 'trace:to-nowhere', /^invalid --type "trace:to-nowhere": unknown sub-type/],
  ['--tcp-flags', 'SYN,FOO', /^invalid --tcp-flags "SYN,FOO": unknown TCP flag "FOO"/],
  ['--traffic-direction', 'sideways', /^invalid --traffic-direction "sideways": want ingress or egress$/],
  ['--ip-version', '5', /^invalid --ip-version "5"/],
  ['--identity', 'nobody', /^invalid --identity "nobody": want a numeric identity or one of host, world/],
  ['--from-identity', '-3', /--from-identity "-3"/],
  ['--label', 'app in (a', /^invalid --label "app in \(a": missing "\)"/],
  ['--from-label', 'app=(x)', /--from-label/],
  ['--to-label', 'app ~ x', /^invalid --to-label "app ~ x": unknown operator/],
  ['-l', '', /^invalid --label "": empty selector$/],
  ['--fqdn', 'exa mple.com', /^invalid --fqdn "exa mple.com": character/],
  ['--to-fqdn', '', /^invalid --to-fqdn "": empty pattern$/],
  ['--node-name', 'a/b/c', /^invalid --node-name "a\/b\/c": too many slashes/],
  ['--http-path', '(', /^invalid --http-path "\(": bad regular expression/],
  ['--http-url', '[a-', /^invalid --http-url "\[a-": bad regular expression/],
  ['--dns-query', '*x', /^invalid --dns-query "\*x": bad regular expression/],
  ['--http-method', 'GE T', /^invalid --http-method "GE T"/],
  ['--http-header', 'novalue', /^invalid --http-header "novalue": want name:value$/],
  ['--namespace', 'Bad_NS', /^invalid --namespace "Bad_NS": want a Kubernetes namespace name$/],
  ['--from-namespace', '', /--from-namespace ""/],
  ['--pod', '', /^invalid --pod "": want \[namespace\/\]name$/],
  ['--to-pod', 'a/b/c', /^invalid --to-pod "a\/b\/c"/],
  ['--from-service', '/x', /^invalid --from-service "\/x": namespace before "\/" is empty$/],
  ['--workload', '/', /^invalid --workload "\/"/],
  ['--to-workload', 'a/b/c', /--to-workload "a\/b\/c"/],
  ['--drop-reason-desc', 'policy denied', /^invalid --drop-reason-desc "policy denied"/],
  ['--uuid', ' ', /^invalid --uuid " "/],
  ['--allowlist', '{"verdict":"DROPPED"}', /^invalid --allowlist .*field "verdict" must be a list$/],
  ['--denylist', '{"colour":["red"]}', /^invalid --denylist .*unknown field "colour"$/],
  ['--allowlist', 'not json', /^invalid --allowlist "not json": not JSON/],
  ['--allowlist', '{"source_ip":["1.2.3"]}', /^invalid --allowlist .*--from-ip "1.2.3"/],
];

for (const [flag, value, pattern] of invalidValues) {
  test(`invalid ${flag} ${JSON.stringify(value)} is a one-line error naming flag and value`, () => {
    throwsFilter([flag, value], pattern);
  });
}

test('bool flags accept =true/=false and reject other values', () => {
  throwsFilter(['--reply=maybe'], /^invalid --reply "maybe": want true or false$/);
  throwsFilter(['--not=true', '--verdict', 'DROPPED'], /^--not takes no value$/);
});

test('unknown flag, stray argument, missing value', () => {
  throwsFilter(['--verdict', 'DROPPED', '--colour', 'red'], /^unknown flag "--colour"$/);
  throwsFilter(['frontend'], /^unexpected argument "frontend"/);
  throwsFilter(['-x'], /^unknown flag "-x"$/);
  throwsFilter(['--verdict'], /^flag --verdict needs a value$/);
  throwsFilter(['--pod', '--verdict', 'DROPPED'], /^flag --pod needs a value \(got the flag "--verdict"\)$/);
});

test('dangling and consecutive --not', () => {
  throwsFilter(['--verdict', 'DROPPED', '--not'], /^--not at the end negates nothing/);
  throwsFilter(['--not', '--not', '--verdict', 'DROPPED'], /^consecutive --not/);
  throwsFilter(['--not', '-A'], /^--not cannot negate --all-namespaces$/);
});

test('conflicting flags are rejected as hubble does', () => {
  throwsFilter(['--label', 'a=b', '--from-label', 'c=d'], /^filters --label and --from-label cannot be combined$/);
  throwsFilter(['--ip', '1.2.3.4', '--namespace', 'x'], /^filters --ip and --namespace cannot be combined$/);
  throwsFilter(['-n', 'shop', '--to-pod', 'x'], /^filters --namespace and --to-pod cannot be combined$/);
  throwsFilter(['-A', '-n', 'shop'], /^filters --all-namespaces and --namespace cannot be combined$/);
  throwsFilter(['--port', '80', '--to-port', '81'], /cannot be combined/);
  // the same flags on different lists do not conflict
  assert.doesNotThrow(() => parseFilterArgs(['--label', 'a=b', '--not', '--from-label', 'c=d']));
});

test('namespace conflicts name both values', () => {
  throwsFilter(['-n', 'shop', '--pod', 'other/x'], /^namespace conflict: --namespace "shop" does not contain "other\/x"$/);
  throwsFilter(['--from-namespace', 'a', '--pod', 'b/x'], /^namespace conflict: --from-namespace "a" does not contain "b\/x"$/);
  throwsFilter(['--from-pod', 'a/x', '--from-service', 'b/y'], /^namespace conflict: service "b\/y" is not in the namespace of pod "a\/x"$/);
});

test('HTTP filters with a non-L7 --type are rejected (hubble)', () => {
  throwsFilter(['--type', 'drop', '--http-status', '5+'], /^filter --http-status needs --type l7/);
  assert.doesNotThrow(() => parseFilterArgs(['--type', 'l7', '--http-status', '5+']));
});

test('-A means no namespace restriction and overrides a default namespace', () => {
  const b = new FilterBuilder({ defaultNamespace: 'shop' });
  let i = 0;
  const argv = ['-A', '--verdict', 'DROPPED'];
  while (i < argv.length) i = b.consume(argv, i);
  assert.equal(b.allNamespaces, true);
  assert.deepEqual(json(b.build()).allow, ['{"verdict":["DROPPED"]}']);
  assert.deepEqual(parseFilterArgs(['-A']), { allow: [], deny: [] });
});

test('a default namespace restricts either side, or qualifies bare names, or steps aside', () => {
  const opt = { defaultNamespace: 'shop' };
  assert.deepEqual(json(parseFilterArgs([], opt)).allow, ['{"source_pod":["shop/"]}', '{"destination_pod":["shop/"]}']);
  assert.deepEqual(json(parseFilterArgs(['--verdict', 'DROPPED'], opt)).allow, [
    '{"source_pod":["shop/"],"verdict":["DROPPED"]}',
    '{"destination_pod":["shop/"],"verdict":["DROPPED"]}',
  ]);
  assert.deepEqual(json(parseFilterArgs(['--to-pod', 'cart', '--from-pod', 'web/front'], opt)).allow, [
    '{"source_pod":["web/front"],"destination_pod":["shop/cart"]}',
  ]);
  assert.deepEqual(json(parseFilterArgs(['--to-ip', '10.0.0.1'], opt)).allow, ['{"destination_ip":["10.0.0.1"]}']);
  assert.deepEqual(json(parseFilterArgs(['-n', 'other'], opt)).allow, ['{"source_pod":["other/"]}', '{"destination_pod":["other/"]}']);
  assert.deepEqual(json(parseFilterArgs(['--from-namespace', 'other'], opt)).allow, ['{"source_pod":["other/"]}']);
  // negated flags are not affected by the default namespace
  assert.deepEqual(json(parseFilterArgs(['--not', '--to-pod', 'x'], opt)).deny, ['{"destination_pod":["x"]}']);
});

test('consume hands over one flag at a time and returns the next index', () => {
  const b = new FilterBuilder();
  const argv = ['observe', '--verdict', 'DROPPED', '-o', 'json', '--to-port=53', '--not', '-n', 'kube-system'];
  assert.equal(b.consume(argv, 1), 3);
  assert.equal(b.consume(argv, 5), 6);
  assert.equal(b.consume(argv, 6), 7);
  assert.equal(b.consume(argv, 7), 9);
  assert.deepEqual(json(b.build()), {
    allow: ['{"verdict":["DROPPED"],"destination_port":["53"]}'],
    deny: ['{"source_pod":["kube-system/"]}', '{"destination_pod":["kube-system/"]}'],
  });
  // build does not consume state: calling it twice gives the same set
  assert.deepEqual(b.build(), b.build());
});

test('--allowlist/--denylist take hubble JSON filters', () => {
  const set = parseFilterArgs(['--allowlist', '{"source_pod":["kube-system/"],"verdict":["DROPPED",2]}', '--denylist', '{"event_type":[{"type":4,"match_sub_type":true}]}']);
  assert.deepEqual(set, {
    allow: [{ source_pod: ['kube-system/'], verdict: ['DROPPED', 'DROPPED'] }],
    deny: [{ event_type: [{ type: 4, match_sub_type: true, sub_type: 0 }] }],
  });
});

test('flowFilterFromObject takes decoded gRPC messages: enum numbers, empty defaults, unknown empty fields', async () => {
  const { flowFilterFromObject, compileFilterSet: compile } = await import('../../../src/filter/index.ts');
  const ff = flowFilterFromObject({
    verdict: [2],
    traffic_direction: ['EGRESS'],
    source_pod: [],
    event_type: [{ type: 4, match_sub_type: false, sub_type: 0 }],
    tcp_flags: [{ SYN: true, ACK: false }],
    ip_trace_id: [],
    experimental: null,
  });
  assert.deepEqual(ff, { verdict: ['DROPPED'], traffic_direction: ['EGRESS'], event_type: [{ type: 4, match_sub_type: false, sub_type: 0 }], tcp_flags: [{ SYN: true }] });
  assert.equal(compile({ allow: [ff], deny: [] })({ verdict: 'DROPPED', traffic_direction: 'EGRESS', event_type: { type: 4 }, l4: { TCP: { flags: { SYN: true } } } }), true);
  assert.throws(() => flowFilterFromObject({ experimental: { cel_expression: ['x'] } }), /^FilterError: invalid FlowFilter: unknown field "experimental"$|unknown field "experimental"/);
  assert.throws(() => flowFilterFromObject({ verdict: [99] }), /field "verdict" has a value of the wrong type/);
});

test('error messages show control characters in values as visible escapes', () => {
  throwsFilter(['--label', 'a\u001b[2Jb=x'], /\\e\[2J/);
  throwsFilter(['--verdict', 'X\u0007'], /^invalid --verdict "X\\x07"/);
  assert.throws(() => parseFilterArgs(['--colour\u001b]0;t\u0007']), (e: unknown) => e instanceof FilterError && !/[\u0000-\u001f]/.test(e.message));
});
