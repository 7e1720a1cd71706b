// A gRPC server on node:http2 for a fixed set of methods with one request message
// (unary and server-streaming): the listening (TCP, Unix socket; h2c or TLS with ALPN
// h2, optionally requiring client certificates), the checks of a request the gRPC
// HTTP/2 protocol asks for (POST, content-type application/grpc[+proto], te: trailers,
// grpc-timeout, an uncompressed request of at most 4 MiB), keepalive pings, and a
// close that sends GOAWAY. What a method does is the caller's (ServerCall).
import fs from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { addressText, type GrpcAddress } from '../address.ts';
import { readServerTls, type ServerTlsFiles } from '../tls.ts';
import { MessageDeframer } from './framing.ts';
import { ServerCall } from './server-call.ts';
import { Code, encodeGrpcMessage, GrpcCallError, parseGrpcTimeout } from './status.ts';

export interface Method<Req> {
  decode(bytes: Uint8Array): Req;
  /** Called once with the request; answers through the call (write, end, fail). */
  handle(call: ServerCall<Req>): void;
}

export interface GrpcServerOptions {
  listen: GrpcAddress[];
  tls?: ServerTlsFiles;
  /** By path, e.g. `/observer.Observer/GetFlows`. */
  methods: ReadonlyMap<string, Method<unknown>>;
  maxMessageBytes: number;
  keepaliveMs?: number;
  keepaliveTimeoutMs?: number;
}

export interface GrpcServer {
  /** The bound addresses (ports resolved), in the order given. */
  addresses: string[];
  /** GOAWAY to every client, then waits for open calls to end (at most `graceMs`) before closing connections. */
  close(graceMs?: number): Promise<void>;
}

export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServer> {
  const sessions = new Set<http2.ServerHttp2Session>();
  const settings: http2.Settings = { enablePush: false };
  const servers: (http2.Http2Server | http2.Http2SecureServer)[] = [];
  const files = opts.tls ? readServerTls(opts.tls) : undefined;
  const make = (): http2.Http2Server | http2.Http2SecureServer =>
    files
      ? http2.createSecureServer({
          cert: files.cert,
          key: files.key,
          ...(files.clientCa ? { ca: files.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
          ALPNProtocols: ['h2'],
          allowHTTP1: false,
          settings,
        })
      : http2.createServer({ settings });

  const onSession = (session: http2.ServerHttp2Session): void => {
    sessions.add(session);
    session.on('error', () => {}); // a client gone mid-way: its streams close and cancel their calls
    session.once('close', () => sessions.delete(session));
    keepalive(session, opts.keepaliveMs ?? 30_000, opts.keepaliveTimeoutMs ?? 20_000);
  };

  const bound: string[] = [];
  try {
    for (const a of opts.listen) {
      const server = make();
      servers.push(server);
      server.on('session', onSession);
      server.on('stream', (stream, headers) => onStream(stream, headers, opts));
      // A TLS handshake that fails (wrong CA, plaintext client) is the client's problem, not the server's.
      if (files) (server as http2.Http2SecureServer).on('tlsClientError', () => {});
      bound.push(await listen(server, a));
    }
  } catch (err) {
    for (const s of servers) s.close();
    throw err;
  }

  return {
    addresses: bound,
    close: async (graceMs = 2000) => {
      const stopped = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      for (const s of sessions) s.close(); // GOAWAY; open streams may finish
      const deadline = setTimeout(() => {
        for (const s of sessions) s.destroy();
      }, graceMs);
      await Promise.all(stopped);
      clearTimeout(deadline);
    },
  };
}

function listen(server: net.Server, a: GrpcAddress): Promise<string> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(new Error(`cannot listen on ${addressText(a)}: ${err.message}`));
    server.once('error', onError);
    const done = (): void => {
      server.off('error', onError);
      const where = server.address();
      if (a.kind === 'unix') return resolve(addressText(a));
      const port = typeof where === 'object' && where !== null ? where.port : a.port;
      resolve(`${a.host.includes(':') ? `[${a.host}]` : a.host}:${port}`);
    };
    if (a.kind === 'unix') {
      if (fs.existsSync(a.path) && fs.statSync(a.path).isSocket() === false) return reject(new Error(`cannot listen on ${addressText(a)}: the path exists and is not a socket`));
      server.listen(a.path, done);
    } else server.listen({ host: a.host, port: a.port, ipv6Only: false }, done);
  });
}

