// The gRPC flags of observe, the TUI and serve: pure parsing, so the rules are tested
// without starting anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../../../src/cli/exit-codes.ts';
import { parseObserveArgs } from '../../../src/cli/observe-args.ts';
import { sourceOptionsFrom } from '../../../src/cli/source-flags.ts';
import { parseServeArgs } from '../../../src/cli/commands/serve.ts';
import { parseTuiArgs } from '../../../src/cli/commands/tui.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const opts = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  sourceOptionsFrom(parseObserveArgs(argv, NOW).source, { follow: false, grpc: { filters: { allow: [], deny: [] }, number: 20 } }, env);

test('--server with hubble\'s TLS flags; any --tls-* implies --tls', () => {
  const o = opts(['--server', 'relay:4245', '--tls-ca-cert-files', 'a.pem,b.pem', '--tls-ca-cert-files=c.pem', '--tls-server-name', 'relay.example']);
  assert.equal(o.kind, 'grpc');
  assert.ok(o.kind === 'grpc');
  assert.equal(o.server, 'relay:4245');
  assert.deepEqual(o.tls, { allowInsecure: false, caFiles: ['a.pem', 'b.pem', 'c.pem'], certFile: undefined, keyFile: undefined, serverName: 'relay.example' });
  assert.equal(o.number, 20);
  const plain = opts(['--server', 'localhost:4245']);
  assert.ok(plain.kind === 'grpc' && plain.tls === undefined);
});

test('$HUBBLE_SERVER is the default; an explicit source wins over it', () => {
  const fromEnv = opts([], { HUBBLE_SERVER: 'localhost:4245' });
  assert.ok(fromEnv.kind === 'grpc' && fromEnv.server === 'localhost:4245');
  assert.equal(opts(['--demo'], { HUBBLE_SERVER: 'localhost:4245' }).kind, 'demo');
  assert.throws(() => opts([], { HUBBLE_SERVER: 'bad:port:x' }), (e: unknown) => e instanceof CliError && /\$HUBBLE_SERVER/.test(e.message));
});

test('-P asks for Hubble Relay through the API server; conflicts are usage errors', () => {
  const pf = opts(['-P', '--kubeconfig', '/k']);
  assert.ok(pf.kind === 'relay-port-forward');
  assert.deepEqual(pf.kube, { kubeconfig: '/k', context: undefined });
  for (const [argv, re] of [
    [['--server', 'a:1', '-P'], /cannot use --server and --port-forward together/],
    [['--server', 'a:1', '--local'], /cannot use --server .* and --local together/],
    [['--server', 'a:1', '--tls-client-cert-file', 'c.pem'], /--tls-client-cert-file needs --tls-client-key-file/],
    [['--server', 'a:1', '--seed', '3'], /--seed only applies to --demo/],
  ] as const) {
    assert.throws(() => opts([...argv]), (e: unknown) => e instanceof CliError && re.test(e.message), argv.join(' '));
  }
});

test('serve: listen addresses, TLS files, and plaintext refused off loopback unless --insecure', () => {
  const d = parseServeArgs(['--demo']);
  assert.deepEqual(d.listen, ['localhost:4245']);
  assert.equal(d.tls, undefined);
  const t = parseServeArgs(['--demo', '--listen', ':4244', '--listen', 'unix:///run/h.sock', '--tls-cert-file', 's.pem', '--tls-key-file', 's.key', '--tls-client-ca-files', 'ca.pem']);
  assert.deepEqual(t.listen, [':4244', 'unix:///run/h.sock']);
  assert.deepEqual(t.tls, { certFile: 's.pem', keyFile: 's.key', clientCaFiles: ['ca.pem'] });
  assert.equal(parseServeArgs(['--demo', '--listen', '0.0.0.0:4245', '--insecure']).insecure, true);
  for (const [argv, re] of [
    [['--demo', '--listen', '0.0.0.0:4245'], /refusing to serve flows in plaintext on 0\.0\.0\.0:4245/],
    [['--demo', '--tls-cert-file', 's.pem'], /--tls-cert-file needs --tls-key-file/],
    [['--demo', '--tls-client-ca-files', 'ca.pem'], /--tls-client-ca-files needs --tls-cert-file/],
    [['--demo', '--listen', 'nope'], /invalid argument "nope" for "--listen" flag: nope: missing port/],
    [['--demo', '--buffer-size', '0'], /--buffer-size/],
    [['--demo', '--frobnicate'], /unknown flag: --frobnicate/],
  ] as const) {
    assert.throws(() => parseServeArgs([...argv]), (e: unknown) => e instanceof CliError && re.test(e.message), argv.join(' '));
  }
});

test('the TUI takes --server and the TLS flags, and refuses a second source', () => {
  const a = parseTuiArgs(['--server', 'localhost:4245', '--tls', '--verdict', 'DROPPED']);
  assert.equal(a.remote.server, 'localhost:4245');
  assert.equal(a.remote.tls, true);
  assert.deepEqual(a.filterArgs, ['--verdict', 'DROPPED']);
  assert.throws(() => parseTuiArgs(['--server', 'localhost:4245', '--demo']), /--demo and --server cannot be used together/);
});
