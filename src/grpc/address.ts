// Addresses as hubble spells them: `HOST:PORT`, `[V6]:PORT`, `:PORT` (all interfaces,
// listen only) and `unix:///path` (also `unix:/path`). Pure: text in, parts out.

export type GrpcAddress =
  | { kind: 'tcp'; host: string; port: number; /** grpc-js target or bind string. */ target: string }
  | { kind: 'unix'; path: string; target: string };

/** Hubble Relay's port; `--server HOST` without a port means this one, as in hubble's default localhost:4245. */
export const DEFAULT_RELAY_PORT = 4245;

export class AddressError extends Error {}

export function parseAddress(text: string, use: 'connect' | 'listen'): GrpcAddress {
  const t = text.trim();
  if (t === '') throw new AddressError('empty address');
  if (t.startsWith('unix:')) {
    const path = t.startsWith('unix://') ? t.slice('unix://'.length) : t.slice('unix:'.length);
    if (!path.startsWith('/')) throw new AddressError(`${text}: want unix:///absolute/path`);
    return { kind: 'unix', path, target: 'unix://' + path };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) throw new AddressError(`${text}: unsupported scheme (want HOST:PORT or unix:///path)`);
  let host: string;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (v6) {
    host = v6[1]!;
    portText = v6[2];
  } else {
    const i = t.lastIndexOf(':');
    if (i >= 0 && t.indexOf(':') !== i) throw new AddressError(`${text}: an IPv6 address needs brackets, e.g. [::1]:4245`);
    host = i >= 0 ? t.slice(0, i) : t;
    portText = i >= 0 ? t.slice(i + 1) : undefined;
  }
  if (portText === undefined || portText === '') {
    if (use === 'listen' || i0(t)) throw new AddressError(`${text}: missing port`);
    portText = String(DEFAULT_RELAY_PORT);
  }
  if (!/^\d+$/.test(portText)) throw new AddressError(`${text}: invalid port "${portText}"`);
  const port = Number(portText);
  if (port > 65535 || (port === 0 && use === 'connect')) throw new AddressError(`${text}: port out of range`);
  if (host === '') {
    if (use === 'connect') throw new AddressError(`${text}: missing host`);
    host = '::'; // `:PORT`: every interface, IPv4 and IPv6
  }
  if (/\s/.test(host)) throw new AddressError(`${text}: invalid host`);
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return { kind: 'tcp', host, port, target: `${hostPart}:${port}` };
}

// `HOST:` (a colon with nothing after it) is a typo, not "default port".
function i0(t: string): boolean {
  return t.endsWith(':');
}

/** True for addresses only this machine can reach: loopback hosts and Unix sockets. */
export function isLocalOnly(a: GrpcAddress): boolean {
  if (a.kind === 'unix') return true;
  const h = a.host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

/** How an address is shown in messages. */
export function addressText(a: GrpcAddress): string {
  return a.kind === 'unix' ? `unix://${a.path}` : a.target;
}
