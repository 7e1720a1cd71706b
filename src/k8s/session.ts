// A connection to "the cluster of the current context": the live model plus the
// ability to switch context (`:ctx`) without restarting. Consumers hold the session,
// not a model, so enrichment and views follow a switch.
import { Subject, type Observable, type Subscription } from 'rxjs';
import { apiErrorFrom } from './api-error.ts';
import { ClusterModel, type ClusterModelOptions, type ResourceState } from './cluster.ts';
import type { IpIdentity } from './identity.ts';
import type { KubeTarget } from './target.ts';
import { objectPath, RESOURCE_TYPES, type ResourceKind } from './resources.ts';
import { clusterStatusLine, type ClusterStatusLine } from './status-line.ts';
import type { ClusterStore } from './store.ts';
import { KubeTransport, readBody } from './transport.ts';

export type ModelOptions = Partial<Omit<ClusterModelOptions, 'transport'>>;

export class ClusterSession {
  private current: { target: KubeTarget; model: ClusterModel };
  private readonly modelOptions: ModelOptions;
  private readonly changes = new Subject<void>();
  private readonly statusLines = new Subject<ClusterStatusLine>();
  private detach: (() => void) | undefined;
  private started = false;

  constructor(target: KubeTarget, modelOptions: ModelOptions = {}) {
    this.modelOptions = modelOptions;
    this.current = { target, model: this.makeModel(target) };
  }

  get target(): KubeTarget {
    return this.current.target;
  }

  get model(): ClusterModel {
    return this.current.model;
  }

  get store(): ClusterStore {
    return this.current.model.store;
  }

  /** Fires on every model change, and when the context switches. */
  get changes$(): Observable<void> {
    return this.changes.asObservable();
  }

  /** The one-line connection status, on every change of it. */
  get status$(): Observable<ClusterStatusLine> {
    return this.statusLines.asObservable();
  }

  statusLine(): ClusterStatusLine {
    return clusterStatusLine(this.target.contextName, this.model.resourceStates, this.store);
  }

  lookup(ip: string): IpIdentity | undefined {
    return this.current.model.store.lookup(ip);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.attach();
    this.current.model.start();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.detach?.();
    await this.current.model.stop();
  }

  /** Connects to another context of the same kubeconfig; throws KubeConfigError if unknown. */
  async switchContext(name: string): Promise<void> {
    // Loaded here: an in-cluster agent never switches and never loads client-node.
    const { switchContext } = await import('./kubeconfig.ts');
    const target = switchContext(this.current.target, name);
    const old = this.current.model;
    this.detach?.();
    this.current = { target, model: this.makeModel(target) };
    if (this.started) {
      this.attach();
      this.current.model.start();
    }
    this.changes.next();
    await old.stop();
  }

  /** The full object from the API server (for YAML views); undefined if it is gone. */
  async fetch(kind: ResourceKind, namespace: string, name: string): Promise<unknown> {
    const transport = this.current.model.transport;
    const res = await transport.get(objectPath(RESOURCE_TYPES[kind], name, namespace), AbortSignal.timeout(15_000));
    const body = await readBody(res);
    if (res.statusCode === 404) return undefined;
    const what = `get ${RESOURCE_TYPES[kind].plural}/${name}`;
    if (res.statusCode !== 200) throw apiErrorFrom(res.statusCode ?? 0, body, what);
    try {
      return JSON.parse(body) as unknown;
    } catch {
      throw new Error(`${what}: response is not JSON`);
    }
  }

  private makeModel(target: KubeTarget): ClusterModel {
    return new ClusterModel({ transport: new KubeTransport(target), namespace: target.namespace, ...this.modelOptions });
  }

  private attach(): void {
    const model = this.current.model;
    const offStore = model.store.onChange(() => this.changes.next());
    let last = '';
    const sub: Subscription = model.status$.subscribe((states: readonly ResourceState[]) => {
      const line = clusterStatusLine(this.current.target.contextName, states, model.store);
      const key = `${line.state}|${line.message}`;
      if (key !== last) {
        last = key;
        this.statusLines.next(line);
      }
      this.changes.next();
    });
    this.detach = () => {
      offStore();
      sub.unsubscribe();
      this.detach = undefined;
    };
  }
}