/** A gRPC error before any call exists: trailers-only, as every gRPC server answers it. */
function refuse(stream: http2.ServerHttp2Stream, code: number, message: string, httpStatus = 200): void {
  stream.on('error', () => {});
  if (stream.destroyed || stream.headersSent) return;
  stream.respond({ ':status': httpStatus, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': encodeGrpcMessage(message) }, { endStream: true });
}

function onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, opts: GrpcServerOptions): void {
  if (headers[':method'] !== 'POST') return refuse(stream, Code.INTERNAL, `gRPC requires POST, not ${String(headers[':method'])}`, 405);
  const ct = String(headers['content-type'] ?? '');
  if (!/^application\/grpc($|[+;])/.test(ct)) return refuse(stream, Code.INTERNAL, `invalid gRPC request content-type ${JSON.stringify(ct)}`, 415);
  if (headers.te !== 'trailers') return refuse(stream, Code.INTERNAL, 'a gRPC request needs the header "te: trailers"');
  const path = String(headers[':path'] ?? '');
  const method = opts.methods.get(path);
  if (method === undefined) return refuse(stream, Code.UNIMPLEMENTED, `the server does not implement the method ${path}`);
  let timeoutMs: number | undefined;
  try {
    timeoutMs = parseGrpcTimeout(headers['grpc-timeout'] as string | undefined);
  } catch (err) {
    return refuse(stream, Code.INTERNAL, (err as GrpcCallError).details);
  }
  const enc = headers['grpc-encoding'];
  const deframer = new MessageDeframer(opts.maxMessageBytes, typeof enc === 'string' ? enc : 'identity');
  const msgs: Buffer[] = [];
  let failed = false;
  stream.on('data', (chunk: Buffer) => {
    if (failed) return;
    try {
      for (const m of deframer.push(chunk)) msgs.push(m);
    } catch (err) {
      failed = true;
      const e = err as GrpcCallError;
      // A compressed request: this server only speaks identity (it said so in grpc-accept-encoding).
      refuse(stream, e.code === Code.INTERNAL && /compressed/.test(e.details) ? Code.UNIMPLEMENTED : e.code, e.details);
    }
  });
  stream.on('error', () => {});
  stream.once('end', () => {
    if (failed || stream.destroyed) return;
    if (deframer.failure !== undefined) return refuse(stream, Code.INTERNAL, (deframer.failure as GrpcCallError).details ?? deframer.failure.message);
    if (msgs.length !== 1 || deframer.partial) {
      return refuse(stream, Code.INTERNAL, msgs.length === 0 ? 'the request carried no message' : 'a unary request carries exactly one message');
    }
    let req: unknown;
    try {
      req = method.decode(msgs[0]!);
    } catch (err) {
      return refuse(stream, Code.INTERNAL, `the request could not be parsed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const call = new ServerCall(stream, req, timeoutMs);
    try {
      method.handle(call);
    } catch (err) {
      call.fail(Code.INTERNAL, err instanceof Error ? err.message : String(err));
    }
  });
}

/** Pings each client every `everyMs`; one that does not answer within `timeoutMs` is gone. */
function keepalive(session: http2.ServerHttp2Session, everyMs: number, timeoutMs: number): void {
  if (everyMs <= 0) return;
  const timer = setInterval(() => {
    if (session.destroyed) return;
    const dead = setTimeout(() => session.destroy(), timeoutMs);
    dead.unref();
    session.ping(() => clearTimeout(dead));
  }, everyMs);
  timer.unref();
  session.once('close', () => clearInterval(timer));
}
