// `netscope agent`'s flags (pure: argv and env in, a config out). The defaults are what
// the DaemonSet runs (src/agent/manifest.ts, agentArgs).
import os from 'node:os';
import { CliError } from '../exit-codes.ts';
import { boolFlag, flagValue, intValue, matchFlag } from '../flag-values.ts';
import { AddressError, addressText, isLocalOnly, parseAddress } from '../../grpc/address.ts';
import type { ServerTlsFiles } from '../../grpc/tls.ts';
import { parseHealthListen } from '../../agent/health.ts';
import { HEALTH_PATH, HEALTH_PORT, OBSERVER_PORT } from '../../agent/manifest.ts';
import { DEFAULT_CLUSTER_NAME, hubbleServerName } from '../../agent/server-name.ts';

// The jump host works the same name out from an agent pod's command line (discovery.ts).
export { DEFAULT_CLUSTER_NAME, hubbleServerName };

export const DEFAULT_AGENT_LISTEN = `127.0.0.1:${OBSERVER_PORT}`;
export const DEFAULT_HEALTH_LISTEN = `:${HEALTH_PORT}`;
const MAX_BUFFER = 10_000_000;
/**
 * The agent's default V8 growth step. With V8's own (up to 4x the live heap) an agent at
 * 5,000 pods peaked ~100 MB higher; with 25 its full collections cost no CPU the bench
 * could see (docs/agent.md, "Memory"), since its ring keeps flows as bytes, not objects.
 */
export const DEFAULT_HEAP_GROWING_PERCENT = 25;

export interface AgentConfig {
  nodeName: string;
  listen: string[];
  /** Undefined: no health endpoint (`--health-listen off`). */
  healthListen?: string;
  tls?: ServerTlsFiles;
  insecure: boolean;
  /** False with --no-cluster: flows by address and process only. */
  cluster: boolean;
  kubeconfig?: string;
  context?: string;
  /**
   * $NETSCOPE_SERVICE_ACCOUNT_DIR: where the in-cluster token, CA and namespace files are
   * (default the kubelet's mount). For running the agent "in cluster" outside a pod, as
   * bench/agent-rss.ts and the integration tests do against the fake API server.
   */
  serviceAccountDir?: string;
  clusterName: string;
  /** What Peer.Notify advertises; undefined: worked out from --listen and $POD_IP. */
  advertiseAddress?: string;
  bufferSize?: number;
  /**
   * --heap-growing-percent: V8 lets the old generation grow by this much over the live
   * heap before its next full collection; 0 leaves it to V8 (up to 4x). Trades RSS for CPU.
   */
  heapGrowingPercent: number;
}


/**
 * The address Hubble Relay should dial (pure). Listening on every interface, the pod IP
 * ($POD_IP from the downward API) with the port; else the first listen address as given.
 */
export function advertisedAddress(listen: readonly string[], podIP: string | undefined): string | undefined {
  const tcp = listen.map((l) => parseAddress(l, 'listen')).find((a) => a.kind === 'tcp');
  if (!tcp || tcp.kind !== 'tcp') return undefined;
  const wildcard = tcp.host === '::' || tcp.host === '0.0.0.0';
  if (wildcard && podIP) return `${podIP.includes(':') ? `[${podIP}]` : podIP}:${tcp.port}`;
  return undefined;
}

