// Reading one node agent: gRPC (the Observer API) to the agent, over the API server's
// pod port-forward to its port 4244 in the product, or straight to an address (tests,
// agents reachable directly). Discovery and the fan-in own retrying: this stream ends
// with an error as soon as the connection is lost, so the fan-in marks the node
// unavailable, backs off and calls again with `since` the last flow's time.
import { Observable } from 'rxjs';
import type { AgentConnector, AgentTarget } from './discovery.ts';
import { OBSERVER_PORT } from './manifest.ts';
import { hubbleServerName } from './server-name.ts';
import type { ClientTls } from '../grpc/tls.ts';
import { parseTimestamp } from '../codec/timestamp.ts';
import type { KubeTarget } from '../k8s/kubeconfig.ts';
import { startPortForward } from '../k8s/port-forward.ts';
import type { SourceEvent } from '../model/source.ts';
import type { ResumeFrom } from '../streams/fan-in.ts';
import { createGrpcSource } from '../sources/grpc.ts';
import type { RelayRequest } from '../sources/relay-port-forward.ts';

/** A way to an agent's Observer port: where to dial, and how to let go of it. */
export interface AgentDial {
  /** grpc-js target (`127.0.0.1:PORT`). */
  address: string;
  /** For messages: `netscope/netscope-agent-x7k2p:4244`. */
  describe: string;
  close(): Promise<void>;
}

export type AgentDialer = (target: AgentTarget) => Promise<AgentDial>;

/** The dialer of the product: a loopback port-forward through the API server to the pod's port. */
export function portForwardDialer(kube: KubeTarget, port = OBSERVER_PORT): AgentDialer {
  return async (t) => {
    const pf = await startPortForward(kube, { namespace: t.namespace, pod: { pod: t.pod, port } });
    return { address: pf.localAddress, describe: pf.describe(), close: () => pf.close() };
  };
}

/**
 * The client TLS for one agent: the command's files, verifying the name that agent serves
 * (its pod's command line, see server-name.ts; Cilium's `<node>.default.hubble-grpc.cilium.io`
 * when the pod does not say), since the port-forward's loopback address is no name of its
 * certificate. --tls-server-name, when given, is verified for every agent instead.
 */
export function agentTls(tls: ClientTls | undefined, target: AgentTarget): ClientTls | undefined {
  if (tls === undefined || tls.serverName !== undefined) return tls;
  return { ...tls, serverName: target.tlsServerName ?? hubbleServerName(target.node) };
}

/**
 * The one line for a lost or refused agent stream (the fan-in puts it after the node's
 * name): which pod, what happened, and for a certificate without the name, which name.
 */
export function agentFailure(describe: string, message: string, tls: ClientTls | undefined): string {
  let why = message.replace(/; retrying in [^;]*$/, '');
  if (tls?.serverName !== undefined) why = why.replace('is not for this name (--tls-server-name)', `is not for ${tls.serverName} (the name this agent serves; --tls-server-name verifies another)`);
  // A failed call's message already names the server (describeGrpcError).
  return why.startsWith(`server ${describe}: `) ? why : `${describe}: ${why}`;
}

/**
 * The connector discovery calls per agent pod (and again on every retry). The request is
 * the command's (filters, TLS, follow). `number` applies to the first stream only: a
 * resumed one asks for everything since the last flow.
 */
export function grpcAgentConnector(request: RelayRequest, dial: AgentDialer): AgentConnector {
  return (target: AgentTarget, resume: ResumeFrom) =>
    new Observable<SourceEvent>((sub) => {
      let closed = false;
      let inner: { unsubscribe(): void } | undefined;
      let way: AgentDial | undefined;
      dial(target).then(
        (d) => {
          way = d;
          if (closed) return void d.close();
          const since = resume.since !== undefined ? parseTimestamp(resume.since) : undefined;
          const tls = agentTls(request.tls, target);
          const src = createGrpcSource({
            ...request,
            tls,
            server: d.describe,
            target: d.address,
            number: since !== undefined ? 0 : request.number,
            first: since !== undefined ? false : request.first,
            since: since ?? request.since,
            // GetNodes/ServerStatus of one agent add nothing the fan-in does not know.
            statusIntervalMs: 0,
          });
          inner = src.subscribe({
            next: (ev) => {
              // The gRPC source would retry by itself; here the fan-in does (per-node state, backoff, since).
              if (ev.kind === 'status' && ev.state === 'reconnecting') sub.error(new Error(agentFailure(d.describe, ev.message ?? 'connection lost', tls)));
              else sub.next(ev);
            },
            error: (err: unknown) => sub.error(new Error(agentFailure(d.describe, err instanceof Error ? err.message : String(err), tls))),
            complete: () => sub.complete(),
          });
        },
        (err: unknown) => sub.error(new Error(`${target.id} on ${target.node}: ${err instanceof Error ? err.message : String(err)}`)),
      );
      return () => {
        closed = true;
        inner?.unsubscribe();
        void way?.close();
      };
    });
}
