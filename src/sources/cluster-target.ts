// The Kubernetes cluster as a Source, from a loaded KubeTarget (sources/cluster.ts loads
// one from a kubeconfig): keeps a live model (list+watch) while subscribed, reports the
// connection in status events (one line each), and enriches the flows of another source
// with it. Without one, it can look for Hubble Relay in the cluster (discoverFlows) and
// read it through a port-forward; the status says what it connected to, or why not.
import { Observable, Subscription, filter, take } from 'rxjs';
import { sanitize } from '../model/sanitize.ts';
import type { Source, SourceEvent } from '../model/source.ts';
import { enrich } from '../streams/enrich.ts';
import type { KubeConfigOptions } from '../k8s/kubeconfig-files.ts';
import type { KubeTarget } from '../k8s/target.ts';
import { ClusterSession, type ModelOptions } from '../k8s/session.ts';

export interface ClusterSourceOptions {
  kube: KubeConfigOptions;
  /** Flows to enrich with the model. Without it the source carries cluster status only. */
  flows?: Source;
  /** Without flows: keep running (TUI) or end once the model is loaded (one-shot CLI). */
  follow?: boolean;
  /**
   * Without `flows`: find a flow source in the cluster (Hubble Relay). Rejects with the
   * reason there is none (naming what it looked for), which the status then gives.
   */
  discoverFlows?: (target: KubeTarget) => Promise<Source>;
  /** How long flows wait for the first complete model before passing through anyway. */
  settleTimeoutMs?: number;
  /** Called with the session on each subscription (resource views, topology). */
  onSession?: (session: ClusterSession) => void;
  modelOptions?: ModelOptions;
}

/**
 * The cluster of an already loaded target as a cold Source that connects on subscribe.
 * Apart from createClusterSource so that an in-cluster agent reaches it without
 * kubeconfig.ts and the @kubernetes/client-node it imports.
 */
export function clusterSourceFor(target: KubeTarget, opts: Omit<ClusterSourceOptions, 'kube'>): Source {
  return new Observable<SourceEvent>((sub) => {
    const session = new ClusterSession(target, opts.modelOptions);
    const subs = new Subscription();
    const name = (): string => `k8s:${session.target.contextName}`;
    const status = (state: SourceEvent & { kind: 'status' }): void => sub.next(state);
    subs.add(session.status$.subscribe((line) => status({ kind: 'status', source: name(), state: line.state, message: sanitize(line.message) })));
    opts.onSession?.(session);
    session.start();
    let settledTimer: NodeJS.Timeout | undefined;
    let closed = false;
    let started = false;
    const afterSettle = (): void => {
      if (closed || started) return;
      started = true;
      clearTimeout(settledTimer);
      const line = session.statusLine();
      const healthy = line.state === 'connected' || line.state === 'warning';
      const withFlows = (flows: Source): void => {
        if (!healthy) {
          status({ kind: 'status', source: name(), state: 'warning', message: sanitize(`${line.message}; flows are shown without cluster names until it connects`) });
        }
        subs.add(
          flows.pipe(enrich(session)).subscribe({
            next: (ev) => sub.next(ev),
            error: (err: unknown) => sub.error(err),
            complete: () => sub.complete(),
          }),
        );
      };
      if (opts.flows) return withFlows(opts.flows);
      if (opts.discoverFlows && healthy) return discover(withFlows);
      noSource(undefined, withFlows);
    };
    const discover = (withFlows: (flows: Source) => void): void => {
      opts.discoverFlows!(session.target).then(
        (flows) => {
          if (!closed) withFlows(flows);
        },
        (err: unknown) => {
          if (!closed) noSource(`looked for Hubble Relay: ${err instanceof Error ? err.message : String(err)}`, withFlows);
        },
      );
    };
    const noSource = (why: string | undefined, withFlows: (flows: Source) => void): void => {
      const line = session.statusLine();
      const healthy = line.state === 'connected' || line.state === 'warning';
      const noFlows = (): void =>
        status({
          kind: 'status',
          source: name(),
          state: 'warning',
          message: sanitize(
            `context ${session.target.contextName}: no flow source connected${why ? ` (${why})` : ''}; use --server, -P, --input-file, --local or --demo for flows`,
          ),
        });
      if (!opts.follow) {
        // A one-shot command ends here: an unreachable cluster is its error.
        if (!healthy) status({ kind: 'status', source: name(), state: 'error', message: sanitize(line.message) });
        noFlows();
        sub.complete();
        return;
      }
      // Following (TUI): a connection problem stays the last word until it is solved;
      // the "no flow source" note comes once the cluster is reachable.
      // Once it is reachable, Hubble Relay is looked for (when asked and not yet done).
      const later = (): void => (opts.discoverFlows && why === undefined ? discover(withFlows) : noFlows());
      if (healthy) noFlows();
      else subs.add(session.status$.pipe(filter((l) => l.state === 'connected' || l.state === 'warning'), take(1)).subscribe(later));
    };
    settledTimer = setTimeout(afterSettle, opts.settleTimeoutMs ?? 10_000);
    void session.model.settled().then(afterSettle);
    return () => {
      closed = true;
      clearTimeout(settledTimer);
      subs.unsubscribe();
      void session.stop();
    };
  });
}