export function agentHelp(): string {
  return `Run the node agent: netscope's eBPF collector on this node, served over Hubble's gRPC
API (observer.Observer and peer.Peer) so that \`netscope\` on a jump host, Hubble Relay and
\`hubble observe --server\` can read it, with a plain HTTP health endpoint for the kubelet.
In a cluster (in-cluster config, or a kubeconfig) it names flows with pods, namespaces,
labels, workloads and services; --no-cluster runs on any Linux host with flows by address
and process. Needs root or CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN.

Usage:
  netscope agent [flags]
  netscope agent manifest [flags]   print the DaemonSet, RBAC and peer Service (YAML);
                                    see netscope agent manifest --help

Serving:
      --listen ADDR         HOST:PORT, :PORT (every interface) or unix:///path; repeat for
                            several (default ${DEFAULT_AGENT_LISTEN}, what the manifests use
                            without TLS: reached through the API server's port-forward)
      --health-listen ADDR  HOST:PORT or :PORT for GET ${HEALTH_PATH}, or "off"
                            (default ${DEFAULT_HEALTH_LISTEN}): 200 once the collector is attached
                            and the gRPC server listens, 503 with the reason otherwise
      --node-name NAME      the name flows, GetNodes and Peer carry (default $NODE_NAME,
                            else this host's name)
      --advertise-address HOST:PORT
                            the address Peer.Notify gives Hubble Relay (default: $POD_IP and
                            the --listen port when listening on every interface, else the
                            first --listen address)
      --buffer-size N       flows kept for history requests (default 16383)
      --heap-growing-percent N
                            collect the heap once it grows N% over what was live (0-300;
                            default 25; 0: V8's own step, up to 300%, which lets RSS grow
                            by ~100 MB at 5,000 pods for no measurable CPU saved)
      --tls-cert-file FILE, --tls-key-file FILE
                            serve TLS with this certificate and key
      --tls-client-ca-file FILE
                            require client certificates signed by this CA (mTLS; repeatable,
                            or comma-separated)
      --tls-server-name NAME
                            the TLS server name Peer.Notify advertises (default Cilium's
                            <node>.<cluster>.hubble-grpc.cilium.io)
      --insecure            allow plaintext on an address other machines can reach

Naming flows:
      --no-cluster          no Kubernetes: flows by address and process (a lab, a VM)
      --kubeconfig FILE     the cluster to name flows from (default: in-cluster config,
                            $KUBECONFIG, ~/.kube/config)
      --context NAME        kubeconfig context (default: current-context)
      --cluster-name NAME   the cluster's name in the TLS server name (default ${DEFAULT_CLUSTER_NAME})
  -h, --help                this help

Examples:
  # what the DaemonSet runs (no TLS): loopback only, read through port-forward
  netscope agent --node-name "$NODE_NAME" --health-listen :${HEALTH_PORT} --listen 127.0.0.1:${OBSERVER_PORT}
  # on a lab host or VM, no Kubernetes; then: netscope observe --server 127.0.0.1:${OBSERVER_PORT}
  sudo netscope agent --no-cluster --listen 127.0.0.1:${OBSERVER_PORT} --health-listen 127.0.0.1:${HEALTH_PORT}
  # for Hubble Relay: every interface, mutual TLS
  netscope agent --listen :${OBSERVER_PORT} --tls-cert-file tls.crt --tls-key-file tls.key --tls-client-ca-file ca.crt

Exit status: 0 after SIGINT/SIGTERM, 1 when the collector cannot start or fails (the
kubelet restarts the pod), 2 for bad flags.
`;
}

