// Truth table for networking.k8s.io/v1 NetworkPolicy, written from the Kubernetes
// documentation (concepts/services-networking/network-policies) and the API reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ask, decided, engine, makeWorld, np, type Case } from './helpers.ts';

const world = makeWorld(
  { shop: { team: 'shop' }, ops: { team: 'ops' }, other: {} },
  {
    'shop/frontend': { labels: { app: 'frontend' }, ip: '10.0.1.1' },
    'shop/cart': { labels: { app: 'cart', tier: 'backend' }, ip: '10.0.1.2', node: 'node-2', ports: [{ name: 'grpc', port: 7070 }, { name: 'dns', port: 53, protocol: 'UDP' }] },
    'shop/db': { labels: { app: 'db', tier: 'backend' }, ip: '10.0.1.3', node: 'node-2', ports: [{ name: 'pg', port: 5432 }] },
    'ops/frontend': { labels: { app: 'frontend' }, ip: '10.0.2.1', node: 'node-2' },
    'ops/monitor': { labels: { app: 'monitor' }, ip: '10.0.2.2', node: 'node-2' },
    'other/client': { labels: { app: 'client' }, ip: '10.0.3.1', node: 'node-2' },
    'ops/agent': { labels: { app: 'agent' }, ip: '192.168.0.2', node: 'node-2', hostNetwork: true },
  },
);

const denyAllIngress = np('shop', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] });
const cartFromFrontend = np('shop', 'cart-from-frontend', {
  podSelector: { matchLabels: { app: 'cart' } },
  ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 7070 }] }],
});

