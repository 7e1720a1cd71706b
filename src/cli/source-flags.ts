// Where flows come from, as flags shared by commands that read flows: --demo (with
// --seed, --rate), --local, --input-file (also --file, as the TUI spells it) or
// --server with hubble's TLS flags (server-flags.ts).
// Produces the SourceOptions that openSource() takes.
import { CliError } from './exit-codes.ts';
import { flagValue, intValue, matchFlag, positiveNumber } from './flag-values.ts';
import type { SourceOptions } from '../sources/open.ts';
import type { KubeTarget } from '../k8s/kubeconfig.ts';
import type { Source } from '../model/source.ts';
import { hasClusterConfig } from '../k8s/kubeconfig-files.ts';
import type { GrpcSourceOptions } from '../sources/grpc.ts';
import { checkServer, clientTlsFrom, consumeServerFlag, emptyServerFlags, serverFlagsHelp, serverFlagsUsed, type ServerFlags } from './server-flags.ts';

export interface SourceFlags {
  demo: boolean;
  /** --local: this machine's eBPF collector. */
  local?: boolean;
  seed?: number;
  rate?: number;
  inputFile?: string;
  /** --kubeconfig / --context: the cluster model that names flows (src/k8s). */
  kubeconfig?: string;
  context?: string;
  /** --server, --tls*, -P: Hubble's gRPC API. */
  remote: ServerFlags;
  /** --agents: the netscope agents of the kubeconfig's cluster, even when it has Hubble Relay. */
  agents?: boolean;
  /** --agent-namespace: where their DaemonSet runs. */
  agentNamespace?: string;
}

export function emptySourceFlags(): SourceFlags {
  return { demo: false, remote: emptyServerFlags() };
}

/** What a gRPC source asks the server for; the command knows (observe's selection flags). */
export type GrpcRequest = Pick<GrpcSourceOptions, 'filters' | 'number' | 'first' | 'since' | 'until' | 'statusIntervalMs'>;

/** Consumes argv[i] if it is a source flag; returns the next index, or undefined if it is not one. */
export function consumeSourceFlag(argv: readonly string[], i: number, into: SourceFlags): number | undefined {
  const arg = argv[i]!;
  const remote = consumeServerFlag(argv, i, into.remote);
  if (remote !== undefined) return remote;
  let hit;
  if ((hit = matchFlag(arg, ['--demo']))) {
    if (hit.inline !== undefined) throw new CliError(`flag does not take a value: --demo`);
    into.demo = true;
    return i + 1;
  }
  if ((hit = matchFlag(arg, ['--local']))) {
    if (hit.inline !== undefined) throw new CliError(`flag does not take a value: --local`);
    into.local = true;
    return i + 1;
  }
  if ((hit = matchFlag(arg, ['--agents']))) {
    if (hit.inline !== undefined) throw new CliError(`flag does not take a value: --agents`);
    into.agents = true;
    return i + 1;
  }
  if ((hit = matchFlag(arg, ['--agent-namespace']))) {
    const [v, next] = flagValue(argv, i, hit);
    into.agentNamespace = checkAgentNamespace(v);
    return next;
  }
  if ((hit = matchFlag(arg, ['--seed']))) {
    const [v, next] = flagValue(argv, i, hit);
    into.seed = intValue('--seed', v);
    return next;
  }
  if ((hit = matchFlag(arg, ['--rate']))) {
    const [v, next] = flagValue(argv, i, hit);
    into.rate = positiveNumber('--rate', v, 10_000_000);
    return next;
  }
  if ((hit = matchFlag(arg, ['--input-file', '--file']))) {
    const [v, next] = flagValue(argv, i, hit);
    if (v === '') throw new CliError(`invalid argument "" for "${hit.flag}" flag: want a file path or -`);
    into.inputFile = v;
    return next;
  }
  if ((hit = matchFlag(arg, ['--kubeconfig', '--context']))) {
    const [v, next] = flagValue(argv, i, hit);
    if (v === '') throw new CliError(`invalid argument "" for "${hit.flag}" flag: want a ${hit.flag === '--context' ? 'context name' : 'file path'}`);
    if (hit.flag === '--context') into.context = v;
    else into.kubeconfig = v;
    return next;
  }
  return undefined;
}

/** A namespace name for --agent-namespace (DNS-1123 label). */
export function checkAgentNamespace(v: string): string {
  if (v.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v)) {
    throw new CliError(`invalid argument "${v}" for "--agent-namespace" flag: want a namespace name (lower-case letters, digits, '-')`);
  }
  return v;
}

export function sourceFlagsHelp(): string {
  return [
    'Source (one of):',
    '      --input-file, --file FILE',
    '                          read a Hubble JSON export (hubble observe -o json); - reads stdin',
    '      --demo              the embedded demo cluster (Online Boutique, simulated traffic)',
    '      --local             this machine\'s eBPF collector (needs root or CAP_BPF,',
    '                          CAP_PERFMON and CAP_NET_ADMIN); always follows',
    '      --seed N            demo: seed for the cluster and its traffic (default 1)',
    '      --rate N            demo: flows per second (default 20)',
serverFlagsHelp(),
    '      --kubeconfig FILE   name flows from this cluster (also: $KUBECONFIG, ~/.kube/config,',
    '                          in-cluster); alone, connects the cluster model only',
    '      --context NAME      kubeconfig context to use (default: current-context)',
    '      --agents            with a kubeconfig: read the netscope agents (netscope agent',
    '                          manifest) through port-forward even if Hubble Relay exists;',
    '                          without a source flag they are read when there is no relay',
    '      --agent-namespace NS  where the agents run (default netscope)',
    '                          --agents with --tls*: the agents serve TLS (netscope agent manifest',
    '                          --tls-secret); each is verified for the name it serves',
    '                          (<node>.<cluster>.hubble-grpc.cilium.io, or --tls-server-name)',
    '',
  ].join('\n');
}

