// HTTP(S) GETs to the API server with the target's credentials (target.auth: client-node
// for kubeconfig files, the service account's files in cluster; re-applied per request);
// node:http(s) streams the body so watches and large lists are read incrementally.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { delayText } from './backoff.ts';
import type { KubeTarget } from './target.ts';

/** What the reflector needs from the network: one streaming GET. */
export interface ApiTransport {
  /** Human name of the server for messages, e.g. `https://10.0.0.1:6443`. */
  readonly server: string;
  /**
   * `stream`: a watch. Its headers may legitimately wait for the first event behind
   * some proxies, so only the reflector's idle timeout applies to it.
   */
  get(path: string, signal: AbortSignal, opts?: { stream?: boolean }): Promise<IncomingMessage>;
}

/** A request that failed before any HTTP status (DNS, refused, TLS, credential plugin). */
export class TransportError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}

function describeNetworkError(server: string, err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return `API server ${server} unreachable (connection refused)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `API server ${server} unreachable (host not found)`;
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `API server ${server} unreachable (${code})`;
    default:
      if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
        return `TLS error talking to ${server}: ${err.message}`;
      }
      return `API server ${server}: ${err.message.split('\n')[0]}`;
  }
}

export class KubeTransport implements ApiTransport {
  readonly server: string;
  private readonly target: KubeTarget;

  /** How long to wait for response headers (a blackholed server must not hang a list for minutes). */
  private readonly responseTimeoutMs: number;

  constructor(target: KubeTarget, opts: { responseTimeoutMs?: number } = {}) {
    this.target = target;
    this.responseTimeoutMs = opts.responseTimeoutMs ?? 30_000;
    this.server = target.server.replace(/\/+$/, '');
  }

  async get(path: string, signal: AbortSignal, getOpts: { stream?: boolean } = {}): Promise<IncomingMessage> {
    const opts: https.RequestOptions = { headers: { Accept: 'application/json' } };
    try {
      // Re-applied per request: exec plugins and token files rotate credentials.
      await this.target.auth.apply(opts);
    } catch (err) {
      const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new TransportError(`credentials for context "${this.target.contextName}" failed: ${msg}`, 'ECREDENTIALS');
    }
    const url = new URL(this.server + path);
    const isHttps = url.protocol === 'https:';
    const mod = isHttps ? https : http;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = mod.request(url, { ...opts, method: 'GET', signal }, (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      // Only until the headers arrive: a watch may then be quiet for minutes.
      const timer = getOpts.stream ? undefined : setTimeout(() => {
        const within = delayText(this.responseTimeoutMs);
        req.destroy(new TransportError(`API server ${this.server} unreachable (no answer within ${within})`, 'ETIMEDOUT'));
      }, this.responseTimeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (err instanceof TransportError || err.name === 'AbortError') reject(err);
        else reject(new TransportError(describeNetworkError(this.server, err), err.code ?? 'ERROR'));
      });
      req.end();
    });
  }
}

/** Reads a whole response body as text. */
export async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
