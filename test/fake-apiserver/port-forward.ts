// The API server's pod port-forward endpoint, the way the real one speaks it over
// WebSocket: GET /api/v1/namespaces/NS/pods/POD/portforward?ports=P upgraded with the
// `v4.channel.k8s.io` (or `portforward.k8s.io`) subprotocol; one data channel (0) and
// one error channel (1) for the port; the first message on each channel is the port
// number (uint16 little endian); every message starts with its channel byte. Bytes are
// forwarded to a loopback server standing in for the pod.
import type http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export const PORT_FORWARD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/;
const PROTOCOLS = ['v4.channel.k8s.io', 'portforward.k8s.io'];

export interface PortForwardTargets {
  /** `ns/pod` -> pod port -> loopback port that answers for it. */
  targets: Map<string, Map<number, number>>;
  /** Requests seen (path and chosen subprotocol), for assertions. */
  requests: { pod: string; port: number; protocol: string }[];
  /** Refuse with 403 (no RBAC `create` on pods/portforward). */
  forbidden: boolean;
}

function refuse(socket: Duplex, code: number, reason: string, message: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });
  socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export function handlePortForwardUpgrade(pf: PortForwardTargets, req: http.IncomingMessage, socket: Duplex, head: Buffer, authorized: boolean): void {
  const url = new URL(req.url ?? '/', 'http://fake');
  const m = PORT_FORWARD_PATH.exec(url.pathname);
  if (!m) return refuse(socket, 404, 'NotFound', 'the server could not find the requested resource');
  if (!authorized) return refuse(socket, 401, 'Unauthorized', 'Unauthorized');
  const ns = decodeURIComponent(m[1]!);
  const pod = decodeURIComponent(m[2]!);
  if (pf.forbidden) {
    return refuse(socket, 403, 'Forbidden', `pods "${pod}" is forbidden: User "netscope-test" cannot create resource "pods/portforward" in API group "" in the namespace "${ns}"`);
  }
  const port = Number(url.searchParams.get('ports'));
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  const protocol = PROTOCOLS.find((p) => offered.includes(p));
  if (protocol === undefined) return refuse(socket, 400, 'BadRequest', 'no supported WebSocket subprotocol (want v4.channel.k8s.io or portforward.k8s.io)');
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => protocol });
  wss.handleUpgrade(req, socket, head, (ws) => {
    pf.requests.push({ pod: `${ns}/${pod}`, port, protocol });
    serveChannels(ws, port, pf.targets.get(`${ns}/${pod}`)?.get(port), `${ns}/${pod}`);
  });
}

function serveChannels(ws: WebSocket, port: number, local: number | undefined, pod: string): void {
  const portBytes = Buffer.from([port & 0xff, port >> 8]);
  ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
  ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
  const fail = (why: string): void => {
    ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`error forwarding port ${port} to pod ${pod}: ${why}`)]));
    ws.close();
  };
  if (local === undefined) return fail('no such pod port');
  const tcp = net.connect(local, '127.0.0.1');
  const pending: Buffer[] = [];
  let connected = false;
  tcp.on('connect', () => {
    connected = true;
    for (const b of pending) tcp.write(b);
    pending.length = 0;
  });
  tcp.on('data', (d: Buffer) => ws.send(Buffer.concat([Buffer.from([0]), d])));
  tcp.on('error', (err) => fail(err.message));
  tcp.on('close', () => ws.close());
  ws.on('message', (data: Buffer) => {
    if (data.length === 0 || data[0] !== 0) return;
    const body = data.subarray(1);
    if (connected) tcp.write(body);
    else pending.push(Buffer.from(body));
  });
  ws.on('close', () => tcp.destroy());
}
