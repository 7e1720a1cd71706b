import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalTimestamp, formatProtoTimestamp, parseTimestamp, compareTimestamps, timestampFromMs } from '../../../src/codec/timestamp.ts';

test('parses RFC 3339 with nanoseconds and offsets', () => {
  assert.deepEqual(parseTimestamp('2026-01-01T10:00:00.123456789Z'), { seconds: 1767261600, nanos: 123456789 });
  assert.deepEqual(parseTimestamp('2026-01-01T12:00:00.5+02:00'), { seconds: 1767261600, nanos: 500000000 });
  assert.deepEqual(parseTimestamp('2026-01-01T09:30:00-00:30'), { seconds: 1767261600, nanos: 0 });
});

test('rejects what is not a valid timestamp', () => {
  for (const bad of ['', 'yesterday', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T10:00:00', '2026-01-01T10:00:00.1234567890Z']) {
    assert.equal(parseTimestamp(bad), undefined, bad);
  }
});

test('writes fractions the way protojson does: 0, 3, 6 or 9 digits', () => {
  assert.equal(canonicalTimestamp('2026-01-01T10:00:01.000Z'), '2026-01-01T10:00:01Z');
  assert.equal(canonicalTimestamp('2026-01-01T10:00:01.1Z'), '2026-01-01T10:00:01.100Z');
  assert.equal(canonicalTimestamp('2026-01-01T10:00:01.0001Z'), '2026-01-01T10:00:01.000100Z');
  assert.equal(canonicalTimestamp('2026-01-01T10:00:01.123456789Z'), '2026-01-01T10:00:01.123456789Z');
  assert.equal(canonicalTimestamp('2026-01-01T11:00:01.25+01:00'), '2026-01-01T10:00:01.250Z');
  assert.equal(canonicalTimestamp('not a time'), undefined);
  assert.equal(formatProtoTimestamp({ seconds: 0, nanos: 7 }), '1970-01-01T00:00:00.000000007Z');
});

test('compares with nanosecond precision', () => {
  const a = parseTimestamp('2026-01-01T10:00:00.000000001Z')!;
  const b = parseTimestamp('2026-01-01T10:00:00.000000002Z')!;
  assert.ok(compareTimestamps(a, b) < 0);
  assert.ok(compareTimestamps(b, a) > 0);
  assert.equal(compareTimestamps(a, a), 0);
});

test('timestampFromMs keeps nanos below one second', () => {
  assert.deepEqual(timestampFromMs(1500.25), { seconds: 1, nanos: 500_250_000 });
  assert.deepEqual(timestampFromMs(999.9999999), { seconds: 1, nanos: 0 });
  assert.deepEqual(timestampFromMs(-0.5), { seconds: -1, nanos: 999_500_000 });
});
