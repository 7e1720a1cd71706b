import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseFilterArgs, compileFilterSet } from '../../../src/filter/index.ts';
import type { Flow } from '../../../src/model/flow.ts';

function matches(args: string[], flow: Flow): boolean {
  return compileFilterSet(parseFilterArgs(args))(flow);
}

const tcp = (sport: number, dport: number, flags: Record<string, boolean> = {}): Flow['l4'] => ({
  TCP: { source_port: sport, destination_port: dport, flags },
});

const frontend: Flow['source'] = {
  identity: 12345,
  namespace: 'shop',
  pod_name: 'frontend-7d9c8-abcde',
  labels: ['k8s:app=frontend', 'k8s:tier=web', 'k8s:io.kubernetes.pod.namespace=shop'],
  workloads: [{ name: 'frontend', kind: 'Deployment' }],
};
const cart: Flow['destination'] = {
  identity: 23456,
  namespace: 'shop',
  pod_name: 'cartservice-5f6d-xyz12',
  labels: ['k8s:app=cartservice', 'k8s:version=2'],
  workloads: [{ name: 'cartservice', kind: 'StatefulSet' }],
};

const base: Flow = {
  uuid: 'u-1',
  verdict: 'FORWARDED',
  IP: { source: '10.0.1.5', destination: '10.0.2.9', ipVersion: 'IPv4' },
  l4: tcp(43210, 7070, { SYN: true }),
  source: frontend,
  destination: cart,
  node_name: 'worker-1',
  node_labels: ['kubernetes.io/os=linux'],
  event_type: { type: 4, sub_type: 0 },
  destination_service: { name: 'cartservice', namespace: 'shop' },
  traffic_direction: 'EGRESS',
  is_reply: false,
};

const with_ = (patch: Partial<Flow>): Flow => ({ ...base, ...patch });

