// The TLS server name a jump host verifies for an agent (from its pod's command line) must be
// the one that agent serves (its own flag parser); and the --tls flags reach the agents with --agents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentServerName, hubbleServerName } from '../../../src/agent/server-name.ts';
import { agentTls } from '../../../src/agent/connector.ts';
import { agentArgs } from '../../../src/agent/manifest.ts';
import { parseAgentArgs } from '../../../src/cli/commands/agent-args.ts';
import { CliError } from '../../../src/cli/exit-codes.ts';
import { parseObserveArgs } from '../../../src/cli/observe-args.ts';
import { sourceOptionsFrom } from '../../../src/cli/source-flags.ts';
import { parseTuiArgs } from '../../../src/cli/commands/tui.ts';

/** What the agent itself advertises for this command line on this node (the kubelet expands $(NODE_NAME)). */
function served(args: string[], node: string): string | undefined {
  const cfg = parseAgentArgs(args.slice(1).map((a) => a.replaceAll('$(NODE_NAME)', node)), { NODE_NAME: node });
  assert.ok(cfg !== 'help');
  return cfg.tls?.serverName;
}

test('the name read from an agent pod is the name that agent serves', () => {
  const tlsArgs = agentArgs({ tlsSecret: 'hubble-server-certs' });
  const cases: [string[], string][] = [
    [tlsArgs, 'node-1'],
    [tlsArgs, 'ip-10-0-1-7.eu-west-1.compute.internal'],
    [[...tlsArgs, '--cluster-name', 'prod'], 'node-1'],
    [[...tlsArgs, '--cluster-name=prod', '--tls-server-name', 'agent.$(NODE_NAME).example'], 'node-2'],
    [[...tlsArgs.filter((a) => a !== '$(NODE_NAME)' && a !== '--node-name'), '--node-name', 'worker-a'], 'node-9'],
  ];
  for (const [args, node] of cases) {
    const s = served(args, node);
    assert.ok(s !== undefined);
    assert.equal(agentServerName(args, node), s, args.join(' '));
  }
  assert.equal(agentServerName(tlsArgs, 'ip-10-0-1-7.eu-west-1.compute.internal'), 'ip-10-0-1-7-eu-west-1-compute-internal.default.hubble-grpc.cilium.io');
  // Plaintext agents (the default manifests) serve no name.
  assert.equal(agentServerName(agentArgs({}), 'node-1'), undefined);
  assert.equal(served(agentArgs({}), 'node-1'), undefined);
});

test('each agent connection verifies its own name unless --tls-server-name names one for all', () => {
  const target = { id: 'netscope/a', uid: 'u', namespace: 'netscope', pod: 'a', node: 'node.one', podIP: '10.0.0.1' };
  assert.equal(agentTls(undefined, target), undefined, 'plaintext stays plaintext');
  assert.deepEqual(agentTls({ caFiles: ['ca.pem'] }, target), { caFiles: ['ca.pem'], serverName: hubbleServerName('node.one') });
  assert.deepEqual(agentTls({ caFiles: ['ca.pem'] }, { ...target, tlsServerName: 'x.prod.hubble-grpc.cilium.io' }), { caFiles: ['ca.pem'], serverName: 'x.prod.hubble-grpc.cilium.io' });
  assert.deepEqual(agentTls({ serverName: 'all.example' }, { ...target, tlsServerName: 'x.prod.hubble-grpc.cilium.io' }), { serverName: 'all.example' });
});

test('--agents takes the --tls flags (observe and the TUI); --server, -P or TLS without --agents do not mix', () => {
  const NOW = Date.parse('2026-01-01T00:00:00Z');
  const opts = (argv: string[]) => sourceOptionsFrom(parseObserveArgs(argv, NOW).source, { follow: true }, {});
  const o = opts(['--kubeconfig', '/k', '--agents', '--tls-ca-cert-files', 'ca.pem', '--tls-client-cert-file', 'c.pem', '--tls-client-key-file', 'c.key']);
  assert.ok(o.kind === 'cluster' && o.discoverRelay !== undefined);
  assert.deepEqual(o.discoverRelay.tls, { allowInsecure: false, caFiles: ['ca.pem'], certFile: 'c.pem', keyFile: 'c.key', serverName: undefined });
  const plain = opts(['--kubeconfig', '/k', '--agents']);
  assert.ok(plain.kind === 'cluster' && plain.discoverRelay?.tls === undefined);
  for (const [argv, re] of [
    [['--agents', '--server', 'a:1', '--tls'], /cannot use --agents and --server together/],
    [['--agents', '-P', '--tls'], /cannot use --agents and --port-forward together/],
    [['--agents', '--tls-client-cert-file', 'c.pem'], /--tls-client-cert-file needs --tls-client-key-file/],
    [['--kubeconfig', '/k', '--agent-namespace', 'x', '--tls'], /--tls flags need --server, or --agents/],
  ] as const) {
    assert.throws(() => opts([...argv]), (e: unknown) => e instanceof CliError && re.test(e.message), argv.join(' '));
  }
  const tui = parseTuiArgs(['--agents', '--tls', '--tls-ca-cert-files', 'ca.pem']);
  assert.equal(tui.agents, true);
  assert.deepEqual(tui.remote.tlsCaCertFiles, ['ca.pem']);
  assert.throws(() => parseTuiArgs(['--agents', '--server', 'a:1']), /cannot be used together/);
});
