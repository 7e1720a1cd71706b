import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpUrl, parseHttpRequest, parseHttpResponse } from '../../src/bpf-bridge/http.ts';
import { parseDns } from '../../src/bpf-bridge/dns.ts';
import { dnsMessage } from './records-fixture.ts';

test('HTTP request line, Host and status line', () => {
  const req = parseHttpRequest(Buffer.from('GET /api/items?id=3 HTTP/1.1\r\nHost: shop:8080\r\nAccept: */*\r\n'));
  assert.deepEqual(req, { method: 'GET', path: '/api/items?id=3', protocol: 'HTTP/1.1', host: 'shop:8080' });
  assert.equal(httpUrl(req!), 'http://shop:8080/api/items?id=3');
  assert.deepEqual(parseHttpResponse(Buffer.from('HTTP/1.1 404 Not Found\r\n')), { protocol: 'HTTP/1.1', code: 404 });
});

test('a path cut off by the snapshot is kept; non-HTTP payloads are not HTTP', () => {
  const req = parseHttpRequest(Buffer.from('POST /very/long/pa'));
  assert.equal(req?.method, 'POST');
  assert.equal(req?.path, '/very/long/pa');
  assert.equal(httpUrl(req!), '/very/long/pa');
  assert.equal(parseHttpRequest(Buffer.from('hello world\n')), undefined);
  assert.equal(parseHttpRequest(Buffer.from('GET / SPDY/3\r\n')), undefined);
  assert.equal(parseHttpResponse(Buffer.from('HTTP/2 200')), undefined);
  assert.equal(parseHttpResponse(Buffer.from('\x00\x01binary')), undefined);
});

test('DNS query and answer with A records and NXDOMAIN', () => {
  const q = parseDns(dnsMessage({ id: 0x1234, response: false, name: 'cart.shop.svc.cluster.local' }));
  assert.equal(q?.id, 0x1234);
  assert.equal(q?.isResponse, false);
  assert.equal(q?.query, 'cart.shop.svc.cluster.local.');
  assert.equal(q?.qtype, 'A');
  const a = parseDns(dnsMessage({ id: 7, response: true, name: 'web.lab', answers: ['10.231.0.9', '10.231.0.10'], ttl: 60 }));
  assert.deepEqual(a?.ips, ['10.231.0.9', '10.231.0.10']);
  assert.deepEqual(a?.rrtypes, ['A', 'A']);
  assert.equal(a?.ttl, 60);
  assert.equal(a?.rcode, 0);
  const nx = parseDns(dnsMessage({ id: 8, response: true, rcode: 3, name: 'nope.lab' }));
  assert.equal(nx?.rcode, 3);
});

test('truncated or looping DNS names are rejected, not crashed on', () => {
  assert.equal(parseDns(Buffer.from([0, 1, 0, 0])), undefined);
  const loop = Buffer.alloc(18);
  loop.writeUInt16BE(1, 4);
  loop.writeUInt16BE(0xc00c, 12); // points at itself
  assert.equal(parseDns(loop), undefined);
});

test('HTTP parsers read a byte range of a larger buffer (a record inside a chunk)', () => {
  const chunk = Buffer.from('xxGET /a HTTP/1.1\r\nHost: h\r\n\r\nHTTP/1.0 204 No Content\r\nGET /b');
  const reqEnd = chunk.indexOf('HTTP/1.0');
  assert.deepEqual(parseHttpRequest(chunk, 2, reqEnd), { method: 'GET', path: '/a', protocol: 'HTTP/1.1', host: 'h' });
  assert.deepEqual(parseHttpResponse(chunk, reqEnd, reqEnd + 12), { protocol: 'HTTP/1.0', code: 204 });
  assert.equal(parseHttpResponse(chunk, reqEnd, reqEnd + 11), undefined, 'the range ends inside the status code');
  assert.equal(parseHttpRequest(chunk, 0, reqEnd), undefined, 'the range starts before the method');
});