// [args, a flow that matches, a flow that does not]
const cases: [string[], Flow, Flow][] = [
  [['--namespace', 'shop'], base, with_({ source: { namespace: 'a', pod_name: 'x' }, destination: { namespace: 'b', pod_name: 'y' } })],
  [['-n', 'shop'], with_({ source: { namespace: 'other', pod_name: 'x' } }), with_({ source: { namespace: 'a', pod_name: 'x' }, destination: { namespace: 'b', pod_name: 'y' } })],
  [['--from-namespace', 'shop'], base, with_({ source: { namespace: 'other', pod_name: 'x' } })],
  [['--to-namespace', 'shop'], base, with_({ destination: { namespace: 'other', pod_name: 'x' } })],
  [['--pod', 'shop/cartservice'], base, with_({ destination: { namespace: 'shop', pod_name: 'checkout-1' } })],
  [['--pod', 'shop/frontend'], base, with_({ source: { namespace: 'shop', pod_name: 'x' } })],
  [['--from-pod', 'shop/frontend'], base, with_({ source: cart, destination: frontend })],
  [['--to-pod', 'shop/cart'], base, with_({ source: cart, destination: frontend })],
  [['--from-pod', 'frontend'], with_({ source: { namespace: 'default', pod_name: 'frontend-1' } }), base],
  [['--from-pod', 'shop/'], base, with_({ source: { namespace: 'shopping', pod_name: 'frontend' } })],
  [['--ip', '10.0.2.9'], base, with_({ IP: { source: '10.0.9.9', destination: '10.0.9.8' } })],
  [['--from-ip', '10.0.1.0/24'], base, with_({ IP: { source: '10.0.2.5', destination: '10.0.1.9' } })],
  [['--to-ip', '10.0.0.0/16'], base, with_({ IP: { source: '10.0.1.5', destination: '10.1.0.1' } })],
  [['--to-ip', 'fd00::/8'], with_({ IP: { source: 'fd00::1', destination: 'fd00::2', ipVersion: 'IPv6' } }), base],
  [['--from-ip', '2001:db8::1'], with_({ IP: { source: '2001:0db8:0:0:0:0:0:1', destination: '::1' } }), base],
  [['--snat-ip', '192.168.0.1'], with_({ IP: { ...base.IP, source_xlated: '192.168.0.1' } }), base],
  [['--ipv4'], base, with_({ IP: { source: 'fd00::1', destination: 'fd00::2', ipVersion: 'IPv6' } })],
  [['-6'], with_({ IP: { source: 'fd00::1', destination: 'fd00::2', ipVersion: 'IPv6' } }), base],
  [['--ip-version', '4'], base, with_({ IP: { ipVersion: 'IPv6' } })],
  [['--label', 'app=cartservice'], base, with_({ destination: { labels: ['k8s:app=other'] } })],
  [['-l', 'k8s:app=frontend'], base, with_({ source: { labels: ['container:app=frontend'] } })],
  [['--from-label', 'app in (frontend, checkout)'], base, with_({ source: { labels: ['k8s:app=cart'] } })],
  [['--from-label', 'app notin (frontend)'], with_({ source: { labels: ['k8s:app=cart'] } }), base],
  [['--to-label', '!canary'], base, with_({ destination: { labels: ['k8s:canary'] } })],
  [['--to-label', 'version'], base, with_({ destination: { labels: ['k8s:app=x'] } })],
  [['--to-label', 'app!=frontend,version==2'], base, with_({ destination: { labels: ['k8s:app=cartservice', 'k8s:version=3'] } })],
  [['--from-label', 'reserved:world'], with_({ source: { labels: ['reserved:world'] } }), base],
  [['--service', 'shop/cartservice'], base, with_({ destination_service: { name: 'checkout', namespace: 'shop' } })],
  [['--to-service', 'shop/cart'], base, with_({ destination_service: undefined })],
  [['--from-service', 'shop/front'], with_({ source_service: { name: 'frontend', namespace: 'shop' } }), base],
  [['--workload', 'frontend'], base, with_({ source: { workloads: [{ name: 'x', kind: 'Deployment' }] } })],
  [['--from-workload', 'Deployment/frontend'], base, with_({ source: { workloads: [{ name: 'frontend', kind: 'DaemonSet' }] } })],
  [['--to-workload', 'StatefulSet/'], base, with_({ destination: { workloads: [{ name: 'cartservice', kind: 'Deployment' }] } })],
  [['--fqdn', '*.github.com'], with_({ destination_names: ['api.github.com'] }), with_({ destination_names: ['github.com.evil.io'] })],
  [['--to-fqdn', 'API.GitHub.com.'], with_({ destination_names: ['api.github.com'] }), base],
  [['--from-fqdn', 'db.*'], with_({ source_names: ['db.internal.example'] }), with_({ source_names: ['mydb.internal'] })],
  [['--identity', '23456'], base, with_({ source: { identity: 1 }, destination: { identity: 2 } })],
  [['--from-identity', 'world'], with_({ source: { identity: 2 } }), base],
  [['--to-identity', 'reserved:host'], with_({ destination: { identity: 1 } }), base],
  [['--port', '7070'], base, with_({ l4: tcp(1, 2) })],
  [['--from-port', '43210'], base, with_({ l4: tcp(7070, 43210) })],
  [['--to-port', '53'], with_({ l4: { UDP: { source_port: 5000, destination_port: 53 } } }), base],
  [['--protocol', 'tcp'], base, with_({ l4: { UDP: { source_port: 1, destination_port: 2 } } })],
  [['--protocol', 'UDP'], with_({ l4: { UDP: {} } }), base],
  [['--protocol', 'icmp'], with_({ l4: { ICMPv6: { type: 128 } } }), base],
  [['--protocol', 'icmpv4'], with_({ l4: { ICMPv4: { type: 8 } } }), with_({ l4: { ICMPv6: { type: 128 } } })],
  [['--protocol', 'sctp'], with_({ l4: { SCTP: {} } }), base],
  [['--protocol', 'http'], with_({ l7: { http: { code: 200 } } }), base],
  [['--protocol', 'dns'], with_({ l7: { dns: { query: 'a.' } } }), with_({ l7: { http: {} } })],
  [['--protocol', 'kafka'], with_({ l7: { kafka: { topic: 't' } } }), base],
  [['--verdict', 'FORWARDED'], base, with_({ verdict: 'DROPPED' })],
  [['--verdict', 'dropped'], with_({ verdict: 'DROPPED' }), base],
  [['--drop-reason-desc', 'POLICY_DENIED'], with_({ verdict: 'DROPPED', drop_reason_desc: 'POLICY_DENIED' }), with_({ verdict: 'DROPPED', drop_reason_desc: 'CT_MAP_INSERTION_FAILED' })],
  [['--type', 'trace'], base, with_({ event_type: { type: 1, sub_type: 133 } })],
  [['--type', 'drop'], with_({ event_type: { type: 1, sub_type: 133 } }), base],
  [['-t', 'trace:to-endpoint'], base, with_({ event_type: { type: 4, sub_type: 5 } })],
  [['--type', 'trace:from-endpoint'], with_({ event_type: { type: 4, sub_type: 5 } }), base],
  [['--type', 'l7'], with_({ event_type: { type: 129 } }), base],
  [['--type', 'policy-verdict'], with_({ event_type: { type: 5 } }), base],
  [['--type', 'capture'], with_({ event_type: { type: 3 } }), base],
  [['--type', 'debug'], with_({ event_type: { type: 2 } }), base],
  [['--type', 'sock'], with_({ event_type: { type: 7 } }), base],
  [['--type', 'drop:133'], with_({ event_type: { type: 1, sub_type: 133 } }), with_({ event_type: { type: 1, sub_type: 134 } })],
  [['--http-status', '503'], with_({ l7: { http: { code: 503 } } }), with_({ l7: { http: { code: 500 } } })],
  [['--http-status', '5+'], with_({ l7: { http: { code: 502 } } }), with_({ l7: { http: { code: 404 } } })],
  [['--http-status', '40+'], with_({ l7: { http: { code: 404 } } }), with_({ l7: { http: { code: 410 } } })],
  [['--http-method', 'get'], with_({ l7: { http: { method: 'GET' } } }), with_({ l7: { http: { method: 'POST' } } })],
  [['--http-path', '^/api/v[0-9]+/cart$'], with_({ l7: { http: { url: 'http://cart:7070/api/v1/cart?x=1' } } }), with_({ l7: { http: { url: 'http://cart/api/v1/cart/items' } } })],
  [['--http-path', '^/a b$'], with_({ l7: { http: { url: '/a%20b' } } }), with_({ l7: { http: { url: '/ab' } } })],
  [['--http-url', 'cart:7070'], with_({ l7: { http: { url: 'http://cart:7070/x' } } }), with_({ l7: { http: { url: 'http://cart:80/x' } } })],
  [['--http-header', 'x-user:alice'], with_({ l7: { http: { headers: [{ key: 'x-user', value: 'alice' }] } } }), with_({ l7: { http: { headers: [{ key: 'x-user', value: 'bob' }] } } })],
  [['--dns-query', 'svc\\.cluster\\.local\\.$'], with_({ l7: { dns: { query: 'cart.shop.svc.cluster.local.' } } }), with_({ l7: { dns: { query: 'example.com.' } } })],
  [['--tcp-flags', 'SYN'], base, with_({ l4: tcp(1, 2, { ACK: true }) })],
  [['--tcp-flags', 'syn,ack'], with_({ l4: tcp(1, 2, { SYN: true, ACK: true }) }), base],
  [['--node-name', 'worker-*'], base, with_({ node_name: 'master-1' })],
  [['--node-name', 'prod/worker-1'], with_({ node_name: 'prod/worker-1' }), base],
  [['--node-name', 'default/worker-1'], base, with_({ node_name: 'prod/worker-1' })],
  [['--node-label', 'kubernetes.io/os=linux'], base, with_({ node_labels: ['kubernetes.io/os=windows'] })],
  [['--traffic-direction', 'egress'], base, with_({ traffic_direction: 'INGRESS' })],
  [['--reply'], with_({ is_reply: true }), base],
  [['--reply=false'], base, with_({ is_reply: true })],
  [['--uuid', 'u-1'], base, with_({ uuid: 'u-2' })],
];

