// One HTTP/2 connection to a gRPC server: h2c, TLS or mTLS (ALPN h2), over TCP or a Unix
// socket, with a receive window large enough for a stream of flows and keepalive pings
// that notice a dead peer. The socket is made here (createConnection) so the TLS rules
// (tls-names.ts) and Unix sockets are ours, not Node's URL handling's.
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { GrpcAddress } from '../address.ts';
import { readClientTls, type ClientTls } from '../tls.ts';
import { tlsNames } from './tls-names.ts';

export interface ConnectOptions {
  address: GrpcAddress;
  /** Undefined: plaintext (h2c). */
  tls?: ClientTls;
  /** HTTP/2 receive window, per stream and for the connection, in bytes. */
  windowBytes: number;
  keepaliveMs: number;
  keepaliveTimeoutMs: number;
}

/** The socket factory for http2.connect; reads the TLS files now so a bad one fails before any dialing. */
export function socketFactory(opts: Pick<ConnectOptions, 'address' | 'tls'>): () => net.Socket {
  const a = opts.address;
  const where: net.NetConnectOpts = a.kind === 'unix' ? { path: a.path } : { host: a.host, port: a.port };
  if (opts.tls === undefined) return () => net.connect(where);
  const files = readClientTls(opts.tls);
  const names = tlsNames(a, opts.tls);
  const secure: tls.ConnectionOptions = {
    ...where,
    servername: names.servername,
    ALPNProtocols: ['h2'],
    ...(files.ca ? { ca: files.ca } : {}),
    ...(files.cert && files.key ? { cert: files.cert, key: files.key } : {}),
    rejectUnauthorized: names.verify !== undefined,
    checkServerIdentity: (_sni, cert) => (names.verify === undefined ? undefined : tls.checkServerIdentity(names.verify, cert)),
  };
  return () => {
    const s = tls.connect(secure);
    s.once('secureConnect', () => {
      // A TLS server that does not offer h2 is not a gRPC server (Go's and grpc-js' servers always do).
      if (s.alpnProtocol !== 'h2') s.destroy(new Error(`TLS: the server did not agree to HTTP/2 (ALPN ${s.alpnProtocol || 'none'}); not a gRPC server`));
    });
    return s;
  };
}

/** Opens the connection (lazily dialed by Node); errors arrive as the session's 'error'. */
export function openSession(opts: ConnectOptions, makeSocket: () => net.Socket): http2.ClientHttp2Session {
  const scheme = opts.tls ? 'https' : 'http';
  const session = http2.connect(`${scheme}://localhost`, {
    createConnection: makeSocket,
    settings: { enablePush: false, initialWindowSize: opts.windowBytes },
  });
  session.on('connect', () => {
    // The connection-level window (SETTINGS only sets the per-stream one).
    if (opts.windowBytes > 65_535) session.setLocalWindowSize(opts.windowBytes);
  });
  keepalive(session, opts.keepaliveMs, opts.keepaliveTimeoutMs);
  return session;
}

/** A ping every `everyMs`; no answer within `timeoutMs` closes the connection with an error naming it. */
function keepalive(session: http2.ClientHttp2Session, everyMs: number, timeoutMs: number): void {
  if (everyMs <= 0) return;
  const timer = setInterval(() => {
    if (session.destroyed || session.connecting) return;
    const dead = setTimeout(() => session.destroy(new Error(`keepalive: no answer to a ping within ${timeoutMs} ms (connection lost)`)), timeoutMs);
    dead.unref();
    session.ping((err) => {
      clearTimeout(dead);
      if (err && !session.destroyed) session.destroy(err);
    });
  }, everyMs);
  timer.unref();
  session.once('close', () => clearInterval(timer));
}
