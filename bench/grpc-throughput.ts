// Throughput of Hubble's gRPC API both ways, on loopback:
//   1. in-process codec: GetFlowsResponse encode, and decode + mapping to Flow (the
//      client's per-flow work), flows/s on one core;
//   2. `netscope serve --input-file F` (taskset -c 0) to
//      `netscope observe --server ... --all -o json > /dev/null` (taskset -c 1): flows/s
//      received and printed, with no filter and with selective filters (applied at the
//      server), client peak RSS, the server's CPU per flow; and the client without
//      printing (bench/grpc-receive.ts: transport + decode + the source, flows per CPU-s);
//   3. the same file through `netscope observe --input-file F -o json` for comparison.
// Flows: the demo cluster's traffic (TCP, HTTP, DNS, drops), as in bench/observe-throughput.ts.
// Usage: node bench/grpc-throughput.ts [--flows 300000] [--runs 3] [--codec-runs 5] [--codec-only] [--binary PATH]
//   --codec-only: section 1 alone (in-process, a few seconds of CPU).
//   --binary: run server and client as this single executable (npm run build:binary) instead of
//   bin/netscope (the checkout, whose Node also strips TypeScript at load).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { filter as rxFilter, firstValueFrom, toArray } from 'rxjs';
import { encodeEvent } from '../src/codec/hubble-json-encode.ts';
import type { SourceEvent } from '../src/model/source.ts';
import { createDemoSource } from '../src/sources/demo/index.ts';
import { T } from '../src/grpc/schema.ts';
import { eventFromResponse, eventToResponse } from '../src/grpc/flow-mapping.ts';
import { encodeResponse } from '../src/grpc/services.ts';
import { decodeGetFlowsResponse, encodeGetFlowsResponse } from '../src/grpc/wire/get-flows.ts';
import { threadCpuNs } from './cpu-time.ts';
import { nodeFlags } from '../scripts/node-flags.ts';
import { decodeHubbleLine } from '../src/codec/hubble-json-decode.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const binaryAt = process.argv.indexOf('--binary');
const BIN = binaryAt >= 0 ? path.resolve(process.argv[binaryAt + 1]!) : path.join(ROOT, 'bin/netscope');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const TOTAL = arg('--flows', 300_000);
const RUNS = arg('--runs', 3);
const CODEC_RUNS = arg('--codec-runs', 5);
/** Only section 1 (the in-process codec): no child processes, a few seconds. */
const CODEC_ONLY = process.argv.includes('--codec-only');

const FILTERS: { name: string; args: string[] }[] = [
  { name: 'no filter', args: [] },
  { name: '--namespace shop --verdict DROPPED --to-port 6379', args: ['--namespace', 'shop', '--verdict', 'DROPPED', '--to-port', '6379'] },
  { name: '--to-namespace shop --protocol http --verdict FORWARDED', args: ['--to-namespace', 'shop', '--protocol', 'http', '--verdict', 'FORWARDED'] },
];

const k = (n: number): string => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function demoEvents(count: number): Promise<SourceEvent[]> {
  const out: SourceEvent[] = [];
  for (let seed = 1; out.length < count; seed++) {
    const evs = await firstValueFrom(
      createDemoSource({ seed, rate: 1000, historySeconds: Math.ceil((count - out.length) / 1000) + 1, now: () => Date.parse('2026-01-01T12:00:00Z') + seed * 3_600_000 }).pipe(
        rxFilter((ev): ev is Extract<SourceEvent, { kind: 'flow' }> => ev.kind === 'flow'),
        toArray(),
      ),
    );
    for (const ev of evs.slice(0, count - out.length)) out.push(ev);
  }
  return out;
}

/** Main-thread CPU ns of f() (/proc schedstat: what this core spent, however loaded the machine is). */
function cpuNs(f: () => void): number {
  const t = threadCpuNs(process.pid);
  f();
  return threadCpuNs(process.pid) - t;
}

