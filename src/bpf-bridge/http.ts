// HTTP/1.x from the first bytes of a request and of its response (the collector
// keeps 96 and 32 bytes): method, path, Host when it fits, and status code.
// Anything else is not HTTP/1.x and yields undefined.

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE']);

export interface HttpRequestLine {
  method: string;
  path: string;
  protocol: string;
  host?: string;
}

/**
 * False when parseHttpRequest would surely return undefined: the bytes do not start
 * with 3 to 7 capital letters and a space. Lets a decoder skip text conversion for
 * the (usual) non-HTTP snapshot.
 */
export function mayBeHttpRequest(buf: Buffer, off: number, len: number): boolean {
  const end = off + Math.min(len, 8);
  for (let i = off; i < end; i++) {
    const c = buf[i]!;
    if (c === 0x20) return i - off >= 3;
    if (c < 0x41 || c > 0x5a) return false;
  }
  return false;
}

/** The request line (and Host) of bytes[start, end). */
export function parseHttpRequest(bytes: Buffer, start = 0, end = bytes.length): HttpRequestLine | undefined {
  const text = bytes.toString('latin1', start, end);
  const sp1 = text.indexOf(' ');
  if (sp1 < 3 || sp1 > 7) return undefined;
  const method = text.slice(0, sp1);
  if (!METHODS.has(method)) return undefined;
  const eol = text.indexOf('\r\n');
  const line = eol >= 0 ? text.slice(0, eol) : text;
  const sp2 = line.indexOf(' ', sp1 + 1);
  // A path cut off by the snapshot is still worth showing; the protocol is then unknown.
  const path = sp2 > 0 ? line.slice(sp1 + 1, sp2) : line.slice(sp1 + 1);
  const protoText = sp2 > 0 ? line.slice(sp2 + 1) : '';
  if (path === '') return undefined;
  if (protoText !== '' && !/^HTTP\/1\.[01]$/.test(protoText)) return undefined;
  const req: HttpRequestLine = { method, path, protocol: protoText || 'HTTP/1.1' };
  if (eol >= 0) {
    const m = /\r\nhost:[ \t]*([^\r\n]*)\r\n/i.exec(text);
    if (m) req.host = m[1]!;
  }
  return req;
}

export interface HttpStatusLine {
  protocol: string;
  code: number;
}

/** The status line of bytes[start, end) (its first 32 bytes). */
export function parseHttpResponse(bytes: Buffer, start = 0, end = bytes.length): HttpStatusLine | undefined {
  const m = /^(HTTP\/1\.[01]) (\d{3})(?:[ \r]|$)/.exec(bytes.toString('latin1', start, Math.min(end, start + 32)));
  if (!m) return undefined;
  return { protocol: m[1]!, code: Number(m[2]) };
}

/** Hubble's url field: absolute when the Host header was captured. */
export function httpUrl(req: HttpRequestLine): string {
  if (req.path.startsWith('http://') || req.path.startsWith('https://')) return req.path;
  return req.host !== undefined ? `http://${req.host}${req.path}` : req.path;
}