const cases: Case[] = [
  { name: 'no policy: everything is allowed', policies: [], from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed', egress: [], ingress: [] },
  { name: 'empty podSelector with no ingress rules isolates every pod of the namespace', policies: [denyAllIngress], from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'denied', ingress: ['shop/deny-all'], egress: [] },
  { name: 'isolation is per namespace: a pod in another namespace stays open', policies: [denyAllIngress], from: 'shop/frontend', to: 'ops/monitor', port: 80, verdict: 'allowed' },
  { name: 'isolation is per direction: deny-all ingress leaves egress open', policies: [denyAllIngress], from: 'shop/cart', to: 'ops/monitor', port: 80, verdict: 'allowed' },
  { name: 'podSelector in a peer means pods of the policy namespace', policies: [cartFromFrontend], from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed', ingress: ['shop/cart-from-frontend'] },
  { name: 'same labels in another namespace do not match a bare podSelector', policies: [cartFromFrontend], from: 'ops/frontend', to: 'shop/cart', port: 7070, verdict: 'denied', ingress: ['shop/cart-from-frontend'] },
  { name: 'a port not listed is denied', policies: [cartFromFrontend], from: 'shop/frontend', to: 'shop/cart', port: 8080, verdict: 'denied' },
  { name: 'protocol defaults to TCP: UDP on the same port is denied', policies: [cartFromFrontend], from: 'shop/frontend', to: 'shop/cart', port: 7070, protocol: 'UDP', verdict: 'denied' },
  {
    name: 'namespaceSelector AND podSelector in one peer: both must match',
    policies: [np('shop', 'and', { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } }, podSelector: { matchLabels: { app: 'monitor' } } }] }] })],
    from: 'ops/frontend', to: 'shop/cart', port: 7070, verdict: 'denied',
  },
  {
    name: 'namespaceSelector AND podSelector: the pod matching both is allowed',
    policies: [np('shop', 'and', { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } }, podSelector: { matchLabels: { app: 'monitor' } } }] }] })],
    from: 'ops/monitor', to: 'shop/cart', port: 7070, verdict: 'allowed', ingress: ['shop/and'],
  },
  {
    name: 'two peers OR: namespaceSelector alone admits every pod of the namespace',
    policies: [np('shop', 'or', { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }, { podSelector: { matchLabels: { app: 'monitor' } } }] }] })],
    from: 'ops/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed', ingress: ['shop/or'],
  },
  {
    name: 'empty namespaceSelector selects pods in every namespace',
    policies: [np('shop', 'all-ns', { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    from: 'other/client', to: 'shop/cart', port: 1, verdict: 'allowed',
  },
  {
    name: 'empty namespaceSelector does not admit addresses outside the cluster',
    policies: [np('shop', 'all-ns', { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    from: '203.0.113.7', to: 'shop/cart', port: 7070, verdict: 'denied',
  },
  {
    name: 'an empty rule admits everything, from anywhere',
    policies: [np('shop', 'allow-all', { podSelector: {}, ingress: [{}] }), denyAllIngress],
    from: '203.0.113.7', to: 'shop/cart', port: 9999, verdict: 'allowed', ingress: ['shop/allow-all'],
  },
  {
    name: 'policies add up: one allowing is enough, whatever the others isolate',
    policies: [denyAllIngress, cartFromFrontend],
    from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed', ingress: ['shop/cart-from-frontend'],
  },
  {
    name: 'egress rules alone imply policyTypes Egress (and Ingress)',
    policies: [np('shop', 'egress-dns', { podSelector: { matchLabels: { app: 'frontend' } }, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })],
    from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'denied', egress: ['shop/egress-dns'],
  },
  {
    name: 'implied Ingress type: the egress-only policy also isolates ingress',
    policies: [np('shop', 'egress-dns', { podSelector: { matchLabels: { app: 'frontend' } }, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })],
    from: 'shop/cart', to: 'shop/frontend', port: 8080, verdict: 'denied', ingress: ['shop/egress-dns'],
  },
  {
    name: 'policyTypes Egress only: ingress stays open',
    policies: [np('shop', 'egress-only', { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'] })],
    from: 'shop/cart', to: 'shop/frontend', port: 8080, verdict: 'allowed',
  },
  {
    name: 'egress allowed by the source still needs the destination ingress',
    policies: [np('shop', 'fe-out', { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'], egress: [{}] }), denyAllIngress],
    from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'denied', egress: ['shop/fe-out'], ingress: ['shop/deny-all'],
  },
  {
    name: 'named port resolves through the destination pod container ports',
    policies: [np('shop', 'named', { podSelector: { matchLabels: { tier: 'backend' } }, ingress: [{ ports: [{ port: 'grpc' }] }] })],
    from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed',
  },
  {
    name: 'named port: a pod without that port name admits nothing through the rule',
    policies: [np('shop', 'named', { podSelector: { matchLabels: { tier: 'backend' } }, ingress: [{ ports: [{ port: 'grpc' }] }] })],
    from: 'shop/frontend', to: 'shop/db', port: 7070, verdict: 'denied',
  },
  {
    name: 'named port needs the protocol too (dns is UDP on cart)',
    policies: [np('shop', 'named-dns', { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{ ports: [{ port: 'dns', protocol: 'UDP' }] }] })],
    from: 'shop/frontend', to: 'shop/cart', port: 53, protocol: 'UDP', verdict: 'allowed',
  },
  {
    name: 'egress named port resolves on the destination pod',
    policies: [np('shop', 'fe-named', { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'pg' }] }] })],
    from: 'shop/frontend', to: 'shop/db', port: 5432, verdict: 'allowed', egress: ['shop/fe-named'],
  },
  {
    name: 'egress named port to an address outside the cluster never matches',
    policies: [np('shop', 'fe-named', { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'pg' }] }] })],
    from: 'shop/frontend', to: '203.0.113.7', port: 5432, verdict: 'denied', egress: ['shop/fe-named'],
  },
  {
    name: 'endPort: the range is inclusive (upper bound)',
    policies: [np('shop', 'range', { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{ ports: [{ port: 32000, endPort: 32768 }] }] })],
    from: 'shop/frontend', to: 'shop/cart', port: 32768, verdict: 'allowed',
  },
  {
    name: 'endPort: one past the range is denied',
    policies: [np('shop', 'range', { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{ ports: [{ port: 32000, endPort: 32768 }] }] })],
    from: 'shop/frontend', to: 'shop/cart', port: 32769, verdict: 'denied',
  },
  {
    name: 'ipBlock admits an address in the CIDR',
    policies: [np('shop', 'ext', { podSelector: { matchLabels: { app: 'frontend' } }, ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }] }] })],
    from: '203.0.113.7', to: 'shop/frontend', port: 443, verdict: 'allowed', ingress: ['shop/ext'],
  },
  {
    name: 'ipBlock except carves addresses out',
    policies: [np('shop', 'ext', { podSelector: { matchLabels: { app: 'frontend' } }, ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }] }] })],
    from: '203.0.113.200', to: 'shop/frontend', port: 443, verdict: 'denied',
  },
  {
    name: 'egress to the world with an ipBlock',
    policies: [np('shop', 'out', { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] })],
    from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'denied',
  },
  {
    name: 'traffic from the node a pod runs on is always allowed (kubelet probes)',
    policies: [denyAllIngress],
    from: '192.168.0.2', to: 'shop/cart', port: 7070, verdict: 'allowed',
  },
  {
    name: 'traffic from another node is subject to the policy',
    policies: [denyAllIngress],
    from: '192.168.0.1', to: 'shop/cart', port: 7070, verdict: 'denied',
  },
  {
    name: 'host-network pods are not selected by podSelector: their traffic is node traffic',
    policies: [np('shop', 'from-ops', { podSelector: { matchLabels: { app: 'frontend' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }] }] })],
    from: 'ops/agent', to: 'shop/frontend', port: 8080, verdict: 'denied',
  },
  {
    name: 'a host-network pod as destination is never isolated',
    policies: [np('ops', 'deny-ops', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    from: 'ops/monitor', to: 'ops/agent', port: 9100, verdict: 'denied', egress: ['ops/deny-ops'],
  },
  {
    name: 'a host-network pod as destination: its own side allows',
    policies: [np('ops', 'deny-ops', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    from: 'shop/frontend', to: 'ops/agent', port: 9100, verdict: 'allowed',
  },
  {
    name: 'matchExpressions NotIn also matches pods without the key',
    policies: [np('shop', 'notin', { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['backend'] }] } }] }] })],
    from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed',
  },
  {
    name: 'matchExpressions DoesNotExist excludes pods with the key',
    policies: [np('shop', 'dne', { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] } }] }] })],
    from: 'shop/db', to: 'shop/cart', port: 7070, verdict: 'denied',
  },
  {
    name: 'kubernetes.io/metadata.name selects a namespace by name',
    policies: [np('shop', 'by-name', { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }] }] })],
    from: 'other/client', to: 'shop/cart', port: 7070, verdict: 'allowed',
  },
  {
    name: 'rules without ports admit ICMP; rules with ports do not',
    policies: [cartFromFrontend],
    from: 'shop/frontend', to: 'shop/cart', port: 0, protocol: 'ICMP', verdict: 'denied',
  },
  {
    name: 'SCTP ports are matched by protocol',
    policies: [np('shop', 'sctp', { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{ ports: [{ port: 9899, protocol: 'SCTP' }] }] })],
    from: 'shop/frontend', to: 'shop/cart', port: 9899, protocol: 'SCTP', verdict: 'allowed',
  },
];

