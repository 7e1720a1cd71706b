// Truth tables for CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (Cilium's
// policy language reference) and AdminNetworkPolicy / BaselineAdminNetworkPolicy
// (policy.networking.k8s.io/v1alpha1, network-policy-api), and how the layers stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ask, decided, engine, makeWorld, np, obj, type Case } from './helpers.ts';

const world = makeWorld(
  { shop: { team: 'shop' }, ops: { team: 'ops' }, 'kube-system': {} },
  {
    'shop/frontend': { labels: { app: 'frontend' }, ip: '10.0.1.1' },
    'shop/cart': { labels: { app: 'cart' }, ip: '10.0.1.2', node: 'node-2', ports: [{ name: 'grpc', port: 7070 }] },
    'ops/frontend': { labels: { app: 'frontend' }, ip: '10.0.2.1', node: 'node-2' },
    'kube-system/coredns': { labels: { 'k8s-app': 'kube-dns' }, ip: '10.0.0.53' },
  },
);

const cnp = (name: string, spec: unknown, ns = 'shop') => obj('CiliumNetworkPolicy', name, spec, ns);
const ccnp = (name: string, spec: unknown) => obj('CiliumClusterwideNetworkPolicy', name, spec);
const anp = (name: string, spec: unknown) => obj('AdminNetworkPolicy', name, spec);
const banp = (spec: unknown) => obj('BaselineAdminNetworkPolicy', 'default', spec);
const cartSel = { matchLabels: { app: 'cart' } };

