// A fake Kubernetes API server for tests and benchmarks. It speaks the real HTTP
// protocol the reflector uses: JSON lists with metadata.resourceVersion and continue
// tokens, chunked watch streams of {"type","object"} lines (ADDED / MODIFIED /
// DELETED / BOOKMARK / ERROR), 410 Gone for compacted resourceVersions and expired
// continue tokens, 403 Status objects per resource and namespace (RBAC), 401 for
// bad tokens, API discovery (CRDs), and connections that tests can drop at will.
// Listens on loopback only.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { handlePortForwardUpgrade, type PortForwardTargets } from './port-forward.ts';

export interface FakeResource {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export const FAKE_RESOURCES: FakeResource[] = [
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true },
  { group: 'cilium.io', version: 'v2', plural: 'ciliumnetworkpolicies', kind: 'CiliumNetworkPolicy', namespaced: true },
  {
    group: 'cilium.io',
    version: 'v2',
    plural: 'ciliumclusterwidenetworkpolicies',
    kind: 'CiliumClusterwideNetworkPolicy',
    namespaced: false,
  },
  { group: 'policy.networking.k8s.io', version: 'v1alpha1', plural: 'adminnetworkpolicies', kind: 'AdminNetworkPolicy', namespaced: false },
  { group: 'policy.networking.k8s.io', version: 'v1alpha1', plural: 'baselineadminnetworkpolicies', kind: 'BaselineAdminNetworkPolicy', namespaced: false },
];

type Obj = { metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string; [k: string]: unknown }; [k: string]: unknown };
type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface HistoryEvent {
  rv: number;
  plural: string;
  type: EventType;
  object: Obj;
}

interface Watcher {
  plural: string;
  namespace: string | undefined;
  bookmarks: boolean;
  res: http.ServerResponse;
}

export interface FakeApiServerOptions {
  /** PEM key and cert: serve HTTPS instead of HTTP. */
  tls?: { key: string; cert: string };
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Serve the cilium.io group (CRDs installed). */
  cilium?: boolean;
  /** Serve policy.networking.k8s.io (AdminNetworkPolicy CRDs installed). */
  adminPolicies?: boolean;
  /** User name used in 403 messages. */
  user?: string;
}

export interface RecordedRequest {
  path: string;
  query: URLSearchParams;
}

/** RBAC for one resource: which namespaces may be listed/watched; `clusterWide` for all. */
interface Access {
  clusterWide: boolean;
  namespaces: Set<string>;
  /** `list` allowed but not `watch` (a role without the watch verb). */
  noWatch?: boolean;
}

export class FakeApiServer {
  private readonly opts: FakeApiServerOptions;
  private server: http.Server | undefined;
  private readonly stores = new Map<string, Map<string, Obj>>();
  private history: HistoryEvent[] = [];
  private rv = 100;
  /** Watches from a resourceVersion older than this get 410 Gone. */
  private compactedRV = 0;
  private readonly watchers = new Set<Watcher>();
  private readonly access = new Map<string, Access>();
  private port = 0;
  cilium: boolean;
  adminPolicies: boolean;
  readonly requests: RecordedRequest[] = [];
  /** Pod port-forward (WebSocket): which pod ports answer, and the requests seen. */
  readonly portForward: PortForwardTargets = { targets: new Map(), requests: [], forbidden: false };

  constructor(opts: FakeApiServerOptions = {}) {
    this.opts = opts;
    this.cilium = opts.cilium ?? false;
    this.adminPolicies = opts.adminPolicies ?? false;
    for (const r of FAKE_RESOURCES) this.stores.set(r.plural, new Map());
  }