function codecBench(events: SourceEvent[]): void {
  const n = Math.min(events.length, 200_000);
  const sample = events.slice(0, n);
  const NODE = 'bench-node';
  const protobufjsEncode = (ev: SourceEvent): Buffer => {
    const m = eventToResponse(ev)!;
    m.node_name ||= NODE;
    return encodeResponse(m);
  };
  // Warm up the generated encoders/decoders (and the wire codec's functions) first.
  for (const ev of sample.slice(0, 5000)) {
    eventFromResponse(T.GetFlowsResponse.decode(protobufjsEncode(ev)) as never);
    decodeGetFlowsResponse(encodeGetFlowsResponse(ev, NODE));
  }
  const encoded = sample.map(protobufjsEncode);
  const bytes = encoded.reduce((a, b) => a + b.length, 0);
  const run = (name: string, f: () => void): void => {
    const us = Array.from({ length: CODEC_RUNS }, () => cpuNs(f) / n / 1000).sort((a, b) => a - b);
    const med = median(us);
    console.log(`  ${name} ${med.toFixed(2).padStart(6)} us/flow (${us[0]!.toFixed(2)}-${us[us.length - 1]!.toFixed(2)}), ${k(1e6 / med).padStart(9)} flows per CPU-s`);
  };
  console.log(`  ${k(n)} flows, ${Math.round(bytes / n)} bytes/flow in protobuf; ${CODEC_RUNS} runs each, main-thread CPU per flow`);
  run('encode, protobufjs (eventToResponse + encode)', () => void sample.map(protobufjsEncode));
  run('encode, wire codec (encodeGetFlowsResponse)  ', () => void sample.map((ev) => encodeGetFlowsResponse(ev, NODE)));
  run('decode, protobufjs only                      ', () => encoded.forEach((b) => T.GetFlowsResponse.decode(b)));
  run('decode + mapping to Flow, protobufjs         ', () => encoded.forEach((b) => eventFromResponse(T.GetFlowsResponse.decode(b) as never)));
  run('decode to Flow, wire codec                   ', () => encoded.forEach((b) => decodeGetFlowsResponse(b)));
  // Last: 200,000 JSON lines held at once, each still the encoder's rope of concatenated
  // pieces (V8 cons strings), made the wire encoder above 2-3 times slower when built first
  // (4.1 -> 9-12 us a flow; 4.6 once the lines were flattened).
  const lines = sample.map((ev) => encodeEvent(ev)!);
  console.log(`  (${Math.round(lines.reduce((a, l) => a + l.length, 0) / n)} bytes/flow in JSON)`);
  run('for comparison: JSON line -> Flow (file path)', () => lines.forEach((l) => decodeHubbleLine(l)));
}

interface Serve {
  address: string;
  /** CPU seconds (user + system) the server process has used so far. */
  cpu(): number;
  stop(): void;
}

const TICKS_PER_S = 100; // USER_HZ on Linux
function processCpu(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_S; // utime, stime
}