/** The SourceOptions for these flags; exactly one source must be named. */
export function sourceOptionsFrom(
  flags: SourceFlags,
  extra: { follow: boolean; linePrefilter?: (line: Buffer) => boolean; grpc?: GrpcRequest },
  env: NodeJS.ProcessEnv = process.env,
): SourceOptions {
  const others = [flags.demo && '--demo', flags.inputFile !== undefined && '--input-file', flags.local && '--local'].filter((x): x is string => typeof x === 'string');
  if (flags.agents || flags.agentNamespace !== undefined) {
    const flag = flags.agents ? '--agents' : '--agent-namespace';
    // The --tls flags go with --agents (agents serving TLS); --server and -P name another source.
    const other = others[0] ?? (flags.remote.portForward ? '--port-forward' : flags.remote.server !== undefined ? '--server' : undefined);
    if (other !== undefined) throw new CliError(`cannot use ${flag} and ${other} together: ${flag} names the cluster's agents as the flow source`);
  }
  // --agents with --tls*: the client TLS for every agent connection (connector.ts, agentTls).
  const agentsTls = flags.agents && serverFlagsUsed(flags.remote) ? clientTlsFrom(flags.remote) : undefined;
  let remote = agentsTls !== undefined ? emptyServerFlags() : flags.remote;
  if (serverFlagsUsed(remote)) {
    if (others.length > 0) throw new CliError(`cannot use --server (or its --tls / -P flags) and ${others[0]} together`);
  } else if (others.length === 0 && !flags.agents && flags.agentNamespace === undefined && env.HUBBLE_SERVER) {
    // hubble's default for --server; an explicit source flag wins over it.
    remote = { ...remote, server: checkServer('$HUBBLE_SERVER', env.HUBBLE_SERVER) };
  }
  if (flags.demo && flags.inputFile !== undefined) throw new CliError('cannot use --demo and --input-file together');
  if (flags.local && (flags.demo || flags.inputFile !== undefined)) {
    throw new CliError(`cannot use --local and ${flags.demo ? '--demo' : '--input-file'} together`);
  }
  if (!flags.demo && (flags.seed !== undefined || flags.rate !== undefined)) {
    throw new CliError(`${flags.seed !== undefined ? '--seed' : '--rate'} only applies to --demo`);
  }
  const kube = flags.kubeconfig !== undefined || flags.context !== undefined ? { kubeconfig: flags.kubeconfig, context: flags.context } : undefined;
  if (flags.demo && kube) throw new CliError('--kubeconfig and --context do not apply to --demo (the demo has its own cluster)');
  if (remote.server !== undefined || remote.portForward) {
    if (flags.seed !== undefined || flags.rate !== undefined) throw new CliError(`${flags.seed !== undefined ? '--seed' : '--rate'} only applies to --demo`);
    if (remote.portForward && remote.server !== undefined) throw new CliError('cannot use --server and --port-forward together: -P finds the server itself');
    const request = { tls: clientTlsFrom(remote), follow: extra.follow, filters: extra.grpc?.filters ?? { allow: [], deny: [] }, ...extra.grpc };
    if (remote.portForward) return { kind: 'relay-port-forward', kube: kube ?? {}, request };
    const grpc: SourceOptions = { kind: 'grpc', server: remote.server!, ...request };
    return kube ? { kind: 'cluster', kube, flows: grpc, follow: extra.follow } : grpc;
  }
  if (serverFlagsUsed(remote)) throw new CliError(flags.agentNamespace !== undefined ? '--tls flags need --server, or --agents to read the agents with TLS' : '--tls flags need --server (or --agents)');
  if (flags.inputFile !== undefined) {
    const file: SourceOptions = { kind: 'file', path: flags.inputFile, linePrefilter: extra.linePrefilter };
    return kube ? { kind: 'cluster', kube, flows: file, follow: extra.follow } : file;
  }
  if (flags.demo) return { kind: 'demo', seed: flags.seed, rate: flags.rate, follow: extra.follow };
  if (flags.local) return kube ? { kind: 'cluster', kube, flows: { kind: 'local' }, follow: true } : { kind: 'local' };
  // kubectl's rule: a kubeconfig present makes the cluster the default.
  // With no flow source named, the cluster source looks for Hubble Relay itself.
  // Hubble Relay first, else the netscope agents (--agents: the agents only).
  if (kube || hasClusterConfig() || flags.agents) {
    const discoverRelay = { tls: agentsTls, follow: extra.follow, filters: extra.grpc?.filters ?? { allow: [], deny: [] }, ...extra.grpc };
    const agents = { request: discoverRelay, agentNamespace: flags.agentNamespace, agentsOnly: flags.agents === true };
    // Loaded when used: discovery and the fan-in are not needed by the other sources.
    const discover = async (target: KubeTarget): Promise<Source> => (await import('../agent/cluster-flows.ts')).discoverClusterFlows(target, agents);
    return { kind: 'cluster', kube: kube ?? {}, follow: extra.follow, discoverRelay, discover };
  }
  throw new CliError('no flow source: use --server HOST:PORT, --input-file FILE (or - for stdin), --demo or --local');
}
