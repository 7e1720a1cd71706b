// A client for Hubble's Observer service (Hubble Relay, a Cilium agent, `netscope
// serve`) on grpc-js: the unary calls, and GetFlows for tools and tests (the gRPC
// source reads GetFlows over http2/ instead); and the one line, naming the server, that
// a failed call of either transport becomes.
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { clientCredentials, type ClientTls } from './tls.ts';
import { MAX_MESSAGE_BYTES, OBSERVER_SERVICE, type Msg } from './services.ts';
import { IP_SNI_PLACEHOLDER } from './http2/tls-names.ts';

export interface ObserverClientOptions {
  /** grpc-js target: `host:port` or `unix:///path`. */
  target: string;
  /** Undefined: plaintext. */
  tls?: ClientTls;
  /** Unary calls (GetNodes, ServerStatus) give up after this long. */
  unaryTimeoutMs?: number;
  /** HTTP/2 receive window in bytes (default 256 KiB). */
  flowControlWindow?: number;
}

export interface ObserverClient {
  /** GetFlowsResponse bytes, for decodeGetFlowsResponse (wire/get-flows.ts). */
  getFlows(req: Msg): grpc.ClientReadableStream<Buffer>;
  getNodes(): Promise<Msg>;
  serverStatus(): Promise<Msg>;
  getNamespaces(): Promise<Msg>;
  /** True once the channel is connected (READY); asks it to connect when idle. */
  isReady(): boolean;
  close(): void;
}


function hostOf(target: string): string | undefined {
  if (target.startsWith('unix:')) return undefined;
  const v6 = /^\[([^\]]+)\]/.exec(target);
  if (v6) return v6[1];
  const i = target.lastIndexOf(':');
  return i >= 0 ? target.slice(0, i) : target;
}

type Unary = (req: Msg, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Msg) => void) => void;

const ObserverCtor = grpc.makeGenericClientConstructor(OBSERVER_SERVICE, 'Observer');

export function createObserverClient(opts: ObserverClientOptions): ObserverClient {
  const channelOptions: grpc.ChannelOptions = {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    // netscope reconnects itself (with resume); the channel should not hide an outage.
    'grpc.enable_retries': 0,
    'grpc.initial_reconnect_backoff_ms': 250,
    'grpc.max_reconnect_backoff_ms': 5_000,
    // HTTP/2's default 64 KiB window is ~60 flows: the server waits a round trip for
    // every 60. Measured (60k flows, -o json): 64 KiB 7.3-7.6 s, 256 KiB 4.4-6.2 s at the
    // same RSS (~150 MB), 4 MiB no faster and 220 MB.
    'grpc-node.flow_control_window': opts.flowControlWindow ?? 256 * 1024,
  };
  if (opts.tls?.serverName) {
    channelOptions['grpc.ssl_target_name_override'] = opts.tls.serverName;
    channelOptions['grpc.default_authority'] = opts.tls.serverName;
  }
  let verifyHost: string | undefined;
  if (opts.tls && !opts.tls.serverName) {
    // An IP target: verify the certificate against the IP, but send no IP as the TLS
    // server name (RFC 6066 forbids it and Node warns on stderr). Like Go's client.
    const host = hostOf(opts.target);
    if (host !== undefined && net.isIP(host) !== 0) {
      if (!opts.tls.allowInsecure) verifyHost = host;
      channelOptions['grpc.ssl_target_name_override'] = IP_SNI_PLACEHOLDER;
    }
  }
  const creds = opts.tls ? clientCredentials(opts.tls, verifyHost) : grpc.credentials.createInsecure();
  const client = new ObserverCtor(opts.target, creds, channelOptions) as unknown as grpc.Client & Record<string, unknown>;
  const timeout = opts.unaryTimeoutMs ?? 10_000;

  const unary = (name: string) => (): Promise<Msg> =>
    new Promise((resolve, reject) => {
      const fn = client[name] as Unary;
      fn.call(client, {}, new grpc.Metadata(), { deadline: Date.now() + timeout }, (err, res) => (err ? reject(err) : resolve(res ?? {})));
    });

  return {
    getFlows: (req) => (client.GetFlows as (r: Msg) => grpc.ClientReadableStream<Buffer>).call(client, req),
    getNodes: unary('GetNodes'),
    serverStatus: unary('ServerStatus'),
    getNamespaces: unary('GetNamespaces'),
    isReady: () => client.getChannel().getConnectivityState(true) === grpc.connectivityState.READY,
    close: () => client.close(),
  };
}

