// Node's share of the eBPF collector: loader byte stream -> RecordReader -> FlowMapper,
// without root or a kernel. The stream is synthesized with the loader's record layouts
// (bpf/netscope.h) for a TCP_CRR load like bench/bpf-crr.ts drives: per transaction,
// both sides' conn-close summaries (comm "bpf-crr") carrying the connection's one
// non-HTTP request/response (64 'q' bytes, answered by 128 'r' bytes), as the kernel
// folds it; every 10th transaction is HTTP instead, which adds the client's and the
// server's L7 record (request line and status line snapshots), ~15k transactions/s
// of boot-clock time, distinct ports and cookies, 10.x IPv4 addresses, and a stats
// record once per second of stream time. It is fed in 64 KiB chunks like the pipe
// delivers it. Prints figures only; no thresholds.
//
// --own: the folded pairs carry NS_F_L7_OWN, as the kernel writes them where the open scan
// does not run (each close record then gives the pair's L7 flow and the close flow).
//
// --eager: the mapper gives plain flow objects (every field decoded at once) instead of lazy ones.
// --read none|time|tui: what is read of each flow: nothing (an agent's ring with no client),
// its time (the default), or what the TUI's ingestion reads (src/streams FlowStore: ring,
// counters, topology, RED), a fresh FlowStore per repetition.
//
//   node bench/bpf-decode.ts [--objects] [--own] [--eager] [--read none|time|tui] [transactions per repetition] [repetitions]
import { GCProfiler } from 'node:v8';
import { RecordReader } from '../src/bpf-bridge/records.ts';
import { FlowMapper } from '../src/bpf-bridge/to-flow.ts';
import type { SourceEvent } from '../src/model/source.ts';
import { FlowStore } from '../src/streams/flow-store.ts';

const readAt = process.argv.indexOf('--read');
const READ = readAt >= 0 ? process.argv[readAt + 1] ?? '' : 'time';
if (READ !== 'none' && READ !== 'time' && READ !== 'tui') {
  console.error(`bpf-decode: --read ${READ}: want none, time or tui`);
  process.exit(2);
}
const args = process.argv.slice(2).filter((a, i, all) => a !== '--objects' && a !== '--own' && a !== '--eager' && a !== '--read' && all[i - 1] !== '--read');
const OWN = process.argv.includes('--own');
const EAGER = process.argv.includes('--eager');
/** --objects: decode to LoaderRecord objects and map those (RecordReader.push + FlowMapper.map). */
const OBJECTS = process.argv.includes('--objects');
const TX = Number(args[0] ?? 25_000);
const REPS = Number(args[1] ?? 8);
const CHUNK = 64 * 1024;

const HDR = 16;
const CONN_SIZE = 152;
const L7_SIZE = 240;

function header(b: Buffer, off: number, type: number, size: number, tsNs: bigint): void {
  b.writeUInt32LE(type, off);
  b.writeUInt32LE(size, off + 4);
  b.writeBigUInt64LE(tsNs, off + 8);
}

/** ns_tuple at off + 16: local address first (socket view). */
function tuple(b: Buffer, off: number, local: number[], remote: number[], lport: number, rport: number): void {
  b.set(local, off + HDR);
  b.set(remote, off + HDR + 16);
  b.writeUInt16BE(lport, off + HDR + 32);
  b.writeUInt16BE(rport, off + HDR + 34);
  b[off + HDR + 36] = 4;
  b[off + HDR + 37] = 6;
}

interface Side {
  local: number[];
  remote: number[];
  lport: number;
  rport: number;
  cookie: bigint;
  pid: number;
}