  get url(): string {
    return `${this.opts.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Starts listening on 127.0.0.1 (a given port lets a test restart a "dead" server in place). */
  async start(port = 0): Promise<string> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => this.handle(req, res);
    this.server = this.opts.tls ? https.createServer({ key: this.opts.tls.key, cert: this.opts.tls.cert }, handler) : http.createServer(handler);
    this.server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => {
      this.requests.push({ path: new URL(req.url ?? '/', 'http://fake').pathname, query: new URL(req.url ?? '/', 'http://fake').searchParams });
      const authorized = this.opts.token === undefined || req.headers.authorization === `Bearer ${this.opts.token}`;
      handlePortForwardUpgrade(this.portForward, req, socket, head, authorized);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.url;
  }

  /** Stops listening and cuts every open connection (an unreachable API server). */
  async stop(): Promise<void> {
    this.dropWatches();
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  // ---- objects -------------------------------------------------------------------

  private resource(plural: string): FakeResource {
    const r = FAKE_RESOURCES.find((x) => x.plural === plural);
    if (!r) throw new Error(`fake apiserver: unknown resource ${plural}`);
    return r;
  }

  private keyOf(o: Obj): string {
    return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  }

  /** Creates or replaces an object; emits ADDED or MODIFIED. Returns the stored copy. */
  apply(plural: string, object: Obj): Obj {
    const r = this.resource(plural);
    const store = this.stores.get(plural)!;
    const o = structuredClone(object);
    o.apiVersion = r.group === '' ? r.version : `${r.group}/${r.version}`;
    o.kind = r.kind;
    const key = this.keyOf(o);
    const old = store.get(key);
    o.metadata.uid = old?.metadata.uid ?? o.metadata.uid ?? randomUUID();
    o.metadata.creationTimestamp ??= old?.metadata.creationTimestamp ?? new Date().toISOString();
    o.metadata.resourceVersion = String(++this.rv);
    store.set(key, o);
    this.record(plural, old ? 'MODIFIED' : 'ADDED', o);
    return o;
  }

  /** Loads many objects at once without keeping history (fast setup for benchmarks). */
  seed(plural: string, objects: Obj[]): void {
    for (const object of objects) {
      const r = this.resource(plural);
      const o = object;
      o.apiVersion = r.group === '' ? r.version : `${r.group}/${r.version}`;
      o.kind = r.kind;
      o.metadata.uid ??= randomUUID();
      o.metadata.resourceVersion = String(++this.rv);
      this.stores.get(plural)!.set(this.keyOf(o), o);
    }
    this.compactedRV = this.rv;
    this.history = [];
  }

  /** Deletes an object; emits DELETED. */
  remove(plural: string, namespace: string | undefined, name: string): boolean {
    const store = this.stores.get(plural)!;
    const key = `${namespace ?? ''}/${name}`;
    const old = store.get(key);
    if (!old) return false;
    store.delete(key);
    const o = structuredClone(old);
    o.metadata.resourceVersion = String(++this.rv);
    this.record(plural, 'DELETED', o);
    return true;
  }

  /**
   * Changes objects without telling watchers (as if the events happened while a client
   * was disconnected and were then compacted away). Pair with compact().
   */
  applySilently(plural: string, object: Obj): void {
    const o = structuredClone(object);
    o.metadata.resourceVersion = String(++this.rv);
    this.stores.get(plural)!.set(this.keyOf(o), o);
  }

  removeSilently(plural: string, namespace: string | undefined, name: string): void {
    this.stores.get(plural)!.delete(`${namespace ?? ''}/${name}`);
    ++this.rv;
  }

  get(plural: string, namespace: string | undefined, name: string): Obj | undefined {
    return this.stores.get(plural)!.get(`${namespace ?? ''}/${name}`);
  }

  count(plural: string): number {
    return this.stores.get(plural)!.size;
  }

  // ---- failure injection -----------------------------------------------------------

  /** Forgets history: watches resuming from an older resourceVersion get 410 Gone. */
  compact(): void {
    this.compactedRV = this.rv;
    this.history = [];
  }

  /** Sends a 410 ERROR event on every open watch, then closes them. */
  expireWatches(): void {
    for (const w of [...this.watchers]) {
      this.writeEvent(w, { type: 'ERROR', object: this.status(410, 'Expired', 'too old resource version') });
      w.res.end();
      this.watchers.delete(w);
    }
  }

  /** Cuts every open watch connection mid-stream (no clean end). */
  dropWatches(): void {
    for (const w of [...this.watchers]) {
      w.res.socket?.destroy();
      this.watchers.delete(w);
    }
  }

  /**
   * Applies an object but cuts every watch of its resource in the middle of that
   * event's line: the client sees half a JSON line, then a reset connection.
   */
  applyAndCutMidEvent(plural: string, object: Obj): void {
    const cut = [...this.watchers].filter((w) => w.plural === plural);
    for (const w of cut) this.watchers.delete(w);
    this.apply(plural, object);
    const line = JSON.stringify({ type: 'ADDED', object: this.get(plural, object.metadata.namespace, object.metadata.name) });
    for (const w of cut) {
      w.res.write(line.slice(0, Math.floor(line.length / 2)));
      setTimeout(() => w.res.socket?.destroy(), 20);
    }
  }

  /** Sends a BOOKMARK with the current resourceVersion to watches that asked for them. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      const r = this.resource(w.plural);
      this.writeEvent(w, {
        type: 'BOOKMARK',
        object: { kind: r.kind, apiVersion: r.group === '' ? r.version : `${r.group}/${r.version}`, metadata: { resourceVersion: String(this.rv) } },
      });
    }
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  /** RBAC: restrict `plural` to `namespaces` (none: forbidden everywhere). */
  restrict(plural: string, namespaces: string[] = []): void {
    this.access.set(plural, { clusterWide: false, namespaces: new Set(namespaces) });
    // Access is checked per request, as on a real server; open watches of a now
    // forbidden scope are cut so the client has to ask again.
    for (const w of [...this.watchers]) {
      if (w.plural === plural && !this.allowed(plural, w.namespace)) {
        w.res.socket?.destroy();
        this.watchers.delete(w);
      }
    }
  }

  /** RBAC: `plural` may be listed but not watched. */
  forbidWatch(plural: string): void {
    this.access.set(plural, { clusterWide: true, namespaces: new Set(), noWatch: true });
    for (const w of [...this.watchers]) {
      if (w.plural !== plural) continue;
      w.res.socket?.destroy();
      this.watchers.delete(w);
    }
  }

    allow(plural: string): void {
    this.access.delete(plural);
  }

  // ---- HTTP ----------------------------------------------------------------------

  private status(code: number, reason: string, message: string): Record<string, unknown> {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  }

  private send(res: http.ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private fail(res: http.ServerResponse, code: number, reason: string, message: string): void {
    this.send(res, code, this.status(code, reason, message));
  }

  private allowed(plural: string, namespace: string | undefined): boolean {
    const a = this.access.get(plural);
    if (!a) return true;
    if (a.clusterWide) return true;
    return namespace !== undefined && a.namespaces.has(namespace);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ path: url.pathname, query: url.searchParams });
    if (req.method !== 'GET') return this.fail(res, 405, 'MethodNotAllowed', `${req.method} is not supported by the fake`);
    if (this.opts.token !== undefined && req.headers.authorization !== `Bearer ${this.opts.token}`) {
      return this.fail(res, 401, 'Unauthorized', 'Unauthorized');
    }
    const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 2) {
      group = '';
      version = parts[1]!;
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1]!;
      version = parts[2]!;
      rest = parts.slice(3);
    } else {
      return this.fail(res, 404, 'NotFound', 'the server could not find the requested resource');
    }
    const served = FAKE_RESOURCES.filter(
      (r) => r.group === group && r.version === version && (r.group !== 'cilium.io' || this.cilium) && (r.group !== 'policy.networking.k8s.io' || this.adminPolicies),
    );
    if (served.length === 0) return this.fail(res, 404, 'NotFound', 'the server could not find the requested resource');
    if (rest.length === 0) {
      return this.send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group === '' ? version : `${group}/${version}`,
        resources: served.map((r) => ({ name: r.plural, namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'list', 'watch'] })),
      });
    }
    // /namespaces/{ns}/{plural}[/{name}] or /{plural}[/{name}]
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const r = served.find((x) => x.plural === rest[0]);
    if (!r || rest.length > 2 || (namespace !== undefined && !r.namespaced)) {
      return this.fail(res, 404, 'NotFound', 'the server could not find the requested resource');
    }
    const name = rest[1];
    const verb = name !== undefined ? 'get' : url.searchParams.get('watch') === '1' || url.searchParams.get('watch') === 'true' ? 'watch' : 'list';
    if (!this.allowed(r.plural, namespace) || (verb === 'watch' && this.access.get(r.plural)?.noWatch === true)) {
      const scope = namespace !== undefined ? `in the namespace "${namespace}"` : 'at the cluster scope';
      return this.fail(
        res,
        403,
        'Forbidden',
        `${r.plural}${r.group ? `.${r.group}` : ''} is forbidden: User "${this.opts.user ?? 'netscope-test'}" cannot ${verb} resource "${r.plural}" in API group "${r.group}" ${scope}`,
      );
    }
    if (name !== undefined) {
      const o = this.stores.get(r.plural)!.get(`${namespace ?? ''}/${name}`);
      if (!o) return this.fail(res, 404, 'NotFound', `${r.plural} "${name}" not found`);
      return this.send(res, 200, o);
    }
    if (verb === 'watch') return this.watch(r, namespace, url.searchParams, res);
    return this.list(r, namespace, url.searchParams, res);
  }

  private selected(plural: string, namespace: string | undefined): Obj[] {
    const all = [...this.stores.get(plural)!.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  private list(r: FakeResource, namespace: string | undefined, q: URLSearchParams, res: http.ServerResponse): void {
    const limit = Number(q.get('limit') ?? '0');
    let offset = 0;
    let listRV = this.rv;
    const cont = q.get('continue');
    if (cont) {
      let token: { rv: number; offset: number };
      try {
        token = JSON.parse(Buffer.from(cont, 'base64').toString('utf8')) as { rv: number; offset: number };
      } catch {
        return this.fail(res, 400, 'BadRequest', 'continue key is not valid');
      }
      if (token.rv < this.compactedRV) {
        return this.fail(res, 410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.');
      }
      offset = token.offset;
      listRV = token.rv;
    }
    const selector = q.get('labelSelector');
    const all = this.selected(r.plural, namespace).filter((o) => matchesLabels(o, selector));
    const end = limit > 0 ? Math.min(all.length, offset + limit) : all.length;
    const metadata: Record<string, unknown> = { resourceVersion: String(listRV) };
    if (end < all.length) {
      metadata.continue = Buffer.from(JSON.stringify({ rv: listRV, offset: end })).toString('base64');
      metadata.remainingItemCount = all.length - end;
    }
    this.send(res, 200, {
      kind: `${r.kind}List`,
      apiVersion: r.group === '' ? r.version : `${r.group}/${r.version}`,
      metadata,
      items: all.slice(offset, end),
    });
  }

  private watch(r: FakeResource, namespace: string | undefined, q: URLSearchParams, res: http.ServerResponse): void {
    const from = q.get('resourceVersion') ?? '';
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    // Like kube-apiserver (WriteHeader then Flush): the client sees the 200 before any event.
    res.flushHeaders();
    const w: Watcher = { plural: r.plural, namespace, bookmarks: q.get('allowWatchBookmarks') === 'true', res };
    if (from === '' || from === '0') {
      // Like the real server: synthetic ADDED events for the current state, then live.
      for (const o of this.selected(r.plural, namespace)) this.writeEvent(w, { type: 'ADDED', object: o });
    } else {
      const n = Number(from);
      if (!Number.isFinite(n) || n < this.compactedRV) {
        this.writeEvent(w, { type: 'ERROR', object: this.status(410, 'Expired', `too old resource version: ${from} (${this.compactedRV})`) });
        res.end();
        return;
      }
      for (const ev of this.history) {
        if (ev.rv > n && ev.plural === r.plural && (namespace === undefined || ev.object.metadata.namespace === namespace)) {
          this.writeEvent(w, { type: ev.type, object: ev.object });
        }
      }
    }
    this.watchers.add(w);
    const timeout = Number(q.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(timer);
      this.watchers.delete(w);
    });
  }

  private writeEvent(w: Watcher, ev: { type: string; object: unknown }): void {
    if (!w.res.writableEnded && !w.res.destroyed) w.res.write(JSON.stringify(ev) + '\n');
  }

  private record(plural: string, type: EventType, object: Obj): void {
    const ev: HistoryEvent = { rv: this.rv, plural, type, object };
    this.history.push(ev);
    for (const w of this.watchers) {
      if (w.plural === plural && (w.namespace === undefined || object.metadata.namespace === w.namespace)) {
        this.writeEvent(w, { type, object });
      }
    }
  }
}

/** Equality-based label selectors (`a=b,c=d`), all the fake needs. */
function matchesLabels(o: Obj, selector: string | null): boolean {
  if (!selector) return true;
  const labels = (o.metadata.labels ?? {}) as Record<string, string>;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return k !== undefined && labels[k.trim()] === (v ?? '').trim();
  });
}