/** One line for a failed call, naming the server: what a person can act on. */
export function describeGrpcError(err: unknown, server: string): string {
  const e = err as Partial<grpc.ServiceError> & { message?: string };
  const details = cleanDetails(e.details ?? e.message ?? String(err));
  const lower = details.toLowerCase();
  let why: string;
  if (lower.includes('econnrefused')) why = 'connection refused';
  else if (lower.includes('enotfound') || lower.includes('name resolution failed') || lower.includes('dns resolution failed')) why = 'cannot resolve the host name';
  else if (lower.includes('etimedout') || e.code === grpc.status.DEADLINE_EXCEEDED) why = 'timed out';
  else if (lower.includes('certificate has expired') || lower.includes('cert_has_expired')) why = 'TLS: the server certificate has expired';
  else if (lower.includes('self-signed') || lower.includes('self signed') || lower.includes('unable to verify') || lower.includes('unable to get local issuer')) {
    why = 'TLS: the server certificate is not signed by a trusted CA (--tls-ca-cert-files)';
  } else if (lower.includes('altnames') || lower.includes("hostname/ip does not match") || lower.includes('does not match certificate')) {
    why = 'TLS: the server certificate is not for this name (--tls-server-name)';
  } else if (lower.includes('certificate required') || lower.includes('peer did not return a certificate')) {
    why = 'TLS: the server wants a client certificate (--tls-client-cert-file, --tls-client-key-file)';
  } else if (lower.includes('bad certificate') || lower.includes('unknown ca') || lower.includes('alert decrypt error')) {
    why = 'TLS: the server refused the client certificate (not signed by a CA it trusts?)';
  } else if (lower.includes('wrong version number') || lower.includes('packet length too long') || lower.includes('ssl routines')) {
    why = 'TLS handshake failed (is the server plaintext? then leave out --tls)';
  } else if (lower.startsWith('not a grpc server')) {
    why = details; // an HTTP/2 server that answered with something else (http2/server-stream.ts)
  } else if (lower.includes('failed to connect')) {
    why = 'the server closed the connection during setup (does it want TLS? then add --tls; or it is not a gRPC server)';
  } else if (lower.includes('protocol error') || lower.includes('http2') || lower.includes('received http') || lower.includes('bad') && lower.includes('frame')) {
    why = `the server does not speak gRPC over HTTP/2 (${details}); TLS on one side only?`;
  } else if (e.code === grpc.status.RESOURCE_EXHAUSTED) why = `message too large (${details})`;
  else if (e.code === grpc.status.UNIMPLEMENTED) why = `not a Hubble Observer server (${details})`;
  else if (e.code === grpc.status.CANCELLED && lower.includes('cancelled on client')) why = 'cancelled';
  else {
    const code = e.code !== undefined ? grpc.status[e.code] : undefined;
    why = code !== undefined && !details.startsWith(String(e.code)) ? `${code}: ${details}` : details;
  }
  return `server ${server}: ${why}`;
}

/** grpc-js wraps the cause in channel chatter; keep the cause. */
function cleanDetails(d: string): string {
  return d
    .replace(/No connection established\. Last error: /g, '')
    .replace(/Resolution note:.*$/s, '')
    .replace(/\(\d{4}-\d\d-\d\dT[\d:.]+Z\)/g, '')
    .replace(/^Error: /, '')
    .replace(/\s+/g, ' ')
    .replace(/ \)/g, ')')
    .trim()
    .replace(/[.:]$/, '')
    .trim();
}
