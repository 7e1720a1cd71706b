// `--server HOST:PORT`: flows from Hubble's Observer API (Hubble Relay, a Cilium agent,
// `netscope serve`). The filter goes to the server in the request, so a narrow filter
// over a busy relay costs the server and not the network. Following, a lost connection
// is retried with backoff and resumed from the last flow seen (`since` = its time,
// flows already seen dropped by time + uuid): no duplicates, and what the server can no
// longer give arrives as lost events. Everything is reported in-band (status, lost,
// node-status, nodes); the Observable itself only errors when not following.
import { Observable } from 'rxjs';
import type { HubbleNode } from '../model/node.ts';
import type { Source, SourceEvent } from '../model/source.ts';
import type { FilterSet } from '../filter/flow-filter.ts';
import type { Timestamp } from '../codec/timestamp.ts';
import { backoffDelay, DEFAULT_BACKOFF, delayText, type BackoffOptions } from '../k8s/backoff.ts';
import { createObserverClient, describeGrpcError, type ObserverClient } from '../grpc/client.ts';
import { filterSetToRequest } from '../grpc/filter-mapping.ts';
import { ResumePoint } from './grpc-resume.ts';
import { createStreamClient, type StreamClient } from '../grpc/http2/client.ts';
import type { StreamCall } from '../grpc/http2/server-stream.ts';
import type { ClientTls } from '../grpc/tls.ts';
import { enumNames, T } from '../grpc/schema.ts';
import type { Msg } from '../grpc/services.ts';
import { decodeGetFlowsResponse } from '../grpc/wire/get-flows.ts';

export interface GrpcSourceOptions {
  /** As given by the user (shown in messages), e.g. `localhost:4245`. */
  server: string;
  /** grpc-js target for it (see grpc/address.ts); default: `server`. */
  target?: string;
  /** Undefined: plaintext. */
  tls?: ClientTls;
  filters: FilterSet;
  /** GetFlows number (--last N, or --first N with `first`); 0 with follow: only new flows. */
  number?: number;
  first?: boolean;
  follow: boolean;
  since?: Timestamp;
  until?: Timestamp;
  /** While following, ask ServerStatus and GetNodes this often (0: never). */
  statusIntervalMs?: number;
  backoff?: BackoffOptions;
  /** The client for the unary calls (ServerStatus, GetNodes), made when status polling starts (default: a grpc-js channel). */
  connect?: (target: string, tls: ClientTls | undefined) => ObserverClient;
  /** HTTP/2 receive window of the GetFlows stream (default 256 KiB). */
  windowBytes?: number;
}

const GET_FLOWS = '/observer.Observer/GetFlows';

const NODE_STATES = enumNames('relay.NodeState');
/** Flows taken per event-loop turn before yielding to other I/O. */
const BATCH_PER_TURN = 256;

/** `server`'s label in the status line. */
export function grpcSourceName(server: string): string {
  return `server:${server}`;
}

