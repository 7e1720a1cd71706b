// `-P/--port-forward`: reach a Service's pod (hubble-relay in kube-system) through the
// API server's pod port-forward, so a jump host needs no route to pod IPs. A loopback
// listener stands in for the pod: each TCP connection to it becomes one WebSocket to
// POST /api/v1/namespaces/NS/pods/POD/portforward?ports=P, speaking the channel
// protocol (`v4.channel.k8s.io`, or `portforward.k8s.io`): every binary message starts
// with a channel byte, 0 = data and 1 = error for the one port, and the first message
// on each channel carries the port number (uint16, little endian) instead of data.
// The pod is looked up again for each connection, so a restarted relay is found.
import https from 'node:https';
import net from 'node:net';
import WebSocket from 'ws';
import { sanitize } from '../model/sanitize.ts';
import type { KubeTarget } from './kubeconfig.ts';
import { KubeTransport, readBody } from './transport.ts';

export const HUBBLE_RELAY = { namespace: 'kube-system', service: 'hubble-relay' } as const;

/** What the port-forward endpoint is asked to speak, newest first. */
export const PORT_FORWARD_PROTOCOLS = ['v4.channel.k8s.io', 'portforward.k8s.io'];

const DATA = 0;
const ERROR = 1;

/** A reason netscope cannot reach the Service: one line naming it. */
export class PortForwardError extends Error {}