export function parseAgentArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): AgentConfig | 'help' {
  const cfg: AgentConfig = {
    nodeName: env.NODE_NAME || os.hostname(),
    listen: [],
    healthListen: DEFAULT_HEALTH_LISTEN,
    insecure: false,
    cluster: true,
    clusterName: DEFAULT_CLUSTER_NAME,
    heapGrowingPercent: DEFAULT_HEAP_GROWING_PERCENT,
  };
  let cert: string | undefined;
  let key: string | undefined;
  let serverName: string | undefined;
  const clientCas: string[] = [];
  for (let i = 0; i < argv.length; ) {
    const arg = argv[i]!;
    let hit: ReturnType<typeof matchFlag>;
    let v: string;
    if (arg === '-h' || arg === '--help') return 'help';
    if ((hit = matchFlag(arg, ['--listen', '--listen-address']))) {
      [v, i] = flagValue(argv, i, hit);
      try {
        parseAddress(v, 'listen');
      } catch (err) {
        if (err instanceof AddressError) throw new CliError(`invalid argument "${v}" for "${hit.flag}" flag: ${err.message}`);
        throw err;
      }
      cfg.listen.push(v);
    } else if ((hit = matchFlag(arg, ['--health-listen']))) {
      [v, i] = flagValue(argv, i, hit);
      if (v === 'off') cfg.healthListen = undefined;
      else if (!parseHealthListen(v)) throw new CliError(`invalid argument "${v}" for "--health-listen" flag: want HOST:PORT, :PORT or off`);
      else cfg.healthListen = v;
    } else if ((hit = matchFlag(arg, ['--node-name', '--cluster-name', '--tls-server-name', '--kubeconfig', '--context']))) {
      [v, i] = flagValue(argv, i, hit);
      if (v === '') throw new CliError(`invalid argument "" for "${hit.flag}" flag: want a ${hit.flag === '--kubeconfig' ? 'file path' : 'name'}`);
      if (hit.flag === '--node-name') cfg.nodeName = v;
      else if (hit.flag === '--cluster-name') cfg.clusterName = v;
      else if (hit.flag === '--tls-server-name') serverName = v;
      else if (hit.flag === '--kubeconfig') cfg.kubeconfig = v;
      else cfg.context = v;
    } else if ((hit = matchFlag(arg, ['--advertise-address']))) {
      [v, i] = flagValue(argv, i, hit);
      try {
        parseAddress(v, 'connect');
      } catch (err) {
        if (err instanceof AddressError) throw new CliError(`invalid argument "${v}" for "--advertise-address" flag: ${err.message}`);
        throw err;
      }
      cfg.advertiseAddress = v;
    } else if ((hit = matchFlag(arg, ['--buffer-size']))) {
      [v, i] = flagValue(argv, i, hit);
      cfg.bufferSize = intValue('--buffer-size', v, 1, MAX_BUFFER);
    } else if ((hit = matchFlag(arg, ['--heap-growing-percent']))) {
      [v, i] = flagValue(argv, i, hit);
      cfg.heapGrowingPercent = intValue('--heap-growing-percent', v, 0, 300);
    } else if ((hit = matchFlag(arg, ['--tls-cert-file', '--tls-key-file', '--tls-client-ca-file', '--tls-client-ca-files']))) {
      [v, i] = flagValue(argv, i, hit);
      if (v === '') throw new CliError(`invalid argument "" for "${hit.flag}" flag: want a file path`);
      if (hit.flag === '--tls-cert-file') cert = v;
      else if (hit.flag === '--tls-key-file') key = v;
      else clientCas.push(...v.split(',').filter((s) => s !== ''));
    } else if ((hit = matchFlag(arg, ['--insecure', '--no-cluster']))) {
      if (hit.flag === '--insecure') cfg.insecure = boolFlag(hit);
      else cfg.cluster = !boolFlag(hit);
      i++;
    } else if (arg.startsWith('-')) {
      throw new CliError(`unknown flag: ${arg.split('=')[0]} (see netscope agent --help)`);
    } else {
      throw new CliError(`unexpected argument "${arg}" (see netscope agent --help)`);
    }
  }
  if (!cfg.cluster && (cfg.kubeconfig !== undefined || cfg.context !== undefined)) {
    throw new CliError(`cannot use --no-cluster and ${cfg.kubeconfig !== undefined ? '--kubeconfig' : '--context'} together`);
  }
  if ((cert === undefined) !== (key === undefined)) throw new CliError(cert === undefined ? '--tls-key-file needs --tls-cert-file' : '--tls-cert-file needs --tls-key-file');
  if (clientCas.length > 0 && cert === undefined) throw new CliError('--tls-client-ca-file needs --tls-cert-file and --tls-key-file');
  if (serverName !== undefined && cert === undefined) throw new CliError('--tls-server-name needs --tls-cert-file and --tls-key-file');
  if (cert !== undefined && key !== undefined) {
    cfg.tls = {
      certFile: cert,
      keyFile: key,
      clientCaFiles: clientCas.length > 0 ? clientCas : undefined,
      serverName: serverName ?? hubbleServerName(cfg.nodeName, cfg.clusterName),
    };
  }
  if (cfg.listen.length === 0) cfg.listen.push(DEFAULT_AGENT_LISTEN);
  if (cfg.tls === undefined && !cfg.insecure) {
    const open = cfg.listen.map((l) => parseAddress(l, 'listen')).find((a) => !isLocalOnly(a));
    if (open !== undefined) {
      throw new CliError(`refusing to serve flows in plaintext on ${addressText(open)}, which other machines can reach: give --tls-cert-file and --tls-key-file, or --insecure`);
    }
  }
  cfg.advertiseAddress ??= advertisedAddress(cfg.listen, env.POD_IP);
  if (env.NETSCOPE_SERVICE_ACCOUNT_DIR) cfg.serviceAccountDir = env.NETSCOPE_SERVICE_ACCOUNT_DIR;
  return cfg;
}
