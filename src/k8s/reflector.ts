// List+watch for one resource type (client-go's Reflector, in small): paged list
// with continue tokens, then a watch from the list's resourceVersion with bookmarks;
// a dropped watch resumes from the last resourceVersion seen, a 410 Gone relists and
// replaces the store (objects that vanished are deleted), errors back off and retry.
// Only documented API semantics are relied on, so a real kube-apiserver works too.
import type { IncomingMessage } from 'node:http';
import { ApiError, apiErrorFrom, apiErrorFromStatus } from './api-error.ts';
import { backoffDelay, DEFAULT_BACKOFF, delayText, sleep, type BackoffOptions } from './backoff.ts';
import { asArray, asObject, asString, type Json } from './raw.ts';
import { collectionPath, groupVersionPath, type ResourceType } from './resources.ts';
import { readBody, type ApiTransport } from './transport.ts';

export interface ReflectorSink {
  /**
   * A complete list: the scope's contents become exactly `items`, each already passed
   * through `compact` (so a 5,000-pod list never holds every raw object at once).
   */
  replace(items: unknown[]): void;
  /** Turns one listed raw object into what the store keeps; identity by default. */
  compact?(raw: Json): unknown;
  upsert(raw: Json): void;
  remove(raw: Json): void;
}

export type ReflectorState =
  | 'pending'
  /** Listed and watching. */
  | 'synced'
  /** 403: the user may not list this resource (in this scope). */
  | 'forbidden'
  /** May list but not watch: relisted every `recheckMs` instead of followed. */
  | 'polling'
  /** An optional resource (CRD) the server does not serve. */
  | 'absent'
  /** Network / server / credential problem; retrying with backoff. */
  | 'error';

export interface ReflectorStatus {
  state: ReflectorState;
  /** One line; present for forbidden / error. */
  message?: string;
  /** Milliseconds until the next attempt, when retrying. */
  retryInMs?: number;
  error?: Error;
}

export interface ReflectorOptions {
  transport: ApiTransport;
  type: ResourceType;
  /** Watch one namespace instead of the whole cluster (namespaced types only). */
  namespace?: string;
  /** Only objects with these labels (`key=value,...`), filtered by the server. */
  labelSelector?: string;
  sink: ReflectorSink;
  onStatus?: (s: ReflectorStatus) => void;
  pageSize?: number;
  backoff?: BackoffOptions;
  /** Server-side watch timeout; client-go uses 5-10 minutes. */
  watchTimeoutSeconds?: number;
  /** How often to re-check for an absent CRD or lost access. */
  recheckMs?: number;
}

/** Raised inside the loop to restart with a fresh list. */
class Gone extends Error {}

/** A 403 on the watch after the list was allowed (RBAC grants `list` without `watch`). */
class WatchForbidden extends Error {
  readonly forbidden: Error;
  constructor(forbidden: Error) {
    super(forbidden.message);
    this.forbidden = forbidden;
  }
}

export class Reflector {
  private readonly opts: ReflectorOptions;
  private readonly controller = new AbortController();
  private rv = '';
  private running: Promise<void> | undefined;
  private status: ReflectorStatus = { state: 'pending' };
  /** Counters, for tests and the status line. */
  readonly stats = { lists: 0, watches: 0, events: 0, bookmarks: 0, relists410: 0 };

  constructor(opts: ReflectorOptions) {
    this.opts = opts;
  }

  get resourceVersion(): string {
    return this.rv;
  }

  get currentStatus(): ReflectorStatus {
    return this.status;
  }

  private get what(): string {
    const t = this.opts.type;
    return this.opts.namespace !== undefined && t.namespaced ? `${t.plural} in namespace ${this.opts.namespace}` : t.plural;
  }

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private setStatus(s: ReflectorStatus): void {
    this.status = s;
    this.opts.onStatus?.(s);
  }

