// One server-streaming gRPC call on an HTTP/2 session: the request (headers and one
// framed message), then the response checked as the gRPC protocol says (:status 200,
// content-type application/grpc[+proto], grpc-status in the trailers or in the headers
// of a trailers-only response). Messages reach the caller in batches, every message a
// DATA chunk completes at once. The call ends exactly once, with undefined (status OK)
// or an error whose text describeGrpcError turns into a line naming the server.
import http2 from 'node:http2';
import { frameMessage, MessageDeframer } from './framing.ts';
import { Code, codeForHttpStatus, GrpcCallError, grpcTimeout, statusFromTrailers } from './status.ts';

export interface StreamHandlers {
  /** The connection is up (the server's HTTP/2 settings arrived), before the call is answered. */
  onReady?(): void;
  /** The server accepted the call (response headers arrived). */
  onHeaders(): void;
  /** The messages one DATA chunk completed; throwing from here fails the call with that error. */
  onMessages(msgs: Buffer[]): void;
  onEnd(err: Error | undefined): void;
}

export interface StreamCallOptions {
  authority: string;
  maxMessageBytes: number;
  timeoutMs?: number;
  userAgent?: string;
}

export interface StreamCall {
  /** RST_STREAM(CANCEL); onEnd is not called after this. */
  cancel(): void;
  pause(): void;
  resume(): void;
}

/** Sessions whose server settings have arrived (so a new call on them is connected at once). */
const settled = new WeakSet<http2.ClientHttp2Session>();

/** Marks a new session settled once its server's SETTINGS arrive; call once per session. */
export function trackSettings(session: http2.ClientHttp2Session): void {
  session.once('remoteSettings', () => settled.add(session));
}

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_INADEQUATE_SECURITY, NGHTTP2_NO_ERROR } = http2.constants;

