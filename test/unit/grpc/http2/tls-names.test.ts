// The TLS names of a connection: SNI, the name verified, and :authority, by the rules
// grpc-js follows with client.ts' options (and Go's client).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddress } from '../../../../src/grpc/address.ts';
import { authorityOf, IP_SNI_PLACEHOLDER, tlsNames } from '../../../../src/grpc/http2/tls-names.ts';

const at = (t: string) => parseAddress(t, 'connect');

test('a host name is sent and verified; an IP is verified but never sent as SNI', () => {
  assert.deepEqual(tlsNames(at('relay.example:4245'), {}), { servername: 'relay.example', verify: 'relay.example' });
  assert.deepEqual(tlsNames(at('10.1.2.3:4245'), {}), { servername: IP_SNI_PLACEHOLDER, verify: '10.1.2.3' });
  assert.deepEqual(tlsNames(at('[fd00::1]:4245'), {}), { servername: IP_SNI_PLACEHOLDER, verify: 'fd00::1' });
});

test('--tls-server-name replaces the host for SNI, verification and :authority; --tls-allow-insecure verifies nothing', () => {
  assert.deepEqual(tlsNames(at('127.0.0.1:4245'), { serverName: 'relay.hubble.test' }), { servername: 'relay.hubble.test', verify: 'relay.hubble.test' });
  assert.equal(authorityOf(at('127.0.0.1:4245'), { serverName: 'relay.hubble.test' }), 'relay.hubble.test');
  assert.equal(authorityOf(at('127.0.0.1:4245'), undefined), '127.0.0.1:4245');
  assert.equal(authorityOf(at('unix:///run/h.sock'), undefined), 'localhost');
  assert.deepEqual(tlsNames(at('relay.example:4245'), { allowInsecure: true }), { servername: 'relay.example', verify: undefined });
});
