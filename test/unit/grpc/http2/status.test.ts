// gRPC status on the wire: grpc-message percent-encoding both ways (checked against
// encodeURIComponent/decodeURIComponent, an independent implementation, on text where
// the two agree), trailers, HTTP status mapping and grpc-timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeForHttpStatus, decodeGrpcMessage, encodeGrpcMessage, grpcTimeout, parseGrpcTimeout, statusFromTrailers, GrpcCallError } from '../../../../src/grpc/http2/status.ts';

test('grpc-message: printable ASCII stays, %, control bytes and UTF-8 are percent-encoded; decoding inverts it', () => {
  for (const text of ['plain text', '100% sure', 'line\nbreak\ttab', 'Grüße, 世界 🚀', '%zz is not an escape', '']) {
    const enc = encodeGrpcMessage(text);
    assert.match(enc, /^[\x20-\x7e]*$/, `only printable ASCII on the wire: ${enc}`);
    assert.equal(decodeGrpcMessage(enc), text);
    assert.equal(decodeURIComponent(enc), text, 'a standard percent-decoder reads it the same');
  }
  assert.equal(encodeGrpcMessage('a%b'), 'a%25b');
  assert.equal(decodeGrpcMessage('caf%C3%A9 %E2%9C%93'), 'café ✓');
});

test('grpc-message: a malformed escape is kept as it is', () => {
  assert.equal(decodeGrpcMessage('50%'), '50%');
  assert.equal(decodeGrpcMessage('50%4'), '50%4');
  assert.equal(decodeGrpcMessage('%G1 and %41'), '%G1 and A');
});

test('status from trailers: OK, an error with its message, a missing or bad grpc-status', () => {
  assert.equal(statusFromTrailers({ 'grpc-status': '0' }), undefined);
  const e = statusFromTrailers({ 'grpc-status': '14', 'grpc-message': 'relay%20shutting%20down' });
  assert.ok(e instanceof GrpcCallError);
  assert.equal(e.code, 14);
  assert.equal(e.details, 'relay shutting down');
  assert.equal(statusFromTrailers({})?.code, 2);
  assert.match(statusFromTrailers({ 'grpc-status': 'x1' })?.details ?? '', /invalid grpc-status "x1"/);
});

test('HTTP status without grpc-status: the gRPC spec mapping', () => {
  assert.deepEqual([400, 401, 403, 404, 429, 502, 503, 504, 500, 302].map(codeForHttpStatus), [13, 16, 7, 12, 14, 14, 14, 14, 2, 2]);
});

test('grpc-timeout: written in the coarsest unit that keeps 8 digits, read in every unit', () => {
  assert.equal(grpcTimeout(1500), '1500m');
  assert.equal(grpcTimeout(99_999_999), '99999999m');
  assert.equal(grpcTimeout(100_000_000), '100000S');
  assert.equal(parseGrpcTimeout(undefined), undefined);
  assert.deepEqual(['2H', '3M', '4S', '5m', '6000u', '7000000n'].map(parseGrpcTimeout), [7_200_000, 180_000, 4000, 5, 6, 7]);
  assert.throws(() => parseGrpcTimeout('123456789m'), /malformed grpc-timeout/);
  assert.throws(() => parseGrpcTimeout('10 s'), /malformed grpc-timeout/);
});
