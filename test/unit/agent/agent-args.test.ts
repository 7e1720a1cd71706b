// `netscope agent`'s flags and health answers (pure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advertisedAddress, hubbleServerName, parseAgentArgs, type AgentConfig } from '../../../src/cli/commands/agent-args.ts';
import { CliError } from '../../../src/cli/exit-codes.ts';
import { healthResponse, parseHealthListen } from '../../../src/agent/health.ts';
import { agentArgs } from '../../../src/agent/manifest.ts';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}): AgentConfig => {
  const c = parseAgentArgs(argv, env);
  assert.notEqual(c, 'help');
  return c as AgentConfig;
};

test('the manifests\' command lines parse, with the defaults they rely on', () => {
  const plain = parse(agentArgs({}).slice(1).map((a) => a.replace('$(NODE_NAME)', 'node-1')), { POD_IP: '10.244.1.5' });
  assert.deepEqual(plain.listen, ['127.0.0.1:4244']);
  assert.equal(plain.healthListen, ':9879');
  assert.equal(plain.nodeName, 'node-1');
  assert.equal(plain.tls, undefined);
  assert.equal(plain.advertiseAddress, undefined, 'loopback: the bound address is advertised');
  assert.equal(plain.cluster, true);
  const tls = parse(agentArgs({ tlsSecret: 's' }).slice(1).map((a) => a.replace('$(NODE_NAME)', 'node-1.internal')), { POD_IP: '10.244.1.5' });
  assert.deepEqual(tls.listen, [':4244']);
  assert.deepEqual(tls.tls, {
    certFile: '/var/lib/netscope/tls/tls.crt',
    keyFile: '/var/lib/netscope/tls/tls.key',
    clientCaFiles: ['/var/lib/netscope/tls/ca.crt'],
    serverName: 'node-1-internal.default.hubble-grpc.cilium.io',
  });
  assert.equal(tls.advertiseAddress, '10.244.1.5:4244', 'every interface: the pod IP is what Relay dials');
});

test('defaults without flags: $NODE_NAME, loopback 4244, and bad input is one line naming the flag', () => {
  const c = parse([], { NODE_NAME: 'from-env' });
  assert.equal(c.nodeName, 'from-env');
  assert.deepEqual(c.listen, ['127.0.0.1:4244']);
  assert.equal(parse(['--health-listen', 'off']).healthListen, undefined);
  assert.equal(parse(['--no-cluster']).cluster, false);
  assert.equal(parse(['--listen', ':4244', '--insecure']).listen[0], ':4244');
  assert.equal(parseAgentArgs(['-h']), 'help');
  assert.equal(c.heapGrowingPercent, 25);
  assert.equal(parse(['--heap-growing-percent', '0']).heapGrowingPercent, 0);
  assert.equal(parse(['--heap-growing-percent', '50']).heapGrowingPercent, 50);
  assert.equal(c.serviceAccountDir, undefined);
  assert.equal(parse([], { NETSCOPE_SERVICE_ACCOUNT_DIR: '/tmp/sa' }).serviceAccountDir, '/tmp/sa');
  const cases: [string[], RegExp][] = [
    [['--listen', ':4244'], /^refusing to serve flows in plaintext on \[::\]:4244/],
    [['--listen', 'nope'], /"--listen" flag: nope: missing port/],
    [['--health-listen', 'x'], /"--health-listen" flag: want HOST:PORT, :PORT or off/],
    [['--tls-cert-file', 'c'], /--tls-cert-file needs --tls-key-file/],
    [['--tls-client-ca-file', 'ca'], /--tls-client-ca-file needs --tls-cert-file/],
    [['--tls-server-name', 'x'], /--tls-server-name needs --tls-cert-file/],
    [['--no-cluster', '--kubeconfig', 'k'], /cannot use --no-cluster and --kubeconfig together/],
    [['--node-name', ''], /"--node-name" flag: want a name/],
    [['--bogus'], /unknown flag: --bogus/],
    [['--heap-growing-percent', '301'], /"--heap-growing-percent" flag: want an integer from 0 to 300/],
  ];
  for (const [argv, re] of cases) assert.throws(() => parseAgentArgs(argv, {}), (e: unknown) => e instanceof CliError && re.test(e.message), argv.join(' '));
});

test('advertised address and Cilium\'s server name', () => {
  assert.equal(advertisedAddress([':4244'], 'fd00::5'), '[fd00::5]:4244');
  assert.equal(advertisedAddress(['0.0.0.0:4244'], undefined), undefined);
  assert.equal(advertisedAddress(['unix:///run/a.sock', ':4244'], '10.0.0.1'), '10.0.0.1:4244');
  assert.equal(parse(['--listen', ':4244', '--insecure', '--advertise-address', '10.9.9.9:4244'], { POD_IP: '10.0.0.1' }).advertiseAddress, '10.9.9.9:4244');
  assert.equal(hubbleServerName('kind-worker', 'default'), 'kind-worker.default.hubble-grpc.cilium.io');
  assert.equal(parse(['--listen', ':4244', '--tls-cert-file', 'c', '--tls-key-file', 'k', '--cluster-name', 'prod', '--node-name', 'n1']).tls?.serverName, 'n1.prod.hubble-grpc.cilium.io');
});

test('health: 503 with the reason until attached and serving, 200 after, 503 once failed', () => {
  assert.deepEqual(healthResponse({}), { status: 503, body: 'starting: the eBPF collector is not attached yet\n' });
  assert.deepEqual(healthResponse({ attached: 'attached' }), { status: 503, body: 'starting: the gRPC server is not listening yet\n' });
  assert.deepEqual(healthResponse({ attached: 'attached', serving: ['127.0.0.1:4244'] }), { status: 200, body: 'ok: attached; serving on 127.0.0.1:4244\n' });
  assert.deepEqual(healthResponse({ attached: 'a', serving: ['x'], failure: 'eBPF collector exited with status 1' }), { status: 503, body: 'unhealthy: eBPF collector exited with status 1\n' });
  assert.deepEqual(parseHealthListen(':9879'), { host: undefined, port: 9879 });
  assert.deepEqual(parseHealthListen('[::1]:9879'), { host: '::1', port: 9879 });
  assert.equal(parseHealthListen('9879'), undefined);
  assert.equal(parseHealthListen(':99999'), undefined);
});
