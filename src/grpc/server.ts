// Hubble's Observer and Peer services over any netscope Source: `netscope serve`, and
// (issue 23) `netscope agent` with the eBPF collector as the source. Every event goes
// into one ring (ring.ts); each GetFlows call is a cursor into it, so a slow client
// costs no memory and never holds up the others: what the ring overwrites before the
// client read it reaches that client as lost events (HUBBLE_RING_BUFFER), as in Hubble.
import type { Subscription } from 'rxjs';
import { compareTimestamps, timestampFromMs, type Timestamp } from '../codec/timestamp.ts';
import { compileFilterSet, FilterError } from '../filter/index.ts';
import type { Flow } from '../model/flow.ts';
import type { Source, SourceEvent } from '../model/source.ts';
import { parseAddress, type GrpcAddress } from './address.ts';
import { filterSetFromRequest } from './filter-mapping.ts';
import { startGrpcServer, type Method } from './http2/grpc-server.ts';
import type { ServerCall } from './http2/server-call.ts';
import { Code } from './http2/status.ts';
import { EventRing, type RingEntry } from './ring.ts';
import { T } from './schema.ts';
import { encodeResponse, MAX_MESSAGE_BYTES, type Msg } from './services.ts';
import type { ServerTlsFiles } from './tls.ts';
import { encodeGetFlowsResponse } from './wire/get-flows.ts';

/**
 * Hubble's default ring is 4,095 flows; netscope keeps 4x that: serve is often the only
 * copy of what it collected. Measured: about 6-8 KB of RSS per buffered flow (model
 * object plus cached encoding), so ~100-130 MB at this default (docs/grpc.md).
 */
export const DEFAULT_BUFFER_SIZE = 16_383;

/**
 * Bytes queued in one call's stream before the server waits for the client to read
 * (about 256 flows): what a slow client can hold in memory here.
 */
const WRITE_BUDGET_BYTES = 256 * 1024;
/** Messages framed into one HTTP/2 write: one write per message is what made grpc-js cost ~8 us a flow. */
const BATCH_BYTES = 64 * 1024;

type FlowsCall = ServerCall<Msg>;

export interface ObserverServerOptions {
  source: Source;
  /** `HOST:PORT`, `:PORT` or `unix:///path`, as hubble writes them. */
  listen: string[];
  tls?: ServerTlsFiles;
  bufferSize?: number;
  /** This server's name in GetNodes, Peer.Notify and each response's node_name default. */
  nodeName: string;
  /**
   * The address Peer.Notify and GetNodes give for this server (what Hubble Relay dials),
   * e.g. the pod IP and port when listening on every interface. Default: the first bound address.
   */
  advertiseAddress?: string;
  version: string;
  /** Source status lines (connecting, errors, done) for the caller to show; they are not served. */
  onStatus?: (ev: Extract<SourceEvent, { kind: 'status' }>) => void;
  /** Called when the source itself fails (the server keeps serving what it has). */
  onSourceError?: (err: unknown) => void;
  now?: () => number;
}

export interface ObserverServer {
  /** The bound addresses (ports resolved), in the order given. */
  addresses: string[];
  stats(): { numFlows: number; maxFlows: number; seenFlows: number; uptimeNs: number; subscribers: number };
  close(): Promise<void>;
}

interface Window {
  since?: Timestamp;
  until?: Timestamp;
}

/** One GetFlows call: a cursor into the ring and the rules for what it gets. */
interface Reader {
  readonly call: FlowsCall;
  readonly pass: (f: Flow) => boolean;
  readonly window: Window;
  cursor: number;
  /** Seq where history ends (exclusive); Infinity when following. */
  readonly end: number;
  flowsLeft: number;
  waiting: boolean;
  done: boolean;
}

function inWindow(e: RingEntry, w: Window): boolean {
  if (w.since === undefined && w.until === undefined) return true;
  if (e.ts === undefined) return e.ev.kind !== 'flow';
  if (w.since !== undefined && compareTimestamps(e.ts, w.since) < 0) return false;
  if (w.until !== undefined && compareTimestamps(e.ts, w.until) > 0) return false;
  return true;
}

function tsFrom(m: unknown): Timestamp | undefined {
  if (m === undefined || m === null) return undefined;
  const o = m as Msg;
  return { seconds: Number(o.seconds ?? 0), nanos: Number(o.nanos ?? 0) };
}