export function startServerStream(
  session: http2.ClientHttp2Session,
  path: string,
  request: Uint8Array,
  opts: StreamCallOptions,
  h: StreamHandlers,
): StreamCall {
  const headers: http2.OutgoingHttpHeaders = {
    ':method': 'POST',
    ':scheme': session.encrypted ? 'https' : 'http',
    ':path': path,
    ':authority': opts.authority,
    'content-type': 'application/grpc',
    te: 'trailers',
    'grpc-accept-encoding': 'identity',
    'user-agent': opts.userAgent ?? 'netscope',
  };
  if (opts.timeoutMs !== undefined) headers['grpc-timeout'] = grpcTimeout(opts.timeoutMs);
  let done = false;
  let failure: Error | undefined;
  let status: GrpcCallError | 'ok' | undefined;
  let deframer: MessageDeframer | undefined;
  let sessionError: Error | undefined;
  const onSessionError = (e: Error): void => {
    sessionError = e;
    setImmediate(finish);
  };
  session.on('error', onSessionError);
  let gotSettings = false;
  const onSettings = (): void => {
    gotSettings = true;
    if (!done) h.onReady?.();
  };
  // A session already in use has its settings; the first call on a new one waits for them.
  if (settled.has(session)) {
    gotSettings = true;
    queueMicrotask(() => !done && h.onReady?.());
  } else session.once('remoteSettings', onSettings);

  const stream = session.request(headers, { endStream: false });
  stream.end(frameMessage(request));

  const fail = (e: Error): void => {
    if (failure === undefined) failure = e;
    if (!stream.closed) stream.close(NGHTTP2_CANCEL);
  };

  stream.on('response', (hdrs) => {
    const code = Number(hdrs[':status']);
    if (code !== 200) {
      // A proxy or a web server: its status, mapped as the gRPC spec says (a grpc-status, if any, wins below).
      if (hdrs['grpc-status'] === undefined) return fail(new GrpcCallError(codeForHttpStatus(code), `Received HTTP status code ${code}`));
    } else {
      const ct = String(hdrs['content-type'] ?? '');
      if (!/^application\/grpc($|[+;])/.test(ct)) {
        return fail(new GrpcCallError(Code.UNKNOWN, `not a gRPC server (it answered with content-type ${ct === '' ? 'none' : JSON.stringify(ct.slice(0, 60))})`));
      }
    }
    const enc = hdrs['grpc-encoding'];
    deframer = new MessageDeframer(opts.maxMessageBytes, typeof enc === 'string' ? enc : 'identity');
    // Trailers-only: the status is in these headers and no data follows.
    if (hdrs['grpc-status'] !== undefined) status = statusFromTrailers(hdrs) ?? 'ok';
    else h.onHeaders();
  });
  stream.on('data', (chunk: Buffer) => {
    if (failure !== undefined || done) return;
    if (deframer === undefined) return fail(new GrpcCallError(Code.INTERNAL, 'the server sent data before its response headers'));
    try {
      const msgs = deframer.push(chunk);
      if (msgs.length > 0) h.onMessages(msgs);
      if (deframer.failure !== undefined) fail(deframer.failure);
    } catch (err) {
      fail(err instanceof Error ? err : new Error(String(err)));
    }
  });
  let sawEnd = false;
  stream.on('end', () => void (sawEnd = true));
  stream.on('trailers', (t) => {
    status = statusFromTrailers(t) ?? 'ok';
  });
  stream.on('error', (e: Error) => {
    if (failure === undefined) failure = e;
  });
  let sessionClosed = false;
  const onSessionClose = (): void => {
    sessionClosed = true;
    setImmediate(finish);
  };
  session.once('close', onSessionClose);
  stream.on('close', () => {
    // When the connection fails, Node closes the stream before it emits the session's
    // error, and that error says more ("connect ECONNREFUSED", a TLS alert): a stream
    // that closes before the connection was up waits for the connection's end.
    if (gotSettings || sessionClosed || session.destroyed) setImmediate(finish);
    else setTimeout(finish, 2000).unref();
  });
  // Reading must not stop with a stream that is never read to its end.
  stream.resume();

  const finish = (): void => {
    if (!stream.closed) return;
    session.off('error', onSessionError);
    session.off('remoteSettings', onSettings);
    session.off('close', onSessionClose);
    if (done) return;
    done = true;
    h.onEnd(outcome());
  };

  const outcome = (): Error | undefined => {
    if (failure instanceof GrpcCallError) return failure;
    if (status instanceof GrpcCallError) return status;
    if (status === 'ok' && failure === undefined) {
      if (deframer?.partial) return new GrpcCallError(Code.INTERNAL, 'the stream ended in the middle of a message');
      return undefined;
    }
    // A response that ended (END_STREAM) without trailers: the server said nothing about
    // how the call went. (Without response headers, the connection's fate says more.)
    if (sawEnd && deframer !== undefined && failure === undefined && status === undefined) return statusFromTrailers({});
    if (sessionError !== undefined) return new GrpcCallError(Code.UNAVAILABLE, sessionError.message);
    if (failure !== undefined && (failure as NodeJS.ErrnoException).code !== 'ERR_HTTP2_STREAM_CANCEL') return new GrpcCallError(Code.UNAVAILABLE, failure.message);
    if (!gotSettings) return new GrpcCallError(Code.UNAVAILABLE, 'Failed to connect: the connection closed during HTTP/2 setup');
    const rst = stream.rstCode;
    if (rst === NGHTTP2_REFUSED_STREAM) return new GrpcCallError(Code.UNAVAILABLE, 'the server refused the stream');
    if (rst === NGHTTP2_CANCEL) return new GrpcCallError(Code.CANCELLED, 'the server cancelled the stream');
    if (rst === NGHTTP2_ENHANCE_YOUR_CALM) return new GrpcCallError(Code.RESOURCE_EXHAUSTED, 'the server reset the stream (ENHANCE_YOUR_CALM)');
    if (rst === NGHTTP2_INADEQUATE_SECURITY) return new GrpcCallError(Code.PERMISSION_DENIED, 'the server reset the stream (INADEQUATE_SECURITY)');
    if (rst !== undefined && rst !== NGHTTP2_NO_ERROR) return new GrpcCallError(Code.INTERNAL, `Received RST_STREAM with code ${rst}`);
    if (failure !== undefined) return new GrpcCallError(Code.UNAVAILABLE, failure.message);
    return new GrpcCallError(Code.UNAVAILABLE, 'the connection closed before the server sent a status');
  };

  return {
    cancel: () => {
      done = true;
      session.off('error', onSessionError);
      session.off('remoteSettings', onSettings);
      session.off('close', onSessionClose);
      if (!stream.closed) stream.close(NGHTTP2_CANCEL);
    },
    pause: () => void stream.pause(),
    resume: () => void stream.resume(),
  };
}
