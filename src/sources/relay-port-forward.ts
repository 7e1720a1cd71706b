// Hubble Relay through the API server: `-P/--port-forward`, and the cluster default
// (a kubeconfig, no source named) looking for Hubble Relay by itself. The gRPC source
// reads from a loopback port-forward (src/k8s/port-forward.ts) to the hubble-relay
// Service's pod; the status says what it connected to.
import { Observable } from 'rxjs';
import type { Source, SourceEvent } from '../model/source.ts';
import { loadKubeConfig, type KubeConfigOptions, type KubeTarget } from '../k8s/kubeconfig.ts';
import { HUBBLE_RELAY, startPortForward } from '../k8s/port-forward.ts';
import { createGrpcSource, grpcSourceName, type GrpcSourceOptions } from './grpc.ts';

export type RelayRequest = Omit<GrpcSourceOptions, 'server' | 'target'>;

export interface RelayPortForwardOptions {
  namespace?: string;
  service?: string;
  request: RelayRequest;
}

/**
 * Starts the port-forward now (rejects with a PortForwardError naming the Service and
 * namespace when there is no such Service or no ready pod) and returns the flows.
 */
export async function openRelayPortForward(target: KubeTarget, opts: RelayPortForwardOptions): Promise<Source> {
  const namespace = opts.namespace ?? HUBBLE_RELAY.namespace;
  const service = opts.service ?? HUBBLE_RELAY.service;
  const label = `${namespace}/${service}`;
  const problems: string[] = [];
  let notify: ((message: string) => void) | undefined;
  const pf = await startPortForward(target, { namespace, service, onError: (m) => (notify ? notify(m) : problems.push(m)) });
  return new Observable<SourceEvent>((sub) => {
    const name = grpcSourceName(label);
    notify = (message) => sub.next({ kind: 'status', source: name, state: 'warning', message });
    for (const m of problems.splice(0)) notify(m);
    sub.next({ kind: 'status', source: name, state: 'connecting', message: `Hubble Relay via port-forward to ${pf.describe()} (context ${target.contextName})` });
    const inner = createGrpcSource({ ...opts.request, server: label, target: pf.localAddress }).subscribe(sub);
    return () => {
      inner.unsubscribe();
      void pf.close();
    };
  });
}

/** `-P`: the kubeconfig is read now (a broken one throws), the port-forward starts on subscribe. */
export function createRelayPortForwardSource(kube: KubeConfigOptions, opts: RelayPortForwardOptions): Source {
  const target = loadKubeConfig(kube);
  return new Observable<SourceEvent>((sub) => {
    let inner: { unsubscribe(): void } | undefined;
    let closed = false;
    openRelayPortForward(target, opts).then(
      (src) => {
        if (!closed) inner = src.subscribe(sub);
      },
      (err: unknown) => sub.error(new Error(`port-forward to Hubble Relay (context ${target.contextName}): ${err instanceof Error ? err.message : String(err)}`)),
    );
    return () => {
      closed = true;
      inner?.unsubscribe();
    };
  });
}
