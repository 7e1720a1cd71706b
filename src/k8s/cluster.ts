// The live cluster model: one reflector per resource type feeding one store.
// Namespaced types are watched cluster-wide so every flow can be named; when RBAC
// forbids that, the model falls back to the user's namespace and says so.
import { BehaviorSubject, type Observable } from 'rxjs';
import type { BackoffOptions } from './backoff.ts';
import { toView, type ModelObject } from './objects.ts';
import { Reflector, type ReflectorStatus } from './reflector.ts';
import { RESOURCE_KINDS, RESOURCE_TYPES, type ResourceKind } from './resources.ts';
import { ClusterStore } from './store.ts';
import type { ApiTransport } from './transport.ts';

export interface ResourceState {
  kind: ResourceKind;
  /** undefined: cluster-wide. */
  namespace?: string;
  status: ReflectorStatus;
}

export interface ClusterModelOptions {
  transport: ApiTransport;
  store?: ClusterStore;
  /** Namespace to fall back to when listing a namespaced type cluster-wide is forbidden. */
  namespace?: string;
  kinds?: readonly ResourceKind[];
  backoff?: BackoffOptions;
  pageSize?: number;
  recheckMs?: number;
  watchTimeoutSeconds?: number;
}

export class ClusterModel {
  readonly store: ClusterStore;
  readonly transport: ApiTransport;
  private readonly opts: ClusterModelOptions;
  private readonly reflectors = new Map<ResourceKind, Reflector>();
  private readonly states = new Map<ResourceKind, ResourceState>();
  private readonly subject: BehaviorSubject<readonly ResourceState[]>;
  private settledResolve: (() => void) | undefined;
  private readonly settledPromise: Promise<void>;

  constructor(opts: ClusterModelOptions) {
    this.opts = opts;
    this.transport = opts.transport;
    this.store = opts.store ?? new ClusterStore();
    for (const kind of opts.kinds ?? RESOURCE_KINDS) this.states.set(kind, { kind, status: { state: 'pending' } });
    this.subject = new BehaviorSubject<readonly ResourceState[]>(this.snapshot());
    this.settledPromise = new Promise((r) => (this.settledResolve = r));
  }

  /** Per-resource states, re-emitted on every change of state. */
  get status$(): Observable<readonly ResourceState[]> {
    return this.subject.asObservable();
  }

  get resourceStates(): readonly ResourceState[] {
    return this.snapshot();
  }

  reflector(kind: ResourceKind): Reflector | undefined {
    return this.reflectors.get(kind);
  }

  start(): void {
    for (const kind of this.states.keys()) this.startReflector(kind, undefined);
  }

  async stop(): Promise<void> {
    const all = [...this.reflectors.values()];
    this.reflectors.clear();
    await Promise.all(all.map((r) => r.stop()));
    this.subject.complete();
  }

  /** Resolves once every resource has been listed or has failed at least once. */
  settled(): Promise<void> {
    return this.settledPromise;
  }

  private snapshot(): ResourceState[] {
    return [...this.states.values()].map((s) => ({ ...s }));
  }

  private startReflector(kind: ResourceKind, namespace: string | undefined): void {
    const type = RESOURCE_TYPES[kind];
    const store = this.store;
    const r = new Reflector({
      transport: this.opts.transport,
      type,
      namespace,
      pageSize: this.opts.pageSize,
      backoff: this.opts.backoff,
      recheckMs: this.opts.recheckMs,
      watchTimeoutSeconds: this.opts.watchTimeoutSeconds,
      sink: {
        compact: (raw) => toView(kind, raw),
        replace: (views) => store.replaceViews(kind, views as ModelObject[], namespace),
        upsert: (raw) => store.upsert(kind, raw),
        remove: (raw) => store.remove(kind, raw),
      },
      onStatus: (status) => this.onStatus(kind, namespace, r, status),
    });
    this.reflectors.set(kind, r);
    r.start();
  }

  private onStatus(kind: ResourceKind, namespace: string | undefined, r: Reflector, status: ReflectorStatus): void {
    if (this.reflectors.get(kind) !== r) return; // a replaced reflector winding down
    const type = RESOURCE_TYPES[kind];
    const fallback = this.opts.namespace;
    if (status.state === 'forbidden' && namespace === undefined && type.namespaced && fallback !== undefined) {
      // Least privilege: may not list cluster-wide, perhaps may in the user's namespace.
      void r.stop();
      this.startReflector(kind, fallback);
      return;
    }
    this.states.set(kind, { kind, namespace, status });
    this.subject.next(this.snapshot());
    if (this.settledResolve && [...this.states.values()].every((s) => s.status.state !== 'pending')) {
      this.settledResolve();
      this.settledResolve = undefined;
    }
  }
}
