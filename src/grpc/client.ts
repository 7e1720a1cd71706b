// A client for Hubble's Observer service (Hubble Relay, a Cilium agent, `netscope
// serve`): a channel to one server and its calls, with errors turned into one line
// that names the server.
import * as grpc from '@grpc/grpc-js';
import { clientCredentials, type ClientTls } from './tls.ts';
import { MAX_MESSAGE_BYTES, OBSERVER_SERVICE, type Msg } from './services.ts';

export interface ObserverClientOptions {
  /** grpc-js target: `host:port` or `unix:///path`. */
  target: string;
  /** Undefined: plaintext. */
  tls?: ClientTls;
  /** Unary calls (GetNodes, ServerStatus) give up after this long. */
  unaryTimeoutMs?: number;
}

export interface ObserverClient {
  getFlows(req: Msg): grpc.ClientReadableStream<Msg>;
  getNodes(): Promise<Msg>;
  serverStatus(): Promise<Msg>;
  getNamespaces(): Promise<Msg>;
  close(): void;
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
  };
  if (opts.tls?.serverName) {
    channelOptions['grpc.ssl_target_name_override'] = opts.tls.serverName;
    channelOptions['grpc.default_authority'] = opts.tls.serverName;
  }
  const creds = opts.tls ? clientCredentials(opts.tls) : grpc.credentials.createInsecure();
  const client = new ObserverCtor(opts.target, creds, channelOptions) as unknown as grpc.Client & Record<string, unknown>;
  const timeout = opts.unaryTimeoutMs ?? 10_000;

  const unary = (name: string) => (): Promise<Msg> =>
    new Promise((resolve, reject) => {
      const fn = client[name] as Unary;
      fn.call(client, {}, new grpc.Metadata(), { deadline: Date.now() + timeout }, (err, res) => (err ? reject(err) : resolve(res ?? {})));
    });

  return {
    getFlows: (req) => (client.GetFlows as (r: Msg) => grpc.ClientReadableStream<Msg>).call(client, req),
    getNodes: unary('GetNodes'),
    serverStatus: unary('ServerStatus'),
    getNamespaces: unary('GetNamespaces'),
    close: () => client.close(),
  };
}

/** One line for a failed call, naming the server: what a person can act on. */
export function describeGrpcError(err: unknown, server: string): string {
  const e = err as Partial<grpc.ServiceError> & { message?: string };
  const details = (e.details ?? e.message ?? String(err)).replace(/\s+/g, ' ').trim();
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
  } else if (lower.includes('wrong version number') || lower.includes('packet length too long') || lower.includes('ssl routines')) {
    why = 'TLS handshake failed (is the server plaintext? then leave out --tls)';
  } else if (lower.includes('certificate required') || lower.includes('peer did not return a certificate') || lower.includes('alert handshake failure')) {
    why = 'TLS: the server wants a client certificate (--tls-client-cert-file, --tls-client-key-file)';
  } else if (lower.includes('protocol error') || lower.includes('http2') || lower.includes('received http') || lower.includes('bad') && lower.includes('frame')) {
    why = `the server does not speak gRPC over HTTP/2 as expected (${details}); TLS on one side only?`;
  } else if (e.code === grpc.status.RESOURCE_EXHAUSTED) why = `message too large (${details})`;
  else if (e.code === grpc.status.UNIMPLEMENTED) why = `not a Hubble Observer server (${details})`;
  else if (e.code === grpc.status.CANCELLED && lower.includes('cancelled on client')) why = 'cancelled';
  else {
    const code = e.code !== undefined ? grpc.status[e.code] : undefined;
    why = code !== undefined && !details.startsWith(String(e.code)) ? `${code}: ${details}` : details;
  }
  return `server ${server}: ${why}`;
}
