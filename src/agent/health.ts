// The agent's health endpoint: plain HTTP `GET /healthz` for the DaemonSet's liveness and
// readiness probes. 200 once the collector is attached and the gRPC server listens, 503
// with the reason otherwise. It answers with the agent's status only, never flows.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HEALTH_PATH } from './manifest.ts';

export interface AgentHealth {
  /** Undefined until the collector says it attached. */
  attached?: string;
  /** Set once the gRPC server listens: its addresses. */
  serving?: string[];
  /** Why the agent is not healthy (the collector failed or stopped). Wins over the rest. */
  failure?: string;
}

/** The probe's answer for a state (pure). */
export function healthResponse(h: AgentHealth): { status: 200 | 503; body: string } {
  if (h.failure !== undefined) return { status: 503, body: `unhealthy: ${h.failure}\n` };
  if (h.attached === undefined) return { status: 503, body: 'starting: the eBPF collector is not attached yet\n' };
  if (h.serving === undefined) return { status: 503, body: 'starting: the gRPC server is not listening yet\n' };
  return { status: 200, body: `ok: ${h.attached}; serving on ${h.serving.join(', ')}\n` };
}

/** `HOST:PORT` or `:PORT` (every interface) -> listen arguments; undefined when malformed. */
export function parseHealthListen(text: string): { host: string | undefined; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}

export interface HealthServer {
  /** `HOST:PORT` as bound. */
  address: string;
  close(): Promise<void>;
}

export async function startHealthServer(listen: string, state: () => AgentHealth): Promise<HealthServer> {
  const where = parseHealthListen(listen);
  if (!where) throw new Error(`--health-listen ${listen}: want HOST:PORT or :PORT`);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== HEALTH_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: only GET ${HEALTH_PATH}\n`);
      return;
    }
    const r = healthResponse(state());
    res.writeHead(r.status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : r.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`cannot listen on ${listen} for ${HEALTH_PATH}: ${err.message}`)));
    server.listen(where.port, where.host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    address: `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
