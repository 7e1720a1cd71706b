// `netscope agent`: the node agent (the eBPF collector served over Hubble's Observer and
// Peer APIs, with a health endpoint; run.ts in src/agent) and `netscope agent manifest`,
// which prints its DaemonSet and RBAC (src/agent/manifest.ts).
import type { Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { flagValue, matchFlag, type FlagHit } from '../flag-values.ts';
import { buildInfo } from '../version-info.ts';
import { DEFAULT_NAMESPACE, HEALTH_PATH, HEALTH_PORT, OBSERVER_PORT, renderManifests, type ManifestOptions } from '../../agent/manifest.ts';
import { agentHelp, parseAgentArgs } from './agent-args.ts';

function manifestUsage(version: string): string {
  return `Usage: netscope agent manifest [flags]

Print the node agent's manifests as YAML, for \`kubectl apply -f -\`: Namespace,
ServiceAccount, a read-only ClusterRole (get/list/watch pods, services, endpointslices,
nodes, namespaces) and its binding, the DaemonSet (one agent per node, every taint
tolerated; capabilities BPF, PERFMON, NET_ADMIN, not privileged; read-only root) and,
with --tls-secret, the peer Service hubble-peer (port 443 -> ${OBSERVER_PORT}, internalTrafficPolicy
Local) that Hubble Relay reads. Health: GET ${HEALTH_PATH} on port ${HEALTH_PORT}.

Flags:
  -n, --namespace NAME   namespace to deploy into (default ${DEFAULT_NAMESPACE})
  --image IMAGE          agent image (default netscope:${version}, what docs/agent.md builds)
  --tls-secret NAME      Secret with tls.crt, tls.key, ca.crt (like hubble-server-certs):
                         serve Observer/Peer with mTLS on :${OBSERVER_PORT} of the pod IP and add the
                         peer Service. Without it the agents listen on the pod's loopback only,
                         reached through the API server's port-forward.
  --seccomp PROFILE      RuntimeDefault (default) or Unconfined, for runtimes whose default
                         profile refuses bpf(2)
  -h, --help             this help

See docs/agent.md for building the image and making the TLS Secret.
`;
}

/** DNS-1123 label: namespaces and Secret names the API server accepts. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** An image reference as the container runtimes parse it: [host[:port]/]path[:tag][@digest]. */
const IMAGE_REF = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

export function parseManifestArgs(argv: readonly string[], version: string): ManifestOptions | 'help' {
  const o: ManifestOptions = { namespace: DEFAULT_NAMESPACE, image: `netscope:${version}`, seccomp: 'RuntimeDefault' };
  for (let i = 0; i < argv.length; ) {
    const arg = argv[i]!;
    let hit: FlagHit | undefined;
    let v: string;
    if (arg === '-h' || arg === '--help') return 'help';
    if ((hit = matchFlag(arg, ['-n', '--namespace']))) {
      [v, i] = flagValue(argv, i, hit);
      if (v.length > 63 || !DNS_LABEL.test(v)) throw new CliError(`invalid argument "${v}" for "${hit.flag}" flag: want a namespace name (lower-case letters, digits, '-')`);
      o.namespace = v;
    } else if ((hit = matchFlag(arg, ['--image']))) {
      [v, i] = flagValue(argv, i, hit);
      if (!IMAGE_REF.test(v)) throw new CliError(`invalid argument "${v}" for "--image" flag: want an image reference like registry.example/netscope:0.1.0`);
      o.image = v;
    } else if ((hit = matchFlag(arg, ['--tls-secret']))) {
      [v, i] = flagValue(argv, i, hit);
      if (v.length > 253 || !DNS_SUBDOMAIN.test(v)) throw new CliError(`invalid argument "${v}" for "--tls-secret" flag: want a Secret name (lower-case letters, digits, '-', '.')`);
      o.tlsSecret = v;
    } else if ((hit = matchFlag(arg, ['--seccomp']))) {
      [v, i] = flagValue(argv, i, hit);
      if (v !== 'RuntimeDefault' && v !== 'Unconfined') throw new CliError(`invalid argument "${v}" for "--seccomp" flag: want RuntimeDefault or Unconfined`);
      o.seccomp = v;
    } else {
      throw new CliError(arg.startsWith('-') ? `unknown flag "${arg}" for "netscope agent manifest" (see --help)` : `unexpected argument "${arg}" (see netscope agent manifest --help)`);
    }
  }
  return o;
}

export const agentCommand: Command = {
  name: 'agent',
  summary: 'the node agent: the eBPF collector served to Hubble clients (`agent manifest`: its DaemonSet)',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'help') {
      process.stdout.write(agentHelp());
      return ExitCode.OK;
    }
    if (sub !== 'manifest') {
      const cfg = parseAgentArgs(argv);
      if (cfg === 'help') {
        process.stdout.write(agentHelp());
        return ExitCode.OK;
      }
      const { runAgent } = await import('./agent-run.ts');
      return runAgent(cfg);
    }
    const version = buildInfo().version;
    const opts = parseManifestArgs(rest, version);
    if (opts === 'help') {
      process.stdout.write(manifestUsage(version));
      return ExitCode.OK;
    }
    process.stdout.write(renderManifests(opts, version));
    return ExitCode.OK;
  },
};