export interface ServicePod {
  pod: string;
  port: number;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

async function getJson(t: KubeTransport, path: string, what: string): Promise<Obj | undefined> {
  const res = await t.get(path, AbortSignal.timeout(30_000));
  const body = await readBody(res);
  if (res.statusCode === 404) return undefined;
  if (res.statusCode === 403) throw new PortForwardError(`${what}: forbidden (${sanitize(String(obj(safeParse(body)).message ?? 'RBAC'))})`);
  if ((res.statusCode ?? 0) >= 300) throw new PortForwardError(`${what}: HTTP ${res.statusCode} from ${t.server}`);
  return obj(safeParse(body));
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** A ready pod behind the Service and the container port the Service's first port targets. */
export async function resolveServicePod(target: KubeTarget, namespace: string, service: string): Promise<ServicePod> {
  const t = new KubeTransport(target);
  const name = `Service ${namespace}/${service}`;
  const svc = await getJson(t, `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(service)}`, name);
  if (svc === undefined) throw new PortForwardError(`no ${name}`);
  const spec = obj(svc.spec);
  const selector = obj(spec.selector);
  const keys = Object.keys(selector);
  if (keys.length === 0) throw new PortForwardError(`${name} has no pod selector: nothing to port-forward to`);
  const portSpec = obj(list(spec.ports)[0]);
  const targetPort = portSpec.targetPort ?? portSpec.port;
  const labelSelector = keys.map((k) => `${k}=${String(selector[k])}`).join(',');
  const pods = await getJson(t, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?labelSelector=${encodeURIComponent(labelSelector)}`, `pods of ${name}`);
  const ready = list(pods?.items)
    .map(obj)
    .filter((p) => {
      const status = obj(p.status);
      return status.phase === 'Running' && list(status.conditions).some((c) => obj(c).type === 'Ready' && obj(c).status === 'True');
    });
  const pod = ready[0];
  if (pod === undefined) throw new PortForwardError(`${name} has no ready pod (selector ${labelSelector})`);
  const podName = String(obj(pod.metadata).name ?? '');
  let port: number | undefined;
  if (typeof targetPort === 'number') port = targetPort;
  else if (typeof targetPort === 'string') {
    if (/^\d+$/.test(targetPort)) port = Number(targetPort);
    for (const c of list(obj(pod.spec).containers)) {
      for (const p of list(obj(c).ports)) if (obj(p).name === targetPort) port = Number(obj(p).containerPort);
    }
  }
  if (port === undefined || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new PortForwardError(`${name}: cannot tell which port of pod ${podName} its port ${String(targetPort)} means`);
  }
  return { pod: podName, port };
}

export interface PortForward {
  /** `127.0.0.1:PORT`, where the Service's pod port answers. */
  localAddress: string;
  /** What it forwards to, for the status line: `kube-system/hubble-relay-5d..:4245`. */
  describe(): string;
  close(): Promise<void>;
}

export interface PortForwardOptions {
  namespace: string;
  /** The Service whose ready pod to reach (looked up again after a failed connection)... */
  service?: string;
  /** ...or this pod and port directly (a node agent: discovery follows its pod). */
  pod?: ServicePod;
  /** A connection failed (pod gone, RBAC, error channel): one line. */
  onError?: (message: string) => void;
}

async function wsOptions(target: KubeTarget): Promise<WebSocket.ClientOptions> {
  const opts: https.RequestOptions = { headers: {} };
  await target.auth.apply(opts);
  // client-node puts its TLS material in an agent; the in-cluster auth gives the CA alone.
  return { headers: opts.headers as Record<string, string>, agent: opts.agent as https.Agent | undefined, ...(opts.ca !== undefined ? { ca: opts.ca } : {}), handshakeTimeout: 30_000 };
}

/** Resolves the Service's pod now (a missing Service or pod is a PortForwardError) and listens on loopback. */
export async function startPortForward(target: KubeTarget, opts: PortForwardOptions): Promise<PortForward> {
  if (opts.pod === undefined && opts.service === undefined) throw new PortForwardError('port-forward: neither a Service nor a pod to forward to');
  const resolvePod = (): Promise<ServicePod> => (opts.pod ? Promise.resolve(opts.pod) : resolveServicePod(target, opts.namespace, opts.service!));
  let current = await resolvePod();
  const report = (m: string): void => opts.onError?.(sanitize(m));
  const sockets = new Set<net.Socket>();

  const bridge = async (sock: net.Socket): Promise<void> => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.pause();
    let ws: WebSocket;
    try {
      const path = `/api/v1/namespaces/${encodeURIComponent(opts.namespace)}/pods/${encodeURIComponent(current.pod)}/portforward?ports=${current.port}`;
      ws = new WebSocket(target.server.replace(/^http/, 'ws').replace(/\/+$/, '') + path, PORT_FORWARD_PROTOCOLS, await wsOptions(target));
    } catch (err) {
      report(`port-forward to ${opts.namespace}/${current.pod}: ${err instanceof Error ? err.message : String(err)}`);
      sock.destroy();
      return;
    }
    const seen = [false, false];
    let errorText = '';
    ws.binaryType = 'nodebuffer';
    ws.on('open', () => {
      sock.on('data', (chunk: Buffer) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(Buffer.concat([Buffer.from([DATA]), chunk]));
      });
      sock.resume();
    });
    ws.on('message', (data: Buffer) => {
      if (data.length === 0) return;
      const ch = data[0]!;
      const body = data.subarray(1);
      if (ch > ERROR) return; // one port asked for: channels 0 and 1 only
      if (!seen[ch]) {
        // The first message on each channel is the port number, not data.
        seen[ch] = true;
        return;
      }
      if (ch === DATA) sock.write(body);
      else errorText += body.toString('utf8');
    });
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString('utf8')));
      res.on('end', () => {
        const why = res.statusCode === 403 ? 'forbidden: needs RBAC create on pods/portforward' : `HTTP ${res.statusCode}`;
        const detail = String(obj(safeParse(text)).message ?? '').split('\n')[0];
        report(`port-forward to ${opts.namespace}/${current.pod}: ${why}${detail ? ` (${detail})` : ''}`);
        sock.destroy();
      });
    });
    ws.on('error', (err) => {
      report(`port-forward to ${opts.namespace}/${current.pod}: ${err.message}`);
      sock.destroy();
    });
    ws.on('close', () => {
      if (errorText !== '') report(`port-forward to ${opts.namespace}/${current.pod}:${current.port}: ${errorText.trim()}`);
      // A pod that went away: look it up again for the next connection.
      if (opts.pod === undefined && (errorText !== '' || !seen[DATA])) {
        resolvePod().then(
          (p) => (current = p),
          (err: unknown) => report(err instanceof Error ? err.message : String(err)),
        );
      }
      sock.end();
    });
    sock.on('close', () => ws.close());
    sock.on('error', () => ws.close());
  };

  const server = net.createServer((sock) => void bridge(sock));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    localAddress: `127.0.0.1:${port}`,
    describe: () => `${opts.namespace}/${current.pod}:${current.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