export async function startObserverServer(opts: ObserverServerOptions): Promise<ObserverServer> {
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const ring = new EventRing(opts.bufferSize ?? DEFAULT_BUFFER_SIZE);
  const readers = new Set<Reader>();
  const peers = new Set<ServerCall<Msg>>();
  let seenFlows = 0;
  let pumpScheduled = false;
  const addrs: GrpcAddress[] = opts.listen.map((l) => parseAddress(l, 'listen'));
  const bound: string[] = [];

  const bytesOf = (e: RingEntry): Buffer => (e.bytes ??= encodeGetFlowsResponse(e.ev, opts.nodeName));
  const nowTs = (): Msg => timestampFromMs(now()) as unknown as Msg;

  const lostBytes = (n: number): Buffer =>
    encodeResponse({ lost_events: { source: 3 /* HUBBLE_RING_BUFFER */, num_events_lost: n }, node_name: opts.nodeName, time: nowTs() });

  const finish = (r: Reader): void => {
    if (r.done) return;
    r.done = true;
    readers.delete(r);
    r.call.end();
  };

  // Writes what the reader may have, until its stream is full or it caught up: many
  // messages per write (BATCH_BYTES), the stream's queue bounded by WRITE_BUDGET_BYTES.
  const pump = (r: Reader): void => {
    if (r.done || r.waiting) return;
    const call = r.call;
    const batch: Buffer[] = [];
    let batchBytes = 0;
    const add = (b: Buffer): void => {
      batch.push(b);
      batchBytes += b.length;
    };
    const flush = (): void => {
      if (batch.length === 0) return;
      call.write(batch);
      batch.length = 0;
      batchBytes = 0;
    };
    while (r.cursor < Math.min(r.end, ring.nextSeq)) {
      if (batchBytes >= BATCH_BYTES) flush();
      if (call.queuedBytes + batchBytes >= WRITE_BUDGET_BYTES) {
        flush();
        r.waiting = true;
        call.onDrain(() => {
          r.waiting = false;
          pump(r);
        });
        return;
      }
      if (r.cursor < ring.oldestSeq) {
        // The ring overwrote what this reader had not read yet.
        add(lostBytes(ring.oldestSeq - r.cursor));
        r.cursor = ring.oldestSeq;
        continue;
      }
      const e = ring.at(r.cursor++)!;
      if (r.window.until !== undefined && r.end === Infinity && e.ts !== undefined && compareTimestamps(e.ts, r.window.until) > 0) {
        flush();
        return finish(r); // following up to --until: the first later event ends the stream
      }
      if (!inWindow(e, r.window)) continue;
      if (e.ev.kind === 'flow') {
        if (!r.pass(e.ev.flow)) continue;
        add(bytesOf(e));
        if (--r.flowsLeft <= 0) {
          flush();
          return finish(r);
        }
      } else {
        add(bytesOf(e));
      }
    }
    flush();
    if (r.cursor >= r.end) finish(r);
  };

  const schedulePump = (): void => {
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      for (const r of readers) pump(r);
    });
  };

  const getFlows = (call: FlowsCall): void => {
    const req = call.request;
    let pass: (f: Flow) => boolean;
    try {
      pass = compileFilterSet(filterSetFromRequest(req));
    } catch (err) {
      const msg = err instanceof FilterError ? err.message : `invalid filter: ${String(err)}`;
      call.fail(Code.INVALID_ARGUMENT, msg);
      return;
    }
    const follow = req.follow === true;
    const first = req.first === true;
    if (first && follow) {
      call.fail(Code.INVALID_ARGUMENT, 'first is not compatible with follow');
      return;
    }
    const number = Number(req.number ?? 0);
    const window: Window = { since: tsFrom(req.since), until: tsFrom(req.until) };
    let start: number;
    if (first) {
      start = ring.oldestSeq;
    } else if (number > 0) {
      // The number-th newest matching flow, within the window.
      start = ring.nextSeq;
      let found = 0;
      for (let s = ring.nextSeq - 1; s >= ring.oldestSeq && found < number; s--) {
        const e = ring.at(s)!;
        if (e.ev.kind === 'flow' && inWindow(e, window) && pass(e.ev.flow)) found++;
        start = s;
      }
    } else if (window.since !== undefined || !follow) {
      start = ring.oldestSeq;
    } else {
      start = ring.nextSeq; // --follow alone: only what comes next
    }
    const end = follow ? Infinity : ring.nextSeq;
    const flowsLeft = first && number > 0 ? number : Infinity;
    const r: Reader = { call, pass, window, cursor: start, end, flowsLeft, waiting: false, done: false };
    if (window.since !== undefined) {
      // Resuming from a time the ring no longer holds: say how much is gone, never a silent gap.
      const gone = ring.evictedSince(window.since);
      if (gone > 0 && start === ring.oldestSeq) call.write([lostBytes(gone)]);
    }
    // Headers now, not with the first flow: a client following a quiet server knows it is connected.
    call.sendHeaders();
    readers.add(r);
    call.onCancel(() => {
      r.done = true;
      readers.delete(r);
    });
    pump(r);
  };

  const stats = () => ({
    numFlows: ring.size,
    maxFlows: ring.capacity,
    seenFlows,
    uptimeNs: (now() - startedAt) * 1e6,
    subscribers: readers.size,
  });

  const firstAddress = (): string => opts.advertiseAddress ?? bound[0] ?? opts.listen[0] ?? '';
  const tlsInfo = opts.tls ? { enabled: true, server_name: opts.tls.serverName ?? opts.nodeName } : undefined;

  const unary = (req: { decode(b: Uint8Array): unknown }, res: { encode(m: Msg): { finish(): Uint8Array } }, answer: () => Msg): Method<unknown> => ({
    decode: (b) => req.decode(b),
    handle: (call) => {
      const u8 = res.encode(answer()).finish();
      call.write([Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength)]);
      call.end();
    },
  });
  const methods = new Map<string, Method<unknown>>([
    ['/observer.Observer/GetFlows', { decode: (b) => T.GetFlowsRequest.decode(b) as unknown as Msg, handle: (call) => getFlows(call as FlowsCall) }],
    [
      '/observer.Observer/GetNodes',
      unary(T.GetNodesRequest, T.GetNodesResponse, () => {
        const s = stats();
        return {
          nodes: [
            {
              name: opts.nodeName,
              version: opts.version,
              address: firstAddress(),
              state: 1, // NODE_CONNECTED
              tls: tlsInfo,
              uptime_ns: s.uptimeNs,
              num_flows: s.numFlows,
              max_flows: s.maxFlows,
              seen_flows: s.seenFlows,
            },
          ],
        };
      }),
    ],
    [
      '/observer.Observer/GetNamespaces',
      unary(T.GetNamespacesRequest, T.GetNamespacesResponse, () => {
        const seen = new Map<string, { cluster: string; namespace: string }>();
        for (let s = ring.oldestSeq; s < ring.nextSeq; s++) {
          const ev = ring.at(s)!.ev;
          if (ev.kind !== 'flow') continue;
          for (const ep of [ev.flow.source, ev.flow.destination]) {
            if (ep?.namespace) seen.set(`${ep.cluster_name ?? ''}/${ep.namespace}`, { cluster: ep.cluster_name ?? '', namespace: ep.namespace });
          }
        }
        const namespaces = [...seen.values()].sort((a, b) => a.cluster.localeCompare(b.cluster) || a.namespace.localeCompare(b.namespace));
        return { namespaces };
      }),
    ],
    [
      '/observer.Observer/ServerStatus',
      unary(T.ServerStatusRequest, T.ServerStatusResponse, () => {
        const s = stats();
        return {
          num_flows: s.numFlows,
          max_flows: s.maxFlows,
          seen_flows: s.seenFlows,
          uptime_ns: s.uptimeNs,
          num_connected_nodes: { value: 1 },
          num_unavailable_nodes: { value: 0 },
          version: opts.version,
        };
      }),
    ],
    [
      // This server is its own only peer: Hubble Relay pointed at it finds it here.
      '/peer.Peer/Notify',
      {
        decode: (b) => T.NotifyRequest.decode(b),
        handle: (call) => {
          const c = call as ServerCall<Msg>;
          peers.add(c);
          const u8 = T.ChangeNotification.encode({
            name: opts.nodeName,
            address: firstAddress(),
            type: 1 /* PEER_ADDED */,
            tls: opts.tls ? { server_name: tlsInfo!.server_name } : undefined,
          }).finish();
          c.write([Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength)]);
          c.onCancel(() => void peers.delete(c));
        },
      },
    ],
  ]);

  // node:http2, not grpc-js: GetFlows writes many messages per HTTP/2 write (see pump).
  const server = await startGrpcServer({ listen: addrs, tls: opts.tls, methods, maxMessageBytes: MAX_MESSAGE_BYTES });
  bound.push(...server.addresses);

  const sub: Subscription = opts.source.subscribe({
    next: (ev) => {
      if (ev.kind === 'status') {
        opts.onStatus?.(ev);
        return;
      }
      // Node lists describe the source's own upstream; this server reports itself.
      if (ev.kind !== 'flow' && ev.kind !== 'lost' && ev.kind !== 'node-status') return;
      if (ev.kind === 'flow') seenFlows++;
      ring.push(ev);
      if (readers.size > 0) schedulePump();
    },
    error: (err: unknown) => opts.onSourceError?.(err),
  });

  return {
    addresses: bound,
    stats,
    close: async () => {
      sub.unsubscribe();
      for (const r of [...readers]) finish(r);
      for (const p of peers) p.end();
      peers.clear();
      await server.close(2000);
    },
  };
}