/** A close summary; with `fold`, carrying its connection's one request/response [req, resp] (boot ns). */
function conn(b: Buffer, off: number, s: Side, tsNs: bigint, startNs: bigint, estabNs: bigint, active: boolean, k: number, fold?: [bigint, bigint]): void {
  header(b, off, 2, CONN_SIZE, tsNs);
  tuple(b, off, s.local, s.remote, s.lport, s.rport);
  b.writeBigUInt64LE(s.cookie, off + 56);
  b.writeBigUInt64LE(startNs, off + 64);
  b.writeBigUInt64LE(estabNs, off + 72);
  b.writeBigUInt64LE(active ? 64n : 128n, off + 80);
  b.writeBigUInt64LE(active ? 128n : 64n, off + 88);
  b.writeUInt32LE(active ? 4 : 3, off + 96);
  b.writeUInt32LE(active ? 3 : 4, off + 100);
  b.writeUInt32LE(18 + (k % 23), off + 104);
  b.writeUInt32LE(0, off + 108);
  b.writeUInt32LE(s.pid, off + 112);
  b.writeUInt32LE((active ? 0x11 : 0x12) | (fold ? 0x40 | (active ? 0x80 : 0) | (OWN ? 0x100 : 0) : 0), off + 116);
  b.write('bpf-crr', off + 120, 'latin1');
  b.writeBigUInt64LE(fold?.[0] ?? 0n, off + 136);
  b.writeBigUInt64LE(fold?.[1] ?? 0n, off + 144);
}

const Q = Buffer.alloc(64, 'q');
const R = Buffer.alloc(32, 'r');
const HTTP_REQ = Buffer.from('GET /api/x HTTP/1.1\r\nHost: web:8080\r\nUser-Agent: bpf-crr\r\nAccept: */*\r\n\r\n', 'latin1');
const HTTP_RESP = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5', 'latin1').subarray(0, 32);

function l7(b: Buffer, off: number, s: Side, tsNs: bigint, latencyNs: number, reqEgress: boolean, http: boolean): void {
  header(b, off, 4, L7_SIZE, tsNs);
  tuple(b, off, s.local, s.remote, s.lport, s.rport);
  b.writeBigUInt64LE(s.cookie, off + 56);
  b.writeBigUInt64LE(tsNs - BigInt(latencyNs), off + 64);
  b.writeBigUInt64LE(BigInt(latencyNs), off + 72);
  b.writeUInt32LE(reqEgress ? 1 : 0, off + 80);
  const req = http ? HTTP_REQ.subarray(0, 96) : Q;
  const resp = http ? HTTP_RESP : R;
  b.writeUInt16LE(req.length, off + 84);
  b.writeUInt16LE(resp.length, off + 86);
  b.writeUInt32LE(s.pid, off + 88);
  b.write('bpf-crr', off + 96, 'latin1');
  req.copy(b, off + 112);
  resp.copy(b, off + 208);
}

function synthesize(tx: number): { stream: Buffer; records: number } {
  const statsEvery = 15_000;
  const size = 24 + tx * 2 * CONN_SIZE + Math.ceil(tx / 10) * 2 * L7_SIZE + Math.ceil(tx / statsEvery) * 32;
  const b = Buffer.alloc(size);
  let off = 0;
  let records = 0;
  // Clock record: realtime - boottime, so flows land in late 2026.
  header(b, off, 102, 24, 0n);
  b.writeBigInt64LE(1_790_000_000_123_456_789n, off + 16);
  off += 24;
  records++;
  let t = 9_000_000_000_000n; // 2.5 h after boot
  const server = [10, 231, 0, 3];
  for (let k = 0; k < tx; k++) {
    // ~15k transactions/s with jitter; ports cycle through the ephemeral range.
    t += BigInt(60_000 + ((k * 7919) % 13_000));
    const client = [10, 231, 1 + (k % 3), 2 + (k % 5)];
    const cport = 32768 + (k % 28232);
    const c: Side = { local: client, remote: server, lport: cport, rport: 8080, cookie: BigInt(100_000 + 2 * k), pid: 4242 };
    const s: Side = { local: server, remote: client, lport: 8080, rport: cport, cookie: BigInt(100_001 + 2 * k), pid: 4241 };
    const http = k % 10 === 9;
    const start = t;
    const estab = t + BigInt(9_000 + (k % 4_000));
    const latC = 21_000 + ((k * 31) % 9_000);
    const latS = latC - 4_000;
    const reqC = estab + 1_000n;
    const reqS = estab + 3_000n;
    if (http) {
      l7(b, off, s, reqS + BigInt(latS), latS, false, true);
      off += L7_SIZE;
      l7(b, off, c, reqC + BigInt(latC), latC, true, true);
      off += L7_SIZE;
      records += 2;
    }
    conn(b, off, c, estab + BigInt(latC + 9_000), start, estab, true, k, http ? undefined : [reqC, reqC + BigInt(latC)]);
    off += CONN_SIZE;
    conn(b, off, s, estab + BigInt(latC + 12_000), start + 4_000n, estab - 2_000n, false, k, http ? undefined : [reqS, reqS + BigInt(latS)]);
    off += CONN_SIZE;
    records += 2;
    if (k % statsEvery === statsEvery - 1) {
      header(b, off, 103, 32, t);
      b.writeBigUInt64LE(0n, off + 16);
      b.writeBigUInt64LE(BigInt(records), off + 24);
      off += 32;
      records++;
    }
  }
  return { stream: b.subarray(0, off), records };
}

