// Hubble's Observer and Peer services over any netscope Source: `netscope serve`, and
// (issue 23) `netscope agent` with the eBPF collector as the source. Every event goes
// into one ring (ring.ts); each GetFlows call is a cursor into it, so a slow client
// costs no memory and never holds up the others: what the ring overwrites before the
// client read it reaches that client as lost events (HUBBLE_RING_BUFFER), as in Hubble.
import * as grpc from '@grpc/grpc-js';
import type { Subscription } from 'rxjs';
import { compareTimestamps, timestampFromMs, type Timestamp } from '../codec/timestamp.ts';
import { compileFilterSet, FilterError } from '../filter/index.ts';
import type { Flow } from '../model/flow.ts';
import type { Source, SourceEvent } from '../model/source.ts';
import { addressText, parseAddress, type GrpcAddress } from './address.ts';
import { filterSetFromRequest } from './filter-mapping.ts';
import { EventRing, type RingEntry } from './ring.ts';
import { encodeResponse, MAX_MESSAGE_BYTES, OBSERVER_SERVICE, PEER_SERVICE, type Msg } from './services.ts';
import { serverCredentials, type ServerTlsFiles } from './tls.ts';
import { encodeGetFlowsResponse } from './wire/get-flows.ts';

/**
 * Hubble's default ring is 4,095 flows; netscope keeps 4x that: serve is often the only
 * copy of what it collected. Measured: about 6-8 KB of RSS per buffered flow (model
 * object plus cached encoding), so ~100-130 MB at this default (docs/grpc.md).
 */
export const DEFAULT_BUFFER_SIZE = 16_383;

/** Messages queued in one call's stream before the server waits for the client to read. */
const WRITE_BUDGET = 512;

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
  readonly call: grpc.ServerWritableStream<Msg, Msg | Buffer>;
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
  const peers = new Set<grpc.ServerWritableStream<Msg, Msg | Buffer>>();
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

  // Writes what the reader may have, until its stream is full or it caught up.
  const pump = (r: Reader): void => {
    if (r.done || r.waiting) return;
    const call = r.call;
    while (r.cursor < Math.min(r.end, ring.nextSeq)) {
      if (call.writableLength >= WRITE_BUDGET) {
        r.waiting = true;
        call.once('drain', () => {
          r.waiting = false;
          pump(r);
        });
        return;
      }
      if (r.cursor < ring.oldestSeq) {
        // The ring overwrote what this reader had not read yet.
        call.write(lostBytes(ring.oldestSeq - r.cursor));
        r.cursor = ring.oldestSeq;
        continue;
      }
      const e = ring.at(r.cursor++)!;
      if (r.window.until !== undefined && r.end === Infinity && e.ts !== undefined && compareTimestamps(e.ts, r.window.until) > 0) {
        return finish(r); // following up to --until: the first later event ends the stream
      }
      if (!inWindow(e, r.window)) continue;
      if (e.ev.kind === 'flow') {
        if (!r.pass(e.ev.flow)) continue;
        call.write(bytesOf(e));
        if (--r.flowsLeft <= 0) return finish(r);
      } else {
        call.write(bytesOf(e));
      }
    }
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

  const getFlows = (call: grpc.ServerWritableStream<Msg, Msg | Buffer>): void => {
    const req = call.request;
    let pass: (f: Flow) => boolean;
    try {
      pass = compileFilterSet(filterSetFromRequest(req));
    } catch (err) {
      const msg = err instanceof FilterError ? err.message : `invalid filter: ${String(err)}`;
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: msg });
      return;
    }
    const follow = req.follow === true;
    const first = req.first === true;
    if (first && follow) {
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'first is not compatible with follow' });
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
      if (gone > 0 && start === ring.oldestSeq) call.write(lostBytes(gone));
    }
    // Headers now, not with the first flow: a client following a quiet server knows it is connected.
    call.sendMetadata(new grpc.Metadata());
    readers.add(r);
    call.on('cancelled', () => {
      r.done = true;
      readers.delete(r);
    });
    call.on('error', () => {
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

  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    'grpc.keepalive_time_ms': 30_000,
  });
  server.addService(OBSERVER_SERVICE, {
    GetFlows: getFlows,
    GetNodes: (_call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
      const s = stats();
      cb(null, {
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
      });
    },
    GetNamespaces: (_call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
      const seen = new Map<string, { cluster: string; namespace: string }>();
      for (let s = ring.oldestSeq; s < ring.nextSeq; s++) {
        const ev = ring.at(s)!.ev;
        if (ev.kind !== 'flow') continue;
        for (const ep of [ev.flow.source, ev.flow.destination]) {
          if (ep?.namespace) seen.set(`${ep.cluster_name ?? ''}/${ep.namespace}`, { cluster: ep.cluster_name ?? '', namespace: ep.namespace });
        }
      }
      const namespaces = [...seen.values()].sort((a, b) => a.cluster.localeCompare(b.cluster) || a.namespace.localeCompare(b.namespace));
      cb(null, { namespaces });
    },
    ServerStatus: (_call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
      const s = stats();
      cb(null, {
        num_flows: s.numFlows,
        max_flows: s.maxFlows,
        seen_flows: s.seenFlows,
        uptime_ns: s.uptimeNs,
        num_connected_nodes: { value: 1 },
        num_unavailable_nodes: { value: 0 },
        version: opts.version,
      });
    },
  });
  server.addService(PEER_SERVICE, {
    // This server is its own only peer: Hubble Relay pointed at it finds it here.
    Notify: (call: grpc.ServerWritableStream<Msg, Msg | Buffer>) => {
      peers.add(call);
      call.write({ name: opts.nodeName, address: firstAddress(), type: 1 /* PEER_ADDED */, tls: opts.tls ? { server_name: tlsInfo!.server_name } : undefined });
      const drop = (): void => void peers.delete(call);
      call.on('cancelled', drop);
      call.on('error', drop);
    },
  });

  const creds = opts.tls ? serverCredentials(opts.tls) : grpc.ServerCredentials.createInsecure();
  try {
    for (const a of addrs) {
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync(a.target, creds, (err, p) => (err ? reject(new Error(`cannot listen on ${addressText(a)}: ${err.message}`)) : resolve(p))),
      );
      bound.push(a.kind === 'unix' ? addressText(a) : `${a.host.includes(':') ? `[${a.host}]` : a.host}:${port}`);
    }
  } catch (err) {
    server.forceShutdown();
    throw err;
  }

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
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
  };
}
