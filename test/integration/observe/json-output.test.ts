// `netscope observe -o json` output path end to end: stdout is written in batches
// (src/cli/output-buffer.ts), so these check what batching must not change: line order,
// stderr lines in between kept in place, everything flushed at the end and on SIGINT,
// a closed pipe ending quietly, and a slow reader holding the input back instead of
// the output piling up in memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { until, within } from '../../wait.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = path.join(ROOT, 'bin/netscope');
const GOLDEN = new URL('./golden', import.meta.url).pathname;
const GOLDEN_IN = fs.readFileSync(path.join(GOLDEN, 'flows.jsonl'), 'utf8').trimEnd().split('\n');
// What hubble printed for each input line with -o jsonpb (the same order).
const GOLDEN_OUT = fs.readFileSync(path.join(GOLDEN, 'hubble-jsonpb.txt'), 'utf8').trimEnd().split('\n');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netscope-json-output-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

/** The golden lines `times` over, each copy's uuid numbered so that order is visible. */
function numbered(lines: string[], times: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < times; i++) for (const l of lines) out.push(l.replace(/"uuid":"[^"]*"/, `"uuid":"copy-${i}"`));
  return out;
}

/** A file of `times` copies of the golden input (about 8 KB each). */
function bigInput(name: string, times: number): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, numbered(GOLDEN_IN, times).join('\n') + '\n');
  return file;
}

test('-o json: lines in input order across many batches, warnings on stderr at their place, all flushed at the end', () => {
  const copies = 400; // ~3 MB: dozens of 64 KiB batches
  const lines = numbered(GOLDEN_IN, copies);
  const want = numbered(GOLDEN_OUT, copies);
  // Malformed lines in the middle of the stream, each reported as file:line.
  const badAt = [1234, 2500, 3999];
  const input: string[] = [];
  const expected: string[] = [];
  let lineNo = 0;
  for (let i = 0; i < lines.length; i++) {
    if (badAt.includes(i)) {
      lineNo++;
      input.push('{not json');
      expected.push(`netscope: FILE:${lineNo}: invalid JSON`);
    }
    lineNo++;
    input.push(lines[i]!);
    expected.push(want[i]!);
  }
  const file = path.join(tmp, 'ordered.jsonl');
  fs.writeFileSync(file, input.join('\n') + '\n');
  // stdout and stderr into one file, as `> out 2>&1` would: their interleaving is visible.
  const outFile = path.join(tmp, 'ordered.out');
  const fd = fs.openSync(outFile, 'w');
  const r = spawnSync(BIN, ['observe', '--input-file', file, '-o', 'json'], { stdio: ['ignore', fd, fd], env: { ...process.env, TZ: 'UTC' } });
  fs.closeSync(fd);
  assert.equal(r.status, 3);
  const got = fs.readFileSync(outFile, 'utf8').split('\n');
  assert.equal(got.pop(), '', 'output ends with a complete line');
  assert.equal(got.pop(), `netscope: ${badAt.length} lines skipped`);
  assert.equal(got.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i]!;
    if (want.startsWith('netscope: FILE:')) {
      assert.ok(got[i]!.startsWith(want.replace('FILE', file) + ' ('), `line ${i + 1}: ${got[i]}`);
    } else {
      assert.equal(got[i], want, `line ${i + 1}`);
    }
  }
});

test('-o json into a pipe closed after one line (| head -1) exits 0 without an error', async () => {
  const file = bigInput('epipe.jsonl', 2000); // ~16 MB: still writing when the pipe closes
  const child = spawn(BIN, ['observe', '--input-file', file, '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let first = '';
  await within(
    'the first line on stdout',
    30_000,
    new Promise<void>((resolve) => {
      const onData = (d: Buffer): void => {
        first += d.toString();
        if (first.includes('\n')) {
          child.stdout.off('data', onData);
          resolve();
        }
      };
      child.stdout.on('data', onData);
    }),
  );
  child.stdout.destroy();
  const status = await within('observe to exit after its stdout closed', 30_000, new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code))));
  assert.equal(first.split('\n')[0], GOLDEN_OUT[0]!.replace(/"uuid":"[^"]*"/, '"uuid":"copy-0"'));
  assert.equal(status, 0);
  assert.equal(stderr, '');
});

/** Where the process has read `file` up to (its open descriptor's offset), or undefined once closed. */
function readOffset(pid: number, file: string): number | undefined {
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== file) continue;
    const m = /^pos:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
    return m === null ? undefined : Number(m[1]);
  }
  return undefined;
}

test('-o json to a slow reader: the input is held back while stdout is full, then everything arrives in order', async () => {
  const copies = 3000; // ~24 MB of input
  const file = bigInput('slow.jsonl', copies);
  const size = fs.statSync(file).size;
  const child = spawn(BIN, ['observe', '--input-file', file, '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // Nobody reads stdout yet. The reading must come to a stop well before the end of the file.
  let last = -1;
  let still = 0;
  await until(
    'observe to stop reading its input while nobody reads its output',
    () => {
      const pos = readOffset(child.pid!, file) ?? -1;
      still = pos === last && pos > 0 ? still + 1 : 0;
      last = pos;
      return still >= 10;
    },
    60_000,
    100,
  );
  assert.ok(last < size / 4, `read ${last} of ${size} bytes with no reader`);
  // Now read it all: every line, in order.
  const chunks: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => chunks.push(d));
  const status = await within('observe to finish once read', 120_000, closed);
  assert.equal(status, 0, stderr);
  const got = Buffer.concat(chunks).toString('utf8').split('\n');
  assert.equal(got.pop(), '');
  const want = numbered(GOLDEN_OUT, copies);
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) assert.equal(got[i], want[i], `line ${i + 1}`);
});

test('-o json --follow: SIGINT flushes what was printed; every line is whole', async () => {
  const child = spawn(BIN, ['observe', '--demo', '--follow', '--last', '5', '--rate', '500', '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await until('20 lines of demo flows', () => out.split('\n').length > 20, 30_000, 50);
  child.kill('SIGINT');
  const status = await within('observe to exit after SIGINT', 30_000, new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code))));
  assert.equal(status, 0, stderr);
  assert.ok(out.endsWith('\n'), 'the last line is complete');
  for (const line of out.trimEnd().split('\n')) assert.ok((JSON.parse(line) as { flow?: unknown }).flow !== undefined, line);
});