function once(stream: Buffer): { flows: number; chars: number } {
  const reader = new RecordReader();
  const mapper = new FlowMapper({ nodeName: 'bench-node', sourceName: 'local', eager: EAGER });
  const store = READ === 'tui' ? new FlowStore() : undefined;
  let flows = 0;
  let chars = 0;
  const take = (ev: SourceEvent): void => {
    if (ev.kind === 'flow') {
      flows++;
      if (READ === 'time') chars += ev.flow.time!.length; // so nothing is optimized away
    }
    store?.ingest(ev);
  };
  // The collector's path (loader-process.ts): record ranges straight into the mapper.
  const mapRecord = (buf: Buffer, off: number, size: number): void => mapper.mapAt(buf, off, size, take);
  for (let off = 0; off < stream.length; off += CHUNK) {
    const chunk = stream.subarray(off, Math.min(off + CHUNK, stream.length));
    if (OBJECTS) for (const rec of reader.push(chunk)) for (const ev of mapper.map(rec)) take(ev);
    else reader.feed(chunk, mapRecord);
  }
  return { flows, chars };
}

const { stream, records } = synthesize(TX);
console.log(`${OBJECTS ? 'RecordReader.push + FlowMapper.map' : `RecordReader.feed + FlowMapper.mapAt (${EAGER ? 'eager' : 'lazy'} flows)`}${OWN ? ' (pairs of their own)' : ''}, reading ${READ}; stream: ${TX} transactions, ${records} records, ${(stream.length / 1048576).toFixed(1)} MiB, ${CHUNK / 1024} KiB chunks, ${REPS} repetitions (first is warm-up)`);
const rows: { wall: number; cpu: number; gc: number; gcs: number; perFlow: number }[] = [];
for (let rep = 0; rep < REPS; rep++) {
  const prof = new GCProfiler();
  prof.start();
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const { flows } = once(stream);
  const wall = Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  const gc = prof.stop()?.statistics ?? [];
  const gcNs = gc.reduce((sum, e) => sum + e.cost, 0) * 1000; // cost is in microseconds
  const row = { wall: wall / records, cpu: ((c.user + c.system) * 1000) / records, gc: gcNs / records, gcs: gc.length, perFlow: ((c.user + c.system) * 1000) / flows };
  if (rep > 0) rows.push(row);
  console.log(
    `rep ${rep}${rep === 0 ? ' (warm-up)' : ''}: ${flows} flows, ${row.wall.toFixed(0)} ns/record wall, ${row.cpu.toFixed(0)} ns/record cpu (${row.perFlow.toFixed(0)} ns/flow), ` +
      `${((records / wall) * 1e9 / 1e6).toFixed(2)} M records/s, GC ${row.gcs} pauses ${row.gc.toFixed(0)} ns/record (${((gcNs / wall) * 100).toFixed(0)}% of wall)`,
  );
}
const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mem = process.memoryUsage();
console.log(
  `median of ${rows.length}: ${med(rows.map((r) => r.wall)).toFixed(0)} ns/record wall, ${med(rows.map((r) => r.cpu)).toFixed(0)} ns/record cpu ` +
    `(best ${Math.min(...rows.map((r) => r.cpu)).toFixed(0)}), ${med(rows.map((r) => r.perFlow)).toFixed(0)} ns/flow cpu, GC ${med(rows.map((r) => r.gc)).toFixed(0)} ns/record; ` +
    `heap used ${(mem.heapUsed / 1048576).toFixed(0)} MiB, rss ${(mem.rss / 1048576).toFixed(0)} MiB`,
);