for (const [args, yes, no] of cases) {
  test(`${args.join(' ')}: matches and rejects`, () => {
    assert.equal(matches(args, yes), true, 'expected a match');
    assert.equal(matches(args, no), false, 'expected no match');
  });
}

test('different flags AND together', () => {
  const args = ['--verdict', 'DROPPED', '--protocol', 'tcp'];
  assert.equal(matches(args, with_({ verdict: 'DROPPED' })), true);
  assert.equal(matches(args, with_({ verdict: 'FORWARDED' })), false);
  assert.equal(matches(args, with_({ verdict: 'DROPPED', l4: { UDP: {} } })), false);
});

test('repeated values of one flag OR together', () => {
  const args = ['--verdict', 'DROPPED', '--verdict', 'ERROR'];
  assert.equal(matches(args, with_({ verdict: 'DROPPED' })), true);
  assert.equal(matches(args, with_({ verdict: 'ERROR' })), true);
  assert.equal(matches(args, with_({ verdict: 'FORWARDED' })), false);
  assert.equal(matches(['--to-port', '80', '--to-port', '7070'], base), true);
});

test('--not excludes; allow and deny together', () => {
  assert.equal(matches(['--not', '--verdict', 'FORWARDED'], base), false);
  assert.equal(matches(['--not', '--verdict', 'FORWARDED'], with_({ verdict: 'DROPPED' })), true);
  const args = ['--namespace', 'shop', '--not', '--to-port', '7070'];
  assert.equal(matches(args, base), false);
  assert.equal(matches(args, with_({ l4: tcp(1, 8080) })), true);
  assert.equal(matches(args, with_({ l4: tcp(1, 8080), source: { namespace: 'x' }, destination: { namespace: 'y' } })), false);
});

