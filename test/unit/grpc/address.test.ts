import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddress, isLocalOnly, AddressError } from '../../../src/grpc/address.ts';

test('addresses as hubble spells them', () => {
  assert.deepEqual(parseAddress('localhost:4245', 'connect'), { kind: 'tcp', host: 'localhost', port: 4245, target: 'localhost:4245' });
  assert.deepEqual(parseAddress('relay.kube-system', 'connect'), { kind: 'tcp', host: 'relay.kube-system', port: 4245, target: 'relay.kube-system:4245' });
  assert.deepEqual(parseAddress('[::1]:80', 'connect'), { kind: 'tcp', host: '::1', port: 80, target: '[::1]:80' });
  assert.deepEqual(parseAddress(':4244', 'listen'), { kind: 'tcp', host: '::', port: 4244, target: '[::]:4244' });
  assert.deepEqual(parseAddress('unix:///var/run/hubble.sock', 'listen'), { kind: 'unix', path: '/var/run/hubble.sock', target: 'unix:///var/run/hubble.sock' });
  assert.deepEqual(parseAddress('unix:/tmp/h.sock', 'connect'), { kind: 'unix', path: '/tmp/h.sock', target: 'unix:///tmp/h.sock' });
});

test('bad addresses are refused with the reason', () => {
  for (const [text, use, why] of [
    ['', 'connect', /empty/],
    ['host:', 'connect', /missing port/],
    ['host', 'listen', /missing port/],
    [':4245', 'connect', /missing host/],
    ['::1:4245', 'connect', /brackets/],
    ['h:99999', 'connect', /out of range/],
    ['h:x', 'connect', /invalid port/],
    ['unix://relative', 'listen', /absolute/],
    ['http://h:1', 'connect', /unsupported scheme/],
  ] as const) {
    assert.throws(() => parseAddress(text, use), (e: unknown) => e instanceof AddressError && why.test(e.message), text);
  }
});

test('what counts as reachable only from this machine', () => {
  assert.equal(isLocalOnly(parseAddress('127.0.0.1:1', 'listen')), true);
  assert.equal(isLocalOnly(parseAddress('localhost:1', 'listen')), true);
  assert.equal(isLocalOnly(parseAddress('[::1]:1', 'listen')), true);
  assert.equal(isLocalOnly(parseAddress('unix:///x', 'listen')), true);
  assert.equal(isLocalOnly(parseAddress(':1', 'listen')), false);
  assert.equal(isLocalOnly(parseAddress('0.0.0.0:1', 'listen')), false);
  assert.equal(isLocalOnly(parseAddress('10.0.0.5:1', 'listen')), false);
});
