import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIP } from '../../../src/k8s/ip.ts';
import { ClusterStore } from '../../../src/k8s/store.ts';
import { pod } from '../../fake-apiserver/fixtures.ts';

test('canonical spelling: RFC 5952 IPv6, IPv4-mapped as IPv4, IPv4 untouched', () => {
  assert.equal(canonicalIP('10.0.0.1'), '10.0.0.1');
  assert.equal(canonicalIP('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
  assert.equal(canonicalIP('2001:0db8:0000:0000:0001:0000:0000:0001'), '2001:db8::1:0:0:1');
  assert.equal(canonicalIP('fd00:0:0:1::0a'), 'fd00:0:0:1::a');
  assert.equal(canonicalIP('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(canonicalIP('2001:db8:1:2:3:4:5:0'), '2001:db8:1:2:3:4:5:0', 'a single zero group is not shortened');
  assert.equal(canonicalIP('::ffff:10.244.1.7'), '10.244.1.7');
  assert.equal(canonicalIP('0:0:0:0:0:ffff:10.244.1.7'), '10.244.1.7');
  assert.equal(canonicalIP('not-an-ip'), 'not-an-ip');
});

test('the index finds a pod however its address is spelled', () => {
  const s = new ClusterStore();
  s.upsert('Pod', pod('shop', 'v6', 'fd00:10:244:1::1a'));
  s.upsert('Pod', pod('shop', 'v4', '10.244.1.7'));
  assert.equal(s.lookup('FD00:0010:0244:0001:0000:0000:0000:001A')?.podName, 'v6');
  assert.equal(s.lookup('::ffff:10.244.1.7')?.podName, 'v4');
  assert.equal(s.lookup('10.244.1.8'), undefined);
  assert.equal(s.lookup('fd00:10:244:1::1b'), undefined);
});
