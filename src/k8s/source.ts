// The Kubernetes cluster as a Source: keeps a live model (list+watch) while
// subscribed, reports the connection in status events (one line each), and enriches
// the flows of another source with it. A plain cluster has no flow source of its own
// yet (Hubble Relay is a later issue); the status says so.
import { Observable, Subscription, distinctUntilChanged, map } from 'rxjs';
import { sanitize } from '../model/sanitize.ts';
import type { Source, SourceEvent } from '../model/source.ts';
import { enrich } from '../streams/enrich.ts';
import { ClusterModel, type ClusterModelOptions } from './cluster.ts';
import { loadKubeConfig, type KubeConfigOptions, type KubeTarget } from './kubeconfig.ts';
import { clusterStatusLine } from './status-line.ts';
import { KubeTransport } from './transport.ts';

export interface ClusterSourceOptions {
  kube: KubeConfigOptions;
  /** Flows to enrich with the model. Without it the source carries cluster status only. */
  flows?: Source;
  /** Without flows: keep running (TUI) or end once the model is loaded (one-shot CLI). */
  follow?: boolean;
  /** How long flows wait for the first complete model before passing through anyway. */
  settleTimeoutMs?: number;
  /** Called with the model on each subscription (views, topology). */
  onModel?: (model: ClusterModel, target: KubeTarget) => void;
  modelOptions?: Partial<Omit<ClusterModelOptions, 'transport'>>;
}

/** Builds a model for a loaded kubeconfig target (not started). */
export function clusterModelFor(target: KubeTarget, opts: Partial<Omit<ClusterModelOptions, 'transport'>> = {}): ClusterModel {
  return new ClusterModel({ transport: new KubeTransport(target), namespace: target.namespace, ...opts });
}

/**
 * Loads the kubeconfig now (a broken one throws KubeConfigError: one line naming the
 * file, field or context) and returns a cold Source that connects on subscribe.
 */
export function createClusterSource(opts: ClusterSourceOptions): Source {
  const target = loadKubeConfig(opts.kube);
  const name = `k8s:${target.contextName}`;
  return new Observable<SourceEvent>((sub) => {
    const model = clusterModelFor(target, opts.modelOptions);
    const subs = new Subscription();
    opts.onModel?.(model, target);
    const status = (state: SourceEvent & { kind: 'status' }): void => sub.next(state);
    subs.add(
      model.status$
        .pipe(
          map((states) => clusterStatusLine(target.contextName, states, model.store)),
          distinctUntilChanged((a, b) => a.state === b.state && a.message === b.message),
        )
        .subscribe((line) => status({ kind: 'status', source: name, state: line.state, message: sanitize(line.message) })),
    );
    model.start();
    let settledTimer: NodeJS.Timeout | undefined;
    let closed = false;
    let started = false;
    const afterSettle = (): void => {
      if (closed || started) return;
      started = true;
      clearTimeout(settledTimer);
      if (opts.flows) {
        subs.add(
          opts.flows.pipe(enrich(model.store)).subscribe({
            next: (ev) => sub.next(ev),
            error: (err: unknown) => sub.error(err),
            complete: () => sub.complete(),
          }),
        );
        return;
      }
      status({
        kind: 'status',
        source: name,
        state: 'warning',
        message: `context ${target.contextName}: no flow source connected (Hubble Relay is not supported yet); use --input-file, --local or --demo for flows`,
      });
      if (!opts.follow) sub.complete();
    };
    settledTimer = setTimeout(afterSettle, opts.settleTimeoutMs ?? 10_000);
    void model.settled().then(afterSettle);
    return () => {
      closed = true;
      clearTimeout(settledTimer);
      subs.unsubscribe();
      void model.stop();
    };
  });
}
