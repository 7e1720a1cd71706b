// The HTTP/2 transport for server-streaming gRPC calls (GetFlows): one connection to a
// server, opened when a call needs it and again after it is lost, shared by the calls
// made while it lives. Unary calls stay on grpc-js (../client.ts): they are rare and
// its per-message work matters only for a stream of flows.
import type http2 from 'node:http2';
import { parseAddress, type GrpcAddress } from '../address.ts';
import { MAX_MESSAGE_BYTES } from '../services.ts';
import type { ClientTls } from '../tls.ts';
import { openSession, socketFactory } from './connect.ts';
import { startServerStream, trackSettings, type StreamCall, type StreamHandlers } from './server-stream.ts';
import { authorityOf } from './tls-names.ts';

export interface StreamClientOptions {
  /** `host:port`, `[v6]:port` or `unix:///path`. */
  target: string;
  /** Undefined: plaintext. */
  tls?: ClientTls;
  /**
   * HTTP/2 receive window in bytes (default 256 KiB). HTTP/2's own 64 KiB is ~60 flows:
   * the server would wait a round trip for every 60 (see docs/grpc.md for the figures).
   */
  windowBytes?: number;
  /** Keepalive ping interval (default 30 s, as the grpc-js channel) and its answer's timeout (10 s). */
  keepaliveMs?: number;
  keepaliveTimeoutMs?: number;
  maxMessageBytes?: number;
}

export interface StreamClient {
  serverStream(path: string, request: Uint8Array, h: StreamHandlers, timeoutMs?: number): StreamCall;
  close(): void;
}

export const DEFAULT_WINDOW_BYTES = 256 * 1024;

/** Throws on a bad target or unreadable TLS files (one line naming the flag or address), before dialing. */
export function createStreamClient(opts: StreamClientOptions): StreamClient {
  const address: GrpcAddress = parseAddress(opts.target, 'connect');
  const makeSocket = socketFactory({ address, tls: opts.tls });
  const authority = authorityOf(address, opts.tls);
  const connectOpts = {
    address,
    tls: opts.tls,
    windowBytes: opts.windowBytes ?? DEFAULT_WINDOW_BYTES,
    keepaliveMs: opts.keepaliveMs ?? 30_000,
    keepaliveTimeoutMs: opts.keepaliveTimeoutMs ?? 10_000,
  };
  let session: http2.ClientHttp2Session | undefined;
  let closed = false;
  const live = (): http2.ClientHttp2Session => {
    if (session === undefined || session.destroyed || session.closed) {
      const s = openSession(connectOpts, makeSocket);
      trackSettings(s);
      // Errors reach the calls on it (server-stream.ts); without a listener Node would throw them.
      s.on('error', () => {});
      session = s;
    }
    return session;
  };
  return {
    serverStream: (path, request, h, timeoutMs) => {
      if (closed) throw new Error('the client is closed');
      return startServerStream(live(), path, request, { authority, maxMessageBytes: opts.maxMessageBytes ?? MAX_MESSAGE_BYTES, timeoutMs }, h);
    },
    close: () => {
      closed = true;
      session?.close();
      session = undefined;
    },
  };
}
