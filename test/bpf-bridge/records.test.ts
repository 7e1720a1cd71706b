import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordReader, decodeRecord } from '../../src/bpf-bridge/records.ts';
import { formatAddress } from '../../src/bpf-bridge/address.ts';
import { connRecord, dropRecord, statsRecord, textRecord } from './records-fixture.ts';

test('conn record fields decode at the C struct offsets', () => {
  const r = decodeRecord(
    connRecord({
      open: false,
      tsNs: 5_000_000_000n,
      t: { saddr: '10.231.0.2', daddr: '10.231.0.3', sport: 40000, dport: 8080 },
      cookie: 77,
      startNs: 4_000_000_000n,
      estabNs: 4_000_300_000n,
      bytesSent: 123,
      bytesReceived: 2 ** 40,
      segsOut: 5,
      segsIn: 6,
      srttUs: 42,
      retrans: 1,
      pid: 999,
      flags: 0x11,
      comm: 'curl',
    }),
  );
  assert.equal(r.type, 'conn-close');
  if (r.type !== 'conn-close') return;
  assert.deepEqual(r.tuple, { saddr: '10.231.0.2', daddr: '10.231.0.3', sport: 40000, dport: 8080, family: 4, proto: 6 });
  assert.equal(r.cookie, 77);
  assert.equal(r.bytesSent, 123);
  assert.equal(r.bytesReceived, 2 ** 40);
  assert.equal(r.segsOut, 5);
  assert.equal(r.segsIn, 6);
  assert.equal(r.srttUs, 42);
  assert.equal(r.retrans, 1);
  assert.equal(r.pid, 999);
  assert.equal(r.comm, 'curl');
  assert.equal(r.estabNs - r.startNs, 300_000n);
});

test('reader reassembles records split across chunks at any byte', () => {
  const a = dropRecord({ tsNs: 1n, t: { saddr: '10.0.0.1', daddr: '10.0.0.2', sport: 1, dport: 2 }, reason: 3 });
  const b = statsRecord(4, 10);
  const c = textRecord(104, 'drops not observed');
  const all = Buffer.concat([a, b, c]);
  for (let cut = 1; cut < all.length; cut += 7) {
    const reader = new RecordReader();
    const out = [...reader.push(all.subarray(0, cut)), ...reader.push(all.subarray(cut))];
    assert.deepEqual(out.map((r) => r.type), ['drop', 'stats', 'warn'], `cut at ${cut}`);
    assert.equal(reader.pendingBytes, 0);
  }
});

test('reader: a record spread over three chunks, and tails shorter than a header', () => {
  const a = dropRecord({ tsNs: 1n, t: { saddr: '10.0.0.1', daddr: '10.0.0.2', sport: 1, dport: 2 }, reason: 3 });
  const b = statsRecord(4, 10);
  const all = Buffer.concat([a, b, a]);
  for (let i = 1; i < all.length - 1; i += 5) {
    for (const j of [i + 1, i + 3, i + 17, i + 90]) {
      if (j >= all.length) continue;
      const reader = new RecordReader();
      const out = [...reader.push(all.subarray(0, i)), ...reader.push(all.subarray(i, j)), ...reader.push(all.subarray(j))];
      assert.deepEqual(out.map((r) => r.type), ['drop', 'stats', 'drop'], `cuts at ${i}, ${j}`);
      assert.equal(reader.pendingBytes, 0);
    }
  }
});

test('reader: a corrupt size right after a record finished from the previous chunk is still an error', () => {
  const a = statsRecord(1, 2);
  const bad = Buffer.alloc(16);
  bad.writeUInt32LE(1, 0);
  bad.writeUInt32LE(13, 4);
  const reader = new RecordReader();
  assert.deepEqual(reader.push(a.subarray(0, 10)), []);
  assert.throws(() => reader.push(Buffer.concat([a.subarray(10), bad])), /corrupt loader stream: record size 13/);
});

test('a corrupt size field is an error, not silently skipped', () => {
  const bad = Buffer.alloc(16);
  bad.writeUInt32LE(1, 0);
  bad.writeUInt32LE(13, 4);
  assert.throws(() => new RecordReader().push(bad), /corrupt loader stream: record size 13 at byte 0/);
});

test('a record shorter than its type needs is rejected', () => {
  const short = Buffer.alloc(40);
  short.writeUInt32LE(1, 0);
  short.writeUInt32LE(40, 4);
  assert.throws(() => decodeRecord(short), /conn record of 40 bytes, expected 152/);
});

test('addresses: IPv4, compressed IPv6, and IPv4-mapped IPv6 shown as IPv4', () => {
  const b = Buffer.alloc(16);
  b.set([10, 1, 2, 3]);
  assert.equal(formatAddress(b, 0, 4), '10.1.2.3');
  const v6 = Buffer.alloc(16);
  v6.writeUInt16BE(0xfd00, 0);
  v6.writeUInt16BE(1, 14);
  assert.equal(formatAddress(v6, 0, 6), 'fd00::1');
  const mapped = Buffer.alloc(16);
  mapped.set([0xff, 0xff, 10, 231, 0, 2], 10);
  assert.equal(formatAddress(mapped, 0, 6), '10.231.0.2');
  assert.equal(formatAddress(Buffer.alloc(16), 0, 6), '::');
});

test('process names: many different names decode right in any order (name cache)', () => {
  const names = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `p${i}` : i % 3 === 1 ? `proc-${i}-xyz` : `exe${'x'.repeat(i % 12)}${i}`).slice(0, 15));
  const t = { saddr: '10.0.0.1', daddr: '10.0.0.2', sport: 1, dport: 2 };
  for (const order of [names, [...names].reverse(), names]) {
    for (const name of order) {
      const r = decodeRecord(connRecord({ open: false, tsNs: 1n, t, cookie: 1, flags: 1, comm: name }));
      assert.equal(r.type === 'conn-close' && r.comm, name);
    }
  }
  const empty = decodeRecord(connRecord({ open: false, tsNs: 1n, t, cookie: 1, flags: 1 }));
  assert.equal(empty.type === 'conn-close' && empty.comm, '');
});
