// Where a kubeconfig with no source named gets its flows: Hubble Relay through the API
// server's port-forward when the cluster has one, else the netscope agents (their
// DaemonSet's pods, each read over a pod port-forward and merged by the fan-in).
// `--agents` reads the agents even when a relay exists. The first status line says
// which it is and, when it fell back, why there was no relay.
import { concat, of, type Observable } from 'rxjs';
import { createAgentSource } from './discovery.ts';
import { DEFAULT_NAMESPACE } from './manifest.ts';
import type { KubeTarget } from '../k8s/kubeconfig.ts';
import { KubeTransport } from '../k8s/transport.ts';
import { sanitize } from '../model/sanitize.ts';
import type { Source, SourceEvent } from '../model/source.ts';
import { grpcAgentConnector, portForwardDialer } from './connector.ts';
import { openRelayPortForward, type RelayRequest } from '../sources/relay-port-forward.ts';

export interface ClusterFlowsOptions {
  request: RelayRequest;
  /** The agents' namespace (default the manifests', `netscope`). */
  agentNamespace?: string;
  /** --agents: skip Hubble Relay. */
  agentsOnly?: boolean;
}

/** The fan-in's name in the status line. */
export const AGENTS_SOURCE = 'agents';

export function openAgents(target: KubeTarget, opts: ClusterFlowsOptions, why: string): Source {
  const namespace = opts.agentNamespace ?? DEFAULT_NAMESPACE;
  const agents = createAgentSource({
    transport: new KubeTransport(target),
    namespace,
    connect: grpcAgentConnector(opts.request, portForwardDialer(target)),
    fanIn: { follow: opts.request.follow, source: AGENTS_SOURCE },
    once: !opts.request.follow,
  });
  const first: SourceEvent = {
    kind: 'status',
    source: AGENTS_SOURCE,
    state: 'connecting',
    message: sanitize(`${why || 'reading '}netscope agents in namespace ${namespace} via port-forward (context ${target.contextName})`),
  };
  return concat(of(first), agents) as Observable<SourceEvent>;
}

/** For createClusterSource's discoverFlows: resolves to the relay's or the agents' flows. */
export async function discoverClusterFlows(target: KubeTarget, opts: ClusterFlowsOptions): Promise<Source> {
  if (opts.agentsOnly) return openAgents(target, opts, '');
  try {
    return await openRelayPortForward(target, { request: opts.request });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return openAgents(target, opts, `no Hubble Relay (${why}); reading `);
  }
}
