// Servers and clients run inside lab namespaces (`ip netns exec NS node agents.ts MODE ...`).
// Servers print "ready" once listening; clients print what the test needs to match
// flows (local ports, status codes) as JSON on stdout.
import { createServer, request } from 'node:http';
import { createServer as createTcpServer, connect } from 'node:net';
import { createSocket } from 'node:dgram';

const [mode = '', ...args] = process.argv.slice(2);

function fail(msg: string): never {
  process.stderr.write(`agents: ${msg}\n`);
  process.exit(1);
}

async function httpServer(port: number): Promise<void> {
  const srv = createServer((req, res) => {
    if (req.url?.startsWith('/hello')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`hello from ${req.url}\n`);
    } else {
      res.writeHead(404);
      res.end('not found\n');
    }
  });
  srv.keepAliveTimeout = 1000;
  srv.listen(port, '0.0.0.0', () => console.log('ready'));
}

function echoServer(port: number): void {
  const srv = createTcpServer((s) => {
    s.on('data', (d) => s.write(d));
    s.on('end', () => s.end());
    s.on('error', () => {});
  });
  srv.listen(port, '0.0.0.0', () => console.log('ready'));
}

/** Reads each request and hangs up without an answer. */
function hangupServer(port: number): void {
  const srv = createTcpServer((s) => {
    s.once('data', () => s.end());
    s.on('error', () => {});
  });
  srv.listen(port, '0.0.0.0', () => console.log('ready'));
}

/** Answers A queries for NAME.lab from a fixed table, NXDOMAIN otherwise. */
function dnsServer(table: Record<string, string>): void {
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    let p = 12;
    const labels: string[] = [];
    while (p < msg.length && msg[p] !== 0) {
      labels.push(msg.toString('latin1', p + 1, p + 1 + msg[p]!));
      p += 1 + msg[p]!;
    }
    const qEnd = p + 5;
    const name = labels.join('.').toLowerCase();
    const addr = table[name];
    const hdr = Buffer.from(msg.subarray(0, 12));
    hdr.writeUInt16BE(0x8180 | (addr ? 0 : 3), 2);
    hdr.writeUInt16BE(1, 4);
    hdr.writeUInt16BE(addr ? 1 : 0, 6);
    hdr.writeUInt32BE(0, 8);
    const parts = [hdr, msg.subarray(12, qEnd)];
    if (addr) {
      const a = Buffer.alloc(16);
      a.writeUInt16BE(0xc00c, 0);
      a.writeUInt16BE(1, 2);
      a.writeUInt16BE(1, 4);
      a.writeUInt32BE(30, 6);
      a.writeUInt16BE(4, 10);
      addr.split('.').forEach((o, i) => (a[12 + i] = Number(o)));
      parts.push(a);
    }
    sock.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  });
  sock.bind(53, '0.0.0.0', () => console.log('ready'));
}

/** N sequential connections: each sends BYTES bytes, reads them back, holds the connection HOLD ms, closes. */
async function tcpClient(host: string, port: number, n: number, bytes: number, holdMs: number, rounds: number): Promise<void> {
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve, reject) => {
      const s = connect({ host, port }, () => {
        ports.push(s.localPort!);
        s.write(Buffer.alloc(bytes, 0x61));
      });
      // `rounds` request/response exchanges on the one connection, each waiting for
      // the whole echo before the next request.
      let got = 0;
      let round = 1;
      s.on('data', (d) => {
        got += d.length;
        if (got < bytes * round) return;
        if (round < rounds) {
          round++;
          s.write(Buffer.alloc(bytes, 0x61));
        } else setTimeout(() => s.end(), holdMs);
      });
      s.on('close', () => resolve());
      s.on('error', reject);
    });
  }
  console.log(JSON.stringify({ ports }));
}

/** One connection per path (Connection: close); prints local ports and status codes. */
/** Sends one HTTP request and closes without ever reading: the response stays unread in the kernel. */
async function httpNoRead(host: string, port: number, path: string): Promise<void> {
  const s = connect({ host, port });
  // Paused before it connects, a socket never starts reading: no read(2) at all.
  s.pause();
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('error', reject);
  });
  s.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n\r\n`);
  await new Promise((r) => setTimeout(r, 300));
  console.log(JSON.stringify({ localPort: s.localPort }));
  s.destroy();
}

async function httpClient(host: string, port: number, paths: string[]): Promise<void> {
  const results: { path: string; status: number; localPort: number }[] = [];
  for (const path of paths) {
    await new Promise<void>((resolve, reject) => {
      const req = request({ host, port, path, headers: { connection: 'close' }, agent: false }, (res) => {
        res.resume();
        res.on('end', () => {
          results.push({ path, status: res.statusCode ?? 0, localPort: req.socket?.localPort ?? 0 });
          resolve();
        });
      });
      req.on('error', reject);
      req.end();
    });
  }
  console.log(JSON.stringify({ results }));
}

/** Connect attempt that is expected to fail; prints the error code. */
async function tryConnect(host: string, port: number, timeoutMs: number): Promise<void> {
  const code = await new Promise<string>((resolve) => {
    const s = connect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      resolve('TIMEOUT');
    }, timeoutMs);
    s.on('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve('CONNECTED');
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(t);
      resolve(e.code ?? 'ERROR');
    });
  });
  console.log(JSON.stringify({ code }));
}

async function dnsClient(server: string, names: string[]): Promise<void> {
  const sock = createSocket('udp4');
  const answers: { name: string; rcode: number }[] = [];
  for (const [i, name] of names.entries()) {
    const q = Buffer.concat([
      Buffer.from([0x40, i + 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]),
      ...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
      Buffer.from([0, 0, 1, 0, 1]),
    ]);
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no DNS answer for ${name}`)), 3000);
      sock.once('message', (m) => {
        clearTimeout(t);
        resolve(m);
      });
      sock.send(q, 53, server);
    });
    answers.push({ name, rcode: reply.readUInt16BE(2) & 0xf });
  }
  sock.close();
  console.log(JSON.stringify({ answers }));
}

switch (mode) {
  case 'http-server':
    await httpServer(Number(args[0]));
    break;
  case 'echo-server':
    echoServer(Number(args[0]));
    break;
  case 'hangup-server':
    hangupServer(Number(args[0]));
    break;
  case 'dns-server':
    dnsServer(Object.fromEntries(args.map((a) => a.split('='))));
    break;
  case 'tcp-client':
    await tcpClient(args[0]!, Number(args[1]), Number(args[2]), Number(args[3]), Number(args[4] ?? 0), Number(args[5] ?? 1));
    break;
  case 'http-client':
    await httpClient(args[0]!, Number(args[1]), args.slice(2));
    break;
  case 'http-noread':
    await httpNoRead(args[0]!, Number(args[1]), args[2]!);
    break;
  case 'try-connect':
    await tryConnect(args[0]!, Number(args[1]), Number(args[2]));
    break;
  case 'dns-client':
    await dnsClient(args[0]!, args.slice(1));
    break;
  default:
    fail(`unknown mode "${mode}"`);
}
