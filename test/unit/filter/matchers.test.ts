import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSelector, compileSelectors } from '../../../src/filter/label-selector.ts';
import { parseIPv4, parseIPv6, parseIPPrefix, compileIPMatcher } from '../../../src/filter/ip-match.ts';
import { compileFqdnPatterns, compileNodeNamePattern, nodeNameMatches, fqdnPatternSource } from '../../../src/filter/patterns.ts';
import { urlPath } from '../../../src/filter/compile.ts';

const labels = ['k8s:app=frontend', 'k8s:tier=web', 'container:app=legacy', 'reserved:host', 'k8s:version=12'];

test('label selectors: equality, sets, existence, sources', () => {
  const m = (sel: string): boolean => compileSelectors([sel])(labels);
  assert.equal(m('app=frontend'), true);
  assert.equal(m('app==frontend'), true);
  assert.equal(m('k8s:app=frontend'), true);
  assert.equal(m('container:app=frontend'), false);
  assert.equal(m('container:app=legacy'), true);
  assert.equal(m('any:app=frontend'), true);
  assert.equal(m('app!=frontend'), false);
  assert.equal(m('app!=backend'), true);
  assert.equal(m('missing!=x'), true);
  assert.equal(m('app in (backend, frontend)'), true);
  assert.equal(m('app in (backend,db)'), false);
  assert.equal(m('app notin (backend)'), true);
  assert.equal(m('tier notin (web)'), false);
  assert.equal(m('reserved:host'), true);
  assert.equal(m('host'), true);
  assert.equal(m('!host'), false);
  assert.equal(m('!canary'), true);
  assert.equal(m('version>10'), true);
  assert.equal(m('version<10'), false);
  assert.equal(m('app=frontend, tier=web'), true);
  assert.equal(m('app=frontend,tier=db'), false);
  assert.equal(m('ap=frontend'), false, 'key must match whole');
  assert.equal(m('app=front'), false, 'value must match whole');
  assert.equal(compileSelectors(['app=frontend'])(undefined), false);
  assert.equal(compileSelectors(['!app'])(undefined), true);
  assert.equal(compileSelectors(['app=x', 'tier=web'])(labels), true, 'selectors OR');
});

test('label selector syntax errors carry a reason', () => {
  assert.throws(() => parseSelector('app in (a'), /missing "\)"/);
  assert.throws(() => parseSelector('app in a'), /expected "\(" after in/);
  assert.throws(() => parseSelector('app in ()'), /needs at least one value/);
  assert.throws(() => parseSelector('app === x'), /invalid label value/);
  assert.throws(() => parseSelector('a b'), /unknown operator "b"/);
  assert.throws(() => parseSelector('app=x y'), /unexpected "y"/);
  assert.throws(() => parseSelector('version>x'), /not an integer/);
  assert.throws(() => parseSelector('-bad=x'), /invalid label key/);
  assert.throws(() => parseSelector('   '), /empty selector/);
  assert.deepEqual(parseSelector('k8s:app.kubernetes.io/name in (a, b),!x'), [
    { source: 'k8s', key: 'app.kubernetes.io/name', op: 'in', values: ['a', 'b'] },
    { source: null, key: 'x', op: 'notexists', values: [] },
  ]);
});

test('IPv4 and IPv6 parsing', () => {
  assert.equal(parseIPv4('10.0.0.1'), 0x0a000001);
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
  for (const bad of ['10.0.0', '10.0.0.256', '10.0.0.01', 'a.b.c.d', '1.2.3.4.5', '', '1..2.3']) assert.equal(parseIPv4(bad), -1, bad);
  assert.deepEqual([...parseIPv6('fd00::1')!], [0xfd00, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual([...parseIPv6('::ffff:10.0.0.1')!], [0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001]);
  assert.deepEqual([...parseIPv6('::')!], [0, 0, 0, 0, 0, 0, 0, 0]);
  for (const bad of ['fd00:::1', '1::2::3', 'g::1', '1:2:3:4:5:6:7:8:9', '10.0.0.1']) assert.equal(parseIPv6(bad), undefined, bad);
  assert.equal(typeof parseIPPrefix('10.0.0.0/8'), 'object');
  assert.match(parseIPPrefix('10.0.0.0/x') as string, /prefix length/);
});

test('IP matcher: exact addresses, CIDRs, both families', () => {
  const m = compileIPMatcher(['10.0.0.0/8', '192.168.1.7', 'fd00::/16', '0.0.0.0/0']);
  assert.equal(m('10.200.3.4'), true);
  assert.equal(m('192.168.1.7'), true);
  assert.equal(m('fd00:1::5'), true);
  assert.equal(m('fe80::1'), false);
  assert.equal(m(undefined), false);
  assert.equal(m(''), false);
  const narrow = compileIPMatcher(['192.168.1.7', '172.16.0.0/12']);
  assert.equal(narrow('192.168.1.8'), false);
  assert.equal(narrow('172.31.255.255'), true);
  assert.equal(narrow('172.32.0.0'), false);
  assert.equal(narrow('not-an-ip'), false);
  const v6 = compileIPMatcher(['2001:db8::/33']);
  assert.equal(v6('2001:db8:7fff::1'), true);
  assert.equal(v6('2001:db8:8000::1'), false);
});

test('FQDN patterns: wildcards, case, trailing dot', () => {
  const re = compileFqdnPatterns(['*.github.com', 'API.example.org.']);
  assert.equal(re.test('api.github.com'), true);
  assert.equal(re.test('a.b.github.com'), true);
  assert.equal(re.test('github.com'), false);
  assert.equal(re.test('api.example.org'), true);
  assert.equal(re.test('xapi.example.org'), false);
  assert.deepEqual(fqdnPatternSource('a..'), { error: 'more than one trailing dot' });
});

test('node name patterns: [cluster/]node with wildcards; bare names are in the default cluster', () => {
  const p = compileNodeNamePattern('worker-*');
  assert.equal(nodeNameMatches(p, 'worker-3'), true);
  assert.equal(nodeNameMatches(p, 'prod/worker-3'), true);
  assert.equal(nodeNameMatches(p, 'master-1'), false);
  const c = compileNodeNamePattern('prod/');
  assert.equal(nodeNameMatches(c, 'prod/anything'), true);
  assert.equal(nodeNameMatches(c, 'anything'), false);
  const d = compileNodeNamePattern('default/n1');
  assert.equal(nodeNameMatches(d, 'n1'), true);
});

test('urlPath takes the path of absolute and origin-form URLs', () => {
  assert.equal(urlPath('http://cart:7070/api/v1?x=1'), '/api/v1');
  assert.equal(urlPath('/a%20b?q'), '/a b');
  assert.equal(urlPath('http://host'), '');
  assert.equal(urlPath('relative/path'), undefined);
  assert.equal(urlPath('/bad%zz'), undefined);
});

test('Go regex habits: (?i) flag group, \\A and \\z anchors', async () => {
  const { goRegExp } = await import('../../../src/filter/go-regexp.ts');
  assert.equal(goRegExp('(?i)^/API/').test('/api/v1'), true);
  assert.equal(goRegExp('^/API/').test('/api/v1'), false);
  assert.equal(goRegExp('\\A/a\\z').test('/a'), true);
  assert.equal(goRegExp('\\A/a\\z').test('x/a'), false);
  assert.equal(goRegExp('[\\A]').test('A'), true, 'inside a class \\A stays as written');
  assert.throws(() => goRegExp('('), /Unterminated group/);
});
