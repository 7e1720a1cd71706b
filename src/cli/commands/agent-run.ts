// `netscope agent` at run time (its flags: agent-args.ts): the eBPF collector (the `local` source), wrapped by the
// cluster model when in a cluster, served with startObserverServer, plus the health
// endpoint. A collector that cannot start or fails ends the process with status 1: a
// node agent without its collector has nothing to serve, and the kubelet restarts it
// with backoff (discovery then shows the node as crash-looping).
import { setFlagsFromString } from 'node:v8';
import type { AgentConfig } from './agent-args.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { buildInfo } from '../version-info.ts';
import { hasClusterConfig, type KubeConfigOptions } from '../../k8s/kubeconfig-files.ts';
import { sanitize } from '../../model/sanitize.ts';
import { openSource, type SourceOptions } from '../../sources/open.ts';
import type { ResourceKind } from '../../k8s/resources.ts';
import { startHealthServer, type AgentHealth } from '../../agent/health.ts';

/**
 * What the agent's model lists: what naming flows needs, and what its ClusterRole
 * (MODEL_RULES in manifest.ts) grants. Policies are the jump host's business; listing
 * them here would be refused by that role and hold their memory for nothing.
 */
export const AGENT_MODEL_KINDS: readonly ResourceKind[] = ['Namespace', 'Node', 'Pod', 'Service', 'EndpointSlice'];

/**
 * Objects per list page of the agent's model (client-go's and the TUI's: 500). A page
 * of 500 pods is ~3 MB of JSON whose parsed objects outlive the young generation while it
 * is parsed; the 5,000-pod model then peaked at 153-158 MB RSS before the first flow,
 * with pages of 100 at 134-141 MB. The agent lists once per start and relist, from inside
 * the cluster, so 5x the requests cost little.
 */
export const AGENT_LIST_PAGE = 100;

/** The collector's source name (its status events say when it attached). */
const COLLECTOR = 'local';

export function agentSourceOptions(cfg: AgentConfig): SourceOptions {
  const local: SourceOptions = { kind: 'local', nodeName: cfg.nodeName };
  if (!cfg.cluster) return local;
  const kube: KubeConfigOptions = { kubeconfig: cfg.kubeconfig, context: cfg.context, serviceAccountDir: cfg.serviceAccountDir };
  if (!hasClusterConfig(kube)) {
    throw new CliError('no Kubernetes configuration (not in a pod with a service account, no $KUBECONFIG or ~/.kube/config): give --kubeconfig, or --no-cluster for flows by address and process');
  }
  // In a pod, openSource reads the service account without @kubernetes/client-node.
  return { kind: 'cluster', kube, flows: local, follow: true, kinds: AGENT_MODEL_KINDS, pageSize: AGENT_LIST_PAGE };
}

export async function runAgent(cfg: AgentConfig): Promise<number> {
  // V8 reads the growth step whenever it sets the next limit, so setting it now, before
  // the model and the ring exist, applies (0: V8's own).
  if (cfg.heapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${cfg.heapGrowingPercent}`);
  const { startObserverServer } = await import('../../grpc/server.ts');
  const say = (line: string): void => void process.stderr.write(`netscope agent: ${sanitize(line)}\n`);
  const health: AgentHealth = {};
  let failed: ((err: unknown) => void) | undefined;
  const failure = new Promise<string>((resolve) => (failed = (err) => resolve(err instanceof Error ? err.message : String(err))));

  const healthServer = cfg.healthListen === undefined ? undefined : await startHealthServer(cfg.healthListen, () => health).catch((err: unknown) => {
    throw new CliError(err instanceof Error ? err.message : String(err), ExitCode.ERROR);
  });
  if (healthServer) say(`health on http://${healthServer.address}/healthz`);

  const server = await startObserverServer({
    source: openSource(agentSourceOptions(cfg)),
    listen: cfg.listen,
    tls: cfg.tls,
    bufferSize: cfg.bufferSize,
    nodeName: cfg.nodeName,
    advertiseAddress: cfg.advertiseAddress,
    version: `netscope ${buildInfo().version}`,
    onStatus: (ev) => {
      if (ev.source === COLLECTOR && ev.state === 'connected') health.attached = ev.message ?? 'eBPF collector attached';
      if (ev.source === COLLECTOR && ev.state === 'done') {
        health.failure = ev.message ?? 'eBPF collector stopped';
        failed?.(new Error(health.failure));
      }
      if (ev.state !== 'connected' || ev.message !== undefined) say(ev.message ?? `${ev.source}: ${ev.state}`);
    },
    onSourceError: (err) => {
      health.failure = err instanceof Error ? err.message : String(err);
      failed?.(err);
    },
  }).catch(async (err: unknown) => {
    await healthServer?.close();
    throw new CliError(err instanceof Error ? err.message : String(err), ExitCode.ERROR);
  });
  health.serving = server.addresses;
  const mode = cfg.tls ? `${cfg.tls.clientCaFiles ? 'mTLS' : 'TLS'}, server name ${cfg.tls.serverName}` : 'plaintext';
  say(`serving Observer and Peer on ${server.addresses.join(', ')} (${mode}), node ${cfg.nodeName}${cfg.advertiseAddress ? `, advertised as ${cfg.advertiseAddress}` : ''}${cfg.cluster ? '' : ', no cluster'}`);

  const outcome = await new Promise<{ signal: true } | { error: string }>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve({ signal: true });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    void failure.then((error) => resolve({ error }));
  });
  await server.close();
  await healthServer?.close();
  if ('error' in outcome) {
    process.stderr.write(`netscope: ${sanitize(outcome.error)}\n`);
    return ExitCode.ERROR;
  }
  return ExitCode.OK;
}