test('negated flags form one deny filter (hubble): a flow is excluded only when it matches all of them', () => {
  const args = ['--not', '--verdict', 'DROPPED', '--not', '--protocol', 'udp'];
  assert.equal(matches(args, with_({ verdict: 'DROPPED' })), true); // dropped but tcp
  assert.equal(matches(args, with_({ l4: { UDP: {} } })), true); // udp but forwarded
  assert.equal(matches(args, with_({ verdict: 'DROPPED', l4: { UDP: {} } })), false);
});

test('either-side flags match the source or the destination, not a mix across flags', () => {
  // --pod X --label Y: X and Y on the same side (left: both source, right: both destination)
  const args = ['--pod', 'shop/frontend', '--label', 'app=cartservice'];
  assert.equal(matches(args, base), false); // frontend is the source, cartservice label on the destination
  assert.equal(matches(['--pod', 'shop/frontend', '--label', 'app=frontend'], base), true);
  assert.equal(matches(['--pod', 'shop/cart', '--label', 'app=cartservice'], base), true);
});

test('empty filter set accepts everything', () => {
  assert.equal(compileFilterSet({ allow: [], deny: [] })(base), true);
  assert.equal(compileFilterSet({ allow: [], deny: [] })({}), true);
});

test('flows missing the filtered field do not match (and do not throw)', () => {
  const empty: Flow = {};
  for (const [args] of cases) {
    if (args[0] === '--reply=false' || args.includes('notin') || args.includes('!canary')) continue;
    if (args[1]?.includes('notin') || args[1]?.startsWith('!')) continue;
    assert.equal(matches(args, empty), false, args.join(' '));
  }
});

test('reply on dropped flows without is_reply counts as not a reply (hubble)', () => {
  const dropped = with_({ verdict: 'DROPPED', is_reply: undefined });
  assert.equal(matches(['--reply=false'], dropped), true);
  assert.equal(matches(['--reply=false'], with_({ is_reply: undefined })), false);
});

test('golden: --namespace shop selects the flows hubble printed', () => {
  const lines = readFileSync(new URL('../../../../shared/hubble-golden/flows.jsonl', import.meta.url), 'utf8').trim().split('\n');
  const flows = lines.map((l) => (JSON.parse(l) as { flow: Flow }).flow);
  const pred = compileFilterSet(parseFilterArgs(['--namespace', 'shop']));
  // hubble-compact-namespace-shop.txt holds three lines: flows 5, 6 (the DNS reply, shop pod as destination) and 7.
  assert.deepEqual(flows.filter(pred).map((f) => f.uuid), ['e1', 'e2', 'e3']);
  const dropped = flows.filter(compileFilterSet(parseFilterArgs(['--verdict', 'DROPPED'])));
  assert.deepEqual(dropped.map((f) => f.uuid), ['00000000-0000-0000-0000-000000000003', 'e3']);
});