const cases: Case[] = [
  { name: 'fromEndpoints in a CNP is confined to its namespace', policies: [cnp('c', { endpointSelector: cartSel, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }] }] })], from: 'ops/frontend', to: 'shop/cart', port: 7070, verdict: 'denied', ingress: ['shop/c'] },
  { name: 'fromEndpoints admits the matching pod of the namespace', policies: [cnp('c', { endpointSelector: cartSel, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }] }] })], from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed', ingress: ['shop/c'] },
  { name: 'k8s:io.kubernetes.pod.namespace reaches other namespaces', policies: [cnp('c', { endpointSelector: cartSel, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'ops', 'k8s:app': 'frontend' } }] }] })], from: 'ops/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed' },
  { name: 'CCNP fromEndpoints selects across namespaces', policies: [ccnp('cc', { endpointSelector: cartSel, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }] }] })], from: 'ops/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed', ingress: ['cc'] },
  { name: 'toPorts narrows the rule', policies: [cnp('c', { endpointSelector: cartSel, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '7070', protocol: 'TCP' }] }] }] })], from: 'shop/frontend', to: 'shop/cart', port: 8080, verdict: 'denied' },
  { name: 'toPorts with a named port', policies: [cnp('c', { endpointSelector: cartSel, ingress: [{ toPorts: [{ ports: [{ port: 'grpc' }] }] }] })], from: 'ops/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed' },
  { name: 'ingress: [{}] admits nothing (default deny)', policies: [cnp('c', { endpointSelector: cartSel, ingress: [{}] })], from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'denied', ingress: ['shop/c'] },
  { name: 'fromEntities world admits addresses outside the cluster', policies: [cnp('c', { endpointSelector: cartSel, ingress: [{ fromEntities: ['world'] }] })], from: '203.0.113.7', to: 'shop/cart', port: 7070, verdict: 'allowed' },
  { name: 'fromEntities world does not admit pods', policies: [cnp('c', { endpointSelector: cartSel, ingress: [{ fromEntities: ['world'] }] })], from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'denied' },
  { name: 'fromEntities cluster admits pods and nodes', policies: [cnp('c', { endpointSelector: cartSel, ingress: [{ fromEntities: ['cluster'] }] })], from: '192.168.0.1', to: 'shop/cart', port: 7070, verdict: 'allowed' },
  { name: 'fromEntities remote-node: another node', policies: [cnp('c', { endpointSelector: cartSel, ingress: [{ fromEntities: ['remote-node'] }] })], from: '192.168.0.1', to: 'shop/cart', port: 7070, verdict: 'allowed' },
  { name: 'toEntities kube-apiserver', policies: [cnp('c', { endpointSelector: { matchLabels: { app: 'frontend' } }, egress: [{ toEntities: ['kube-apiserver'] }] })], from: 'shop/frontend', to: '10.96.0.1', port: 443, verdict: 'allowed', egress: ['shop/c'] },
  { name: 'egress isolation: an address not in toCIDR is denied', policies: [cnp('c', { endpointSelector: { matchLabels: { app: 'frontend' } }, egress: [{ toCIDR: ['198.51.100.0/24'] }] })], from: 'shop/frontend', to: '203.0.113.7', port: 443, verdict: 'denied', egress: ['shop/c'] },
  { name: 'toCIDRSet with except', policies: [cnp('c', { endpointSelector: { matchLabels: { app: 'frontend' } }, egress: [{ toCIDRSet: [{ cidr: '203.0.113.0/24', except: ['203.0.113.0/28'] }] }] })], from: 'shop/frontend', to: '203.0.113.7', port: 443, verdict: 'denied' },
  { name: 'toCIDRSet admits outside the except', policies: [cnp('c', { endpointSelector: { matchLabels: { app: 'frontend' } }, egress: [{ toCIDRSet: [{ cidr: '203.0.113.0/24', except: ['203.0.113.0/28'] }] }] })], from: 'shop/frontend', to: '203.0.113.77', port: 443, verdict: 'allowed' },
  { name: 'CIDR rules do not select pods', policies: [cnp('c', { endpointSelector: cartSel, ingress: [{ fromCIDR: ['10.0.0.0/8'] }] })], from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'denied' },
  { name: 'ingressDeny wins over an allow', policies: [cnp('c', { endpointSelector: cartSel, ingress: [{ fromEntities: ['all'] }], ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }] }] })], from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'denied', ingress: ['shop/c'] },
  { name: 'ingressDeny from another policy wins too', policies: [np('shop', 'open', { podSelector: {}, ingress: [{}] }), ccnp('deny-fe', { endpointSelector: cartSel, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }], toPorts: [{ ports: [{ port: '7070' }] }] }] })], from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'denied', ingress: ['deny-fe'] },
  { name: 'a deny for another port leaves the allow standing', policies: [cnp('c', { endpointSelector: cartSel, ingress: [{ fromEntities: ['all'] }], ingressDeny: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '22' }] }] }] })], from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed' },
  { name: 'toFQDNs to an outside address is undecidable', policies: [cnp('c', { endpointSelector: { matchLabels: { app: 'frontend' } }, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }] })], from: 'shop/frontend', to: '203.0.113.7', port: 443, verdict: 'undecidable' },
  { name: 'toFQDNs never admits a pod: denied', policies: [cnp('c', { endpointSelector: { matchLabels: { app: 'frontend' } }, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }] })], from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'denied' },
  { name: 'L7 rules are undecidable on L3/L4 alone', policies: [cnp('c', { endpointSelector: cartSel, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '7070', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }] })], from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'undecidable' },
  { name: 'L7 rules on another port do not matter: denied', policies: [cnp('c', { endpointSelector: cartSel, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }] })], from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'denied' },
  { name: 'a Cilium allow and a NetworkPolicy allow add up', policies: [np('shop', 'np', { podSelector: cartSel, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'nothing' } } }] }] }), cnp('c', { endpointSelector: cartSel, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }] }] })], from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed', ingress: ['shop/c'] },
  { name: 'enableDefaultDeny ingress false: the rule does not isolate', policies: [cnp('c', { endpointSelector: cartSel, enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'none' } }] }] })], from: 'shop/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed' },
  // Admin network policies
  { name: 'ANP Deny beats a NetworkPolicy allow', policies: [np('shop', 'open', { podSelector: {}, ingress: [{}] }), anp('block-ops', { priority: 10, subject: { namespaces: { matchLabels: { team: 'shop' } } }, ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { team: 'ops' } } }] }] })], from: 'ops/frontend', to: 'shop/cart', port: 7070, verdict: 'denied', ingress: ['block-ops'] },
  { name: 'ANP Allow beats a NetworkPolicy deny', policies: [np('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }), anp('allow-dns', { priority: 5, subject: { namespaces: {} }, ingress: [{ action: 'Allow', from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'frontend' } } } }], ports: [{ portNumber: { protocol: 'TCP', port: 7070 } }] }] })], from: 'ops/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed', ingress: ['allow-dns'] },
  { name: 'ANP priority: the lower number decides first', policies: [anp('a-deny', { priority: 20, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] }), anp('b-allow', { priority: 10, subject: { namespaces: {} }, ingress: [{ action: 'Allow', from: [{ namespaces: {} }] }] })], from: 'ops/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed', ingress: ['b-allow'] },
  { name: 'ANP Pass hands over to NetworkPolicies (which deny here)', policies: [anp('pass', { priority: 1, subject: { namespaces: {} }, ingress: [{ action: 'Pass', from: [{ namespaces: {} }] }] }), anp('deny-all', { priority: 50, subject: { namespaces: {} }, ingress: [{ action: 'Allow', from: [{ namespaces: {} }] }] }), np('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })], from: 'ops/frontend', to: 'shop/cart', port: 7070, verdict: 'denied' },
  { name: 'BANP applies when no NetworkPolicy isolates the pod', policies: [banp({ subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { team: 'ops' } } }] }] })], from: 'ops/frontend', to: 'shop/cart', port: 7070, verdict: 'denied', ingress: ['default'] },
  { name: 'a NetworkPolicy overrides the BANP', policies: [banp({ subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { team: 'ops' } } }] }] }), np('shop', 'allow-ops', { podSelector: cartSel, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }] }] })], from: 'ops/frontend', to: 'shop/cart', port: 7070, verdict: 'allowed', ingress: ['shop/allow-ops'] },
  { name: 'ANP egress to networks', policies: [anp('no-meta', { priority: 1, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }] })], from: 'shop/frontend', to: '169.254.169.254', port: 80, verdict: 'denied', egress: ['no-meta'] },
  { name: 'ANP egress to nodes by label', policies: [anp('no-node', { priority: 1, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ nodes: { matchLabels: { 'kubernetes.io/hostname': 'node-2' } } }] }] })], from: 'shop/frontend', to: '192.168.0.2', port: 10250, verdict: 'denied' },
];

for (const c of cases) {
  test(`Cilium/Admin: ${c.name}`, () => {
    const a = ask(engine(world, c.policies), c.from, c.to, c.port, c.protocol);
    assert.equal(a.verdict, c.verdict, `${a.egress.reason} | ${a.ingress.reason}`);
    if (c.egress) assert.deepEqual(decided(a.egress), [...c.egress].sort(), `egress: ${a.egress.reason}`);
    if (c.ingress) assert.deepEqual(decided(a.ingress), [...c.ingress].sort(), `ingress: ${a.ingress.reason}`);
  });
}

test('undecidable answers say why', () => {
  const a = ask(engine(world, [cnp('c', { endpointSelector: { matchLabels: { app: 'frontend' } }, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }] })]), 'shop/frontend', '203.0.113.7', 443);
  assert.match(a.egress.reason, /toFQDNs: the model cannot tell which names 203\.0\.113\.7 stands for/);
});