for (const c of cases) {
  test(`NetworkPolicy: ${c.name}`, () => {
    const a = ask(engine(world, c.policies), c.from, c.to, c.port, c.protocol);
    assert.equal(a.verdict, c.verdict, `${a.egress.reason} | ${a.ingress.reason}`);
    if (c.egress) assert.deepEqual(decided(a.egress), [...c.egress].sort(), `egress: ${a.egress.reason}`);
    if (c.ingress) assert.deepEqual(decided(a.ingress), [...c.ingress].sort(), `ingress: ${a.ingress.reason}`);
  });
}

test('NetworkPolicy: a denial names the isolating policies and the missing admission', () => {
  const a = ask(engine(world, [denyAllIngress, cartFromFrontend]), 'ops/monitor', 'shop/cart', 7070);
  assert.equal(a.verdict, 'denied');
  assert.match(a.ingress.reason, /isolated by NetworkPolicy shop\/deny-all and NetworkPolicy shop\/cart-from-frontend; no rule admits ops\/monitor on 7070\/TCP/);
  assert.equal(a.egress.verdict, 'allowed');
});

test('NetworkPolicy: the allowing rule is named with its index and a rendering', () => {
  const a = ask(engine(world, [cartFromFrontend]), 'shop/frontend', 'shop/cart', 7070);
  assert.equal(a.ingress.rules.length, 1);
  assert.equal(a.ingress.rules[0]!.index, 0);
  assert.equal(a.ingress.rules[0]!.text, 'from podSelector app=frontend; ports 7070/TCP');
});