async function startServe(file: string): Promise<Serve> {
  const child = spawn('taskset', ['-c', '0', BIN, 'serve', '--input-file', file, '--listen', '127.0.0.1:0', '--buffer-size', String(TOTAL + 10)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8');
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not load the file within 300 s: ${err}`)), 300_000);
    let addr = '';
    child.stderr!.on('data', (d: string) => {
      err += d;
      addr ||= /listening on (127\.0\.0\.1:\d+)/.exec(err)?.[1] ?? '';
      if (addr && /lines read/.test(err)) {
        clearTimeout(timer);
        resolve(addr);
      }
    });
    child.on('exit', (c) => reject(new Error(`serve exited ${c}: ${err}`)));
  });
  // taskset and bin/netscope exec: the child's pid is the server's.
  return { address, cpu: () => processCpu(child.pid!), stop: () => child.kill('SIGTERM') };
}

function timed(args: string[]): { seconds: number; cpu: number; rssMB: number; status: number | null } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', 'taskset', '-c', '1', BIN, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', fs.openSync('/dev/null', 'w'), 'pipe'],
    env: { ...process.env, TZ: 'UTC' },
  });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [e, u, s, m] = last.split(' ').map(Number);
  return { seconds: e!, cpu: u! + s!, rssMB: m! / 1024, status: r.status };
}

function receiveOnly(address: string): { flows: number; wall: number; cpu: number } {
  // With the flags netscope itself runs with (bin/node-flags), so its young generation is the same size.
  const r = spawnSync('taskset', ['-c', '1', process.execPath, ...nodeFlags(ROOT), path.join(ROOT, 'bench/grpc-receive.ts'), '--server', address], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`grpc-receive failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { flows: number; wall: number; cpu: number };
}

function countLines(args: string[]): number {
  const r = spawnSync(BIN, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  return r.stdout.length === 0 ? 0 : r.stdout.trimEnd().split('\n').length;
}

async function main(): Promise<void> {
  console.log(`netscope: ${BIN}`);
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`generating ${k(TOTAL)} demo flows ...`);
  const events = await demoEvents(TOTAL);
  // The codec first: writing the file makes ~330 MB of JSON string pieces that slow it (see codecBench).
  console.log('\n1. codec in this process (one core)');
  codecBench(events);
  if (CODEC_ONLY) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netscope-grpc-bench-'));
  const file = path.join(dir, 'flows.jsonl');
  fs.writeFileSync(file, events.map((ev) => encodeEvent(ev)!).join('\n') + '\n');

  console.log(`\n2. serve (taskset -c 0) -> observe --server --all -o json > /dev/null (taskset -c 1); median of ${RUNS} runs`);
  const serve = await startServe(file);
  try {
    const startup = median(Array.from({ length: RUNS }, () => timed(['observe', '--server', serve.address, '--first', '1', '-o', 'json']).seconds));
    console.log(`  client start-up and first flow (--first 1): ${startup.toFixed(2)} s`);
    // The server encodes each flow once, on its first read: warm it, so every run measures serving.
    timed(['observe', '--server', serve.address, '--all', '-o', 'json']);
    const recv = Array.from({ length: RUNS }, () => {
      const c0 = serve.cpu();
      const r = receiveOnly(serve.address);
      return { ...r, serverCpu: serve.cpu() - c0 };
    });
    const perCpu = recv.map((r) => r.flows / r.cpu);
    const perWall = recv.map((r) => r.flows / r.wall);
    console.log(
      `  received and decoded, not printed (bench/grpc-receive.ts): ${k(median(perCpu))} flows per client CPU-s (runs ${perCpu.map(k).join(', ')}), ` +
        `${k(median(perWall))}/s by wall; server CPU ${(median(recv.map((r) => r.serverCpu / r.flows)) * 1e6).toFixed(1)} us per flow`,
    );
    for (const f of FILTERS) {
      const c0 = serve.cpu();
      const runs = Array.from({ length: RUNS }, () => timed(['observe', '--server', serve.address, '--all', '-o', 'json', ...f.args]));
      const serverCpu = (serve.cpu() - c0) / RUNS;
      const wall = median(runs.map((r) => r.seconds));
      const cpu = median(runs.map((r) => r.cpu));
      const rss = Math.max(...runs.map((r) => r.rssMB));
      const matched = f.args.length === 0 ? TOTAL : countLines(['observe', '--server', serve.address, '--all', '-o', 'json', ...f.args]);
      const net = wall - startup;
      const rate = (n: number): string => `${k(n / wall)}/s by wall, ${net > 0.2 ? `${k(n / net)}/s without start-up` : 'start-up dominates'}`;
      console.log(`  ${f.name}`);
      console.log(`      ${k(matched)} flows received (${rate(matched)}); ${k(TOTAL)} server flows covered (${rate(TOTAL)})`);
      console.log(`      wall ${wall.toFixed(2)} s, client CPU ${cpu.toFixed(2)} s (${k(matched / Math.max(cpu, 0.001))} received flows per CPU-s), client peak RSS ${rss.toFixed(0)} MB, exit ${runs[0]!.status}`);
      console.log(`      server CPU ${serverCpu.toFixed(2)} s a run (${((serverCpu / TOTAL) * 1e6).toFixed(1)} us per flow covered; ${k(TOTAL / Math.max(serverCpu, 0.001))} covered per server CPU-s)`);
    }
  } finally {
    serve.stop();
  }

  console.log(`\n3. the same file: observe --input-file F --all -o json > /dev/null (taskset -c 1); median of ${RUNS} runs`);
  for (const f of FILTERS) {
    const runs = Array.from({ length: RUNS }, () => timed(['observe', '--input-file', file, '--all', '-o', 'json', ...f.args]));
    const wall = median(runs.map((r) => r.seconds));
    console.log(`  ${f.name.padEnd(58)} ${k(TOTAL / wall).padStart(9)} flows/s (wall ${wall.toFixed(2)} s, peak RSS ${Math.max(...runs.map((r) => r.rssMB)).toFixed(0)} MB)`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