  private async loop(): Promise<void> {
    const signal = this.controller.signal;
    const backoff = this.opts.backoff ?? DEFAULT_BACKOFF;
    const recheck = this.opts.recheckMs ?? 60_000;
    let failures = 0;
    /** 410s in a row without a single event in between: relisting again at once would spin. */
    let gones = 0;
    while (!signal.aborted) {
      const eventsBefore = this.stats.events;
      try {
        if (this.opts.type.optional && this.rv === '' && !(await this.served(signal))) {
          this.opts.sink.replace([]);
          this.setStatus({ state: 'absent', message: `${this.opts.type.plural}: not served by the API server (CRD not installed)`, retryInMs: recheck });
          await sleep(recheck, signal);
          continue;
        }
        if (this.rv === '') {
          await this.list(signal);
          failures = 0;
        }
        const started = Date.now();
        await this.watch(signal);
        if (this.stats.events !== eventsBefore) failures = gones = 0;
        else if (!signal.aborted && Date.now() - started < 1000) {
          // A watch that closes at once without events: do not spin, back off quietly.
          await sleep(backoffDelay(++failures, backoff), signal);
        }
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof Gone) {
          this.stats.relists410++;
          this.rv = '';
          gones = this.stats.events !== eventsBefore ? 1 : gones + 1;
          if (gones > 1) await sleep(backoffDelay(gones - 1, backoff), signal);
          continue;
        }
        if (err instanceof WatchForbidden) {
          // What was listed stays (it is current); it is refreshed by relisting.
          this.rv = '';
          this.setStatus({ state: 'polling', message: `${err.message}; relisting every ${delayText(recheck)} instead`, retryInMs: recheck, error: err.forbidden });
          await sleep(recheck, signal);
          continue;
        }
        const e = err instanceof Error ? err : new Error(String(err));
        if (e instanceof ApiError && e.status === 403) {
          // Losing access must not leave what we saw before looking current.
          this.opts.sink.replace([]);
          this.rv = '';
          this.setStatus({ state: 'forbidden', message: e.message, retryInMs: recheck, error: e });
          await sleep(recheck, signal);
          continue;
        }
        failures++;
        const delay = backoffDelay(failures, backoff);
        this.setStatus({ state: 'error', message: e.message, retryInMs: delay, error: e });
        await sleep(delay, signal);
      }
    }
  }

  /** CRD discovery: is this resource listed under its group-version? */
  private async served(signal: AbortSignal): Promise<boolean> {
    const t = this.opts.type;
    const res = await this.opts.transport.get(groupVersionPath(t), signal);
    const body = await readBody(res);
    if (res.statusCode === 404) return false;
    if (res.statusCode !== 200) throw apiErrorFrom(res.statusCode ?? 0, body, `discovery of ${groupVersionPath(t)}`);
    let list: Record<string, unknown>;
    try {
      list = asObject(JSON.parse(body));
    } catch {
      throw new Error(`discovery of ${groupVersionPath(t)}: response is not JSON`);
    }
    return asArray(list.resources).some((r) => asString(asObject(r).name) === t.plural);
  }

  private async list(signal: AbortSignal): Promise<void> {
    const base = collectionPath(this.opts.type, this.opts.namespace);
    const limit = this.opts.pageSize ?? 500;
    const items: unknown[] = [];
    const compact = this.opts.sink.compact ?? ((raw: Json): unknown => raw);
    let cont = '';
    let rv = '';
    for (;;) {
      const q = new URLSearchParams({ limit: String(limit) });
      if (this.opts.labelSelector) q.set('labelSelector', this.opts.labelSelector);
      if (cont !== '') q.set('continue', cont);
      const res = await this.opts.transport.get(`${base}?${q}`, signal);
      const body = await readBody(res);
      if (res.statusCode === 410 && cont !== '') {
        // The continue token expired mid-list: start over with a fresh list.
        items.length = 0;
        cont = '';
        continue;
      }
      if (res.statusCode !== 200) throw apiErrorFrom(res.statusCode ?? 0, body, `list ${this.what}`);
      let page: Record<string, unknown>;
      try {
        page = asObject(JSON.parse(body));
      } catch {
        throw new Error(`list ${this.what}: response is not JSON`);
      }
      for (const it of asArray(page.items)) items.push(compact(it));
      const meta = asObject(page.metadata);
      rv = asString(meta.resourceVersion);
      cont = asString(meta.continue);
      if (cont === '') break;
    }
    this.stats.lists++;
    this.opts.sink.replace(items);
    this.rv = rv;
    this.setStatus({ state: 'synced' });
  }

  private async watch(signal: AbortSignal): Promise<void> {
    const timeout = this.opts.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    const q = new URLSearchParams({
      watch: 'true', // as client-go sends it
      resourceVersion: this.rv,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(timeout),
    });
    if (this.opts.labelSelector) q.set('labelSelector', this.opts.labelSelector);
    // Our own abort for this one stream (idle timeout), tied to the reflector's.
    const ctl = new AbortController();
    const onAbort = (): void => ctl.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) ctl.abort(); // stopped before the listener existed
    let idle: NodeJS.Timeout | undefined;
    const armIdle = (): void => {
      clearTimeout(idle);
      // A silent stream well past the server's own timeout is a dead connection.
      idle = setTimeout(() => ctl.abort(), (timeout + 60) * 1000);
    };
    try {
      armIdle();
      const res = await this.opts.transport.get(`${collectionPath(this.opts.type, this.opts.namespace)}?${q}`, ctl.signal, { stream: true });
      if (res.statusCode === 410) {
        await readBody(res);
        throw new Gone();
      }
      if (res.statusCode === 403) throw new WatchForbidden(apiErrorFrom(403, await readBody(res), `watch ${this.what}`));
      if (res.statusCode !== 200) throw apiErrorFrom(res.statusCode ?? 0, await readBody(res), `watch ${this.what}`);
      this.stats.watches++;
      if (this.status.state !== 'synced') this.setStatus({ state: 'synced' });
      await this.consume(res, armIdle);
    } catch (err) {
      // A dropped connection or our idle abort: resume from the last resourceVersion.
      if (err instanceof Gone || err instanceof ApiError || err instanceof WatchForbidden) throw err;
      if (signal.aborted) return;
      if (isStreamDrop(err)) return;
      throw err;
    } finally {
      clearTimeout(idle);
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async consume(res: IncomingMessage, onData: () => void): Promise<void> {
    let buf = '';
    res.setEncoding('utf8');
    for await (const chunk of res as AsyncIterable<string>) {
      onData();
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line !== '') this.handle(line);
      }
    }
    if (buf.trim() !== '') this.handle(buf.trim());
  }

  private handle(line: string): void {
    let ev: Record<string, unknown>;
    try {
      ev = asObject(JSON.parse(line));
    } catch {
      throw new Error(`watch ${this.what}: malformed event line`);
    }
    const type = asString(ev.type);
    const obj = ev.object;
    if (type === 'ERROR') {
      const s = asObject(obj);
      if (s.code === 410) throw new Gone();
      throw apiErrorFromStatus(obj, `watch ${this.what}`);
    }
    const rv = asString(asObject(asObject(obj).metadata).resourceVersion);
    switch (type) {
      case 'ADDED':
      case 'MODIFIED':
        this.opts.sink.upsert(obj);
        break;
      case 'DELETED':
        this.opts.sink.remove(obj);
        break;
      case 'BOOKMARK':
        this.stats.bookmarks++;
        break;
      default:
        return; // unknown event types are ignored, as client-go does
    }
    this.stats.events++;
    if (rv !== '') this.rv = rv;
  }
}

function isStreamDrop(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException;
  return e?.name === 'AbortError' || e?.code === 'ECONNRESET' || e?.code === 'ERR_STREAM_PREMATURE_CLOSE' || e?.message === 'aborted';
}