export function createGrpcSource(opts: GrpcSourceOptions): Source {
  const name = grpcSourceName(opts.server);
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  return new Observable<SourceEvent>((sub) => {
    const emitStatus = (state: Extract<SourceEvent, { kind: 'status' }>['state'], message?: string): void =>
      sub.next({ kind: 'status', source: name, state, message });
    const target = opts.target ?? opts.server;
    // GetFlows goes over node:http2 (grpc/http2/): many messages per DATA chunk, decoded in
    // one loop, where grpc-js costs an event and a read cycle per message.
    let flows: StreamClient;
    try {
      flows = createStreamClient({ target, tls: opts.tls, windowBytes: opts.windowBytes });
    } catch (err) {
      sub.error(new Error(`server ${opts.server}: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    let client: ObserverClient | undefined;
    let closed = false;
    let call: StreamCall | undefined;
    let attempt = 0;
    let retryTimer: NodeJS.Timeout | undefined;
    let statusTimer: NodeJS.Timeout | undefined;
    // Resume state: the newest flow time seen and the flows seen at that time. Only a
    // following stream reconnects and resumes; a history request ends at its first error,
    // so it has nothing to tell apart (and, like hubble, passes on what the server sends).
    const resumePoint = opts.follow ? new ResumePoint() : undefined;
    let flowsSeen = 0;
    const warned = new Set<string>();
    const onUnknown = (field: string, value: number): void => {
      const key = `${field}=${value}`;
      if (warned.has(key) || warned.size > 100) return;
      warned.add(key);
      emitStatus('warning', `server ${opts.server}: ${field}: unknown enum value ${value} (left out; newer Cilium?)`);
    };
    /** After a lost connection: the next request asks from the last flow's time on. */
    let resuming = false;

    const request = (): Msg => {
      const filters = filterSetToRequest(opts.filters);
      const base: Msg = { ...filters, until: opts.until };
      if (resuming) return { ...base, follow: true, since: resumePoint?.since ?? opts.since ?? startedTs };
      return { ...base, number: opts.number ?? 0, first: opts.first === true, follow: opts.follow, since: opts.since };
    };
    const startedTs = ((): Timestamp => {
      const ms = Date.now();
      return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
    })();

    const pollStatus = (): void => {
      if (client === undefined) return;
      client.serverStatus().then(
        (s) => {
          if (closed) return;
          const unavailable = (s.unavailable_nodes as string[] | undefined) ?? [];
          const connected = (s.num_connected_nodes as Msg | undefined)?.value;
          // Short: the status line gives it about 40 columns.
          const parts = [`buffer ${compact(Number(s.num_flows ?? 0))}/${compact(Number(s.max_flows ?? 0))}`];
          const down = Number((s.num_unavailable_nodes as Msg | undefined)?.value ?? 0);
          if (connected !== undefined) parts.push(`nodes ${Number(connected)}/${Number(connected) + down}`);
          if (down > 0) parts.push(`down: ${unavailable.length ? unavailable.join(' ') : down}`);
          emitStatus('connected', parts.join(', '));
        },
        () => {}, // the flow stream reports a lost server; a failed status poll adds nothing
      );
      client?.getNodes().then(
        (r) => {
          if (closed) return;
          const nodes = ((r.nodes as Msg[] | undefined) ?? []).map(nodeFrom);
          sub.next({ kind: 'nodes', source: name, nodes });
        },
        () => {},
      );
    };

    const retry = (why: string): void => {
      attempt++;
      const delay = backoffDelay(attempt, backoff);
      // The status names the server already (its source); the message says what happened.
      const prefix = `server ${opts.server}: `;
      emitStatus('reconnecting', `${why.startsWith(prefix) ? why.slice(prefix.length) : why}; retrying in ${delayText(delay)}`);
      retryTimer = setTimeout(open, delay);
    };

    const open = (): void => {
      if (closed) return;
      retryTimer = undefined;
      if (attempt === 0) emitStatus('connecting');
      let connected = false;
      const markConnected = (): void => {
        if (connected) return;
        connected = true;
        attempt = 0;
        emitStatus('connected', resuming ? `resumed after ${flowsSeen} flows` : undefined);
      };
      // At most a batch of messages per event-loop turn: a burst from a busy relay must
      // not hold up keys and frames (the TUI) for as long as it takes to decode it. A
      // DATA chunk's messages are taken together; the stream pauses after a full turn.
      let inTurn = 0;
      let yielding = false;
      const onMessages = (msgs: Buffer[]): void => {
        if (closed) return;
        markConnected();
        for (const m of msgs) {
          let ev: SourceEvent | undefined;
          try {
            ev = decodeGetFlowsResponse(m, onUnknown);
          } catch (err) {
            // gRPC frames each message, so one that does not parse is skipped and the next one read.
            emitStatus('warning', `server ${opts.server}: a response could not be read (${String(err)}), skipped`);
            continue;
          }
          if (ev === undefined) continue;
          if (ev.kind === 'flow') {
            if (resumePoint !== undefined && !resumePoint.fresh(ev.flow)) continue;
            flowsSeen++;
          }
          sub.next(ev);
          if (closed) return;
        }
        if (inTurn === 0) setImmediate(() => (inTurn = 0));
        inTurn += msgs.length;
        if (inTurn >= BATCH_PER_TURN && !yielding) {
          yielding = true;
          c.pause();
          setImmediate(() => {
            yielding = false;
            inTurn = 0;
            if (!closed && call === c) c.resume();
          });
        }
      };
      const onEnd = (err: Error | undefined): void => {
        if (closed || call !== c) return;
        call = undefined;
        if (err !== undefined) {
          const line = describeGrpcError(err, opts.server);
          if (!opts.follow) {
            // History only: what arrived stays printed; the run ends with this one line.
            sub.error(new Error(line));
            return;
          }
          resuming = resuming || flowsSeen > 0 || connected;
          retry(line);
          return;
        }
        if (!opts.follow || opts.until !== undefined) {
          emitStatus('done', `server ${opts.server}: ${flowsSeen} flows`);
          sub.complete();
          return;
        }
        // A following stream the server ended by itself (restart, relay shutdown): resume.
        resuming = true;
        retry(`server ${opts.server}: the server ended the stream`);
      };
      let c: StreamCall;
      try {
        // A stream with nothing to send yet still shows as connected once the connection is up.
        c = flows.serverStream(GET_FLOWS, T.GetFlowsRequest.encode(request()).finish(), { onReady: markConnected, onHeaders: markConnected, onMessages, onEnd });
      } catch (err) {
        onEnd(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      call = c;
    };

    open();
    if (opts.follow && (opts.statusIntervalMs ?? 0) > 0) {
      try {
        client = (opts.connect ?? ((t, tls) => createObserverClient({ target: t, tls })))(target, opts.tls);
      } catch (err) {
        // The stream's client read the same TLS files without a problem; a failure here only loses the status line.
        emitStatus('warning', `server ${opts.server}: no status polling (${err instanceof Error ? err.message : String(err)})`);
      }
      pollStatus();
      statusTimer = setInterval(pollStatus, opts.statusIntervalMs);
    }
    return () => {
      closed = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      if (statusTimer !== undefined) clearInterval(statusTimer);
      call?.cancel();
      call = undefined;
      flows.close();
      client?.close();
    };
  });
}

/** 1234 -> 1.2k, 65535 -> 66k: counts for a narrow status line. */
function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return `${(n / 1000).toFixed(1)}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${(n / 1e6).toFixed(1)}M`;
}

function nodeFrom(m: Msg): HubbleNode {
  const n: HubbleNode = { name: String(m.name ?? '') };
  if (m.version) n.version = String(m.version);
  if (m.address) n.address = String(m.address);
  const st = NODE_STATES[Number(m.state ?? 0)];
  if (st !== undefined && m.state) n.state = st;
  const tls = m.tls as Msg | undefined;
  if (tls) n.tls = { enabled: tls.enabled === true, server_name: tls.server_name ? String(tls.server_name) : undefined };
  for (const k of ['uptime_ns', 'num_flows', 'max_flows', 'seen_flows'] as const) if (m[k]) n[k] = Number(m[k]);
  return n;
}
