// Picks the Source for a set of CLI options. Each kind of source is one branch; new
// kinds (local collector, Kubernetes / Hubble Relay) add a member to SourceOptions
// and a case here.
import { defer, from, switchMap } from 'rxjs';
import type { Source } from '../model/source.ts';
import type { KubeConfigOptions } from '../k8s/kubeconfig-files.ts';
import type { KubeTarget } from '../k8s/target.ts';
import type { ResourceKind } from '../k8s/resources.ts';
import { createDemoSource } from './demo/index.ts';
import { createFileSource, type FlowControl } from './file.ts';
import { createLocalSource, type LocalSourceOptions } from './local.ts';
import type { GrpcSourceOptions } from './grpc.ts';
import type { RelayRequest } from './relay-port-forward.ts';
import type { ClusterSourceOptions } from './cluster-target.ts';

export type SourceOptions =
  | {
      kind: 'file';
      /** `-` for stdin. */
      path: string;
      linePrefilter?: (line: Buffer) => boolean;
      /** Lets a slow consumer (stdout into a pipe) pause the reading. */
      flowControl?: FlowControl;
    }
  | {
      kind: 'demo';
      seed?: number;
      /** Flows per second. */
      rate?: number;
      /** Seconds of history before now. */
      historySeconds?: number;
      follow: boolean;
    }
  | ({
      /** This machine's eBPF collector (root or CAP_BPF+CAP_PERFMON+CAP_NET_ADMIN). */
      kind: 'local';
    } & LocalSourceOptions)
  | ({
      /** Hubble's Observer API: Hubble Relay, a Cilium agent, `netscope serve` (--server). */
      kind: 'grpc';
    } & GrpcSourceOptions)
  | {
      /** -P: Hubble Relay (kube-system/hubble-relay) through the API server's port-forward. */
      kind: 'relay-port-forward';
      kube: KubeConfigOptions;
      request: RelayRequest;
    }
  | {
      /** The cluster model (list+watch); enriches `flows` when given, else status only. */
      kind: 'cluster';
      kube: KubeConfigOptions;
      flows?: SourceOptions;
      follow: boolean;
      /** What the model lists and watches (default: every kind the views use). */
      kinds?: readonly ResourceKind[];
      /** Objects per list page (default the reflector's, 500). */
      pageSize?: number;
      /**
       * Without `flows`: look for Hubble Relay in the cluster and read it when found.
       */
      discoverRelay?: RelayRequest;
      /**
       * Replaces the Hubble Relay lookup (the CLI passes the relay-then-agents search of
       * src/agent/cluster-flows.ts, a layer above this one). Used only with discoverRelay.
       */
      discover?: (target: KubeTarget) => Promise<Source>;
    };

export function openSource(opts: SourceOptions): Source {
  switch (opts.kind) {
    case 'file':
      return createFileSource({ path: opts.path, linePrefilter: opts.linePrefilter, flowControl: opts.flowControl });
    case 'demo':
      return createDemoSource({ seed: opts.seed, rate: opts.rate, historySeconds: opts.historySeconds, follow: opts.follow });
    case 'local': {
      const { kind: _kind, ...local } = opts;
      return createLocalSource(local);
    }
    case 'grpc': {
      const { kind: _kind, ...grpc } = opts;
      // Loaded on subscribe: grpc-js and protobufjs are not needed by the other sources.
      return defer(() => from(import('./grpc.ts'))).pipe(switchMap((m) => m.createGrpcSource(grpc)));
    }
    case 'relay-port-forward':
      return defer(() => from(import('./relay-port-forward.ts'))).pipe(switchMap((m) => m.createRelayPortForwardSource(opts.kube, { request: opts.request })));
    case 'cluster': {
      const flows = opts.flows ? openSource(opts.flows) : undefined;
      const relay = opts.discoverRelay;
      // Loaded on subscribe: the Kubernetes client takes long to import.
      const discover = opts.discover;
      // In a pod with no kubeconfig file: the service account, without kubeconfig.ts and
      // the @kubernetes/client-node it imports (what the agent runs as).
      const load = async (): Promise<(o: ClusterSourceOptions) => Source> => {
        const inCluster = (await import('../k8s/in-cluster.ts')).inClusterTarget(opts.kube);
        if (inCluster) {
          const { clusterSourceFor } = await import('./cluster-target.ts');
          return (o) => clusterSourceFor(inCluster, o);
        }
        return (await import('./cluster.ts')).createClusterSource;
      };
      return defer(() => Promise.all([load(), relay && !discover ? import('./relay-port-forward.ts') : undefined])).pipe(
        switchMap(([createClusterSource, r]) =>
          createClusterSource({
            kube: opts.kube,
            flows,
            follow: opts.follow,
            modelOptions: opts.kinds || opts.pageSize ? { kinds: opts.kinds, pageSize: opts.pageSize } : undefined,
            discoverFlows: relay === undefined ? undefined : (discover ?? (r ? (target) => r.openRelayPortForward(target, { request: relay }) : undefined)),
          }),
        ),
      );
    }
  }
}
