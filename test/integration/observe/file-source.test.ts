import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { firstValueFrom, take, toArray } from 'rxjs';
import { createFileSource } from '../../../src/sources/file.ts';
import type { SourceEvent } from '../../../src/model/source.ts';

const line = (pod: string): string =>
  JSON.stringify({ flow: { time: '2026-01-01T00:00:00Z', verdict: 'FORWARDED', source: { namespace: 'ns', pod_name: pod } } });

function all(events: Promise<SourceEvent[]>): Promise<string[]> {
  return events.then((evs) =>
    evs.map((ev) => (ev.kind === 'flow' ? `flow ${ev.flow.source?.pod_name}` : ev.kind === 'status' ? `${ev.state} ${ev.message}` : ev.kind)),
  );
}

test('lines split anywhere across chunks (even inside a UTF-8 character) decode intact; CRLF accepted', async () => {
  const text = `${line('ünï-1')}\r\n${line('日本-2')}\n\n${line('plain-3')}`; // no final newline
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
  const got = await all(firstValueFrom(createFileSource({ path: '-', stdin: Readable.from(chunks) }).pipe(toArray())));
  assert.deepEqual(got, ['flow ünï-1', 'flow 日本-2', 'flow plain-3', 'done stdin: 4 lines read']);
});

test('malformed lines become warnings with their line numbers; reading goes on', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netscope-file-'));
  const file = path.join(dir, 'f.jsonl');
  fs.writeFileSync(file, [line('a'), '{oops', line('b'), '42'].join('\n') + '\n');
  const got = await all(firstValueFrom(createFileSource({ path: file }).pipe(toArray())));
  assert.equal(got.length, 5);
  assert.equal(got[0], 'flow a');
  assert.match(got[1]!, new RegExp(`^warning ${file}:2: invalid JSON \\(`));
  assert.equal(got[2], 'flow b');
  assert.equal(got[3], `warning ${file}:4: invalid GetFlowsResponse (expected a JSON object)`);
  assert.equal(got[4], `done ${file}: 4 lines read`);
});

test('the prefilter sees raw bytes and skipped lines are never decoded (nor reported)', async () => {
  const seen: string[] = [];
  const src = createFileSource({
    path: '-',
    stdin: Readable.from([Buffer.from([line('keep-1'), line('drop-2'), line('keep-3')].join('\n') + '\n')]),
    linePrefilter: (bytes) => {
      seen.push(bytes.toString('utf8'));
      return bytes.includes('keep');
    },
  });
  assert.deepEqual(await all(firstValueFrom(src.pipe(toArray()))), ['flow keep-1', 'flow keep-3', 'done stdin: 3 lines read']);
  assert.deepEqual(seen, [line('keep-1'), line('drop-2'), line('keep-3')]);
});

test('unsubscribing stops the reading; a missing file is an error naming it', async () => {
  const many = Array.from({ length: 50_000 }, (_, i) => line(`p-${i}`)).join('\n') + '\n';
  const stream = Readable.from([Buffer.from(many)]);
  const first = await firstValueFrom(createFileSource({ path: '-', stdin: stream }).pipe(take(2), toArray()));
  assert.equal(first.length, 2);
  await assert.rejects(firstValueFrom(createFileSource({ path: '/nonexistent/x.jsonl' })), /cannot read \/nonexistent\/x.jsonl: no such file/);
});

test('flow control: reading waits while the consumer says so', async () => {
  const chunks = Array.from({ length: 5 }, (_, c) => Buffer.from(Array.from({ length: 10 }, (_, i) => line(`c${c}-${i}`)).join('\n') + '\n'));
  let release: (() => void) | undefined;
  let waits = 0;
  const seen: number[] = [];
  let count = 0;
  const done = new Promise<void>((resolve) => {
    createFileSource({
      path: '-',
      stdin: Readable.from(chunks),
      flowControl: {
        ready: () => {
          if (waits > 0) return undefined;
          waits++;
          return new Promise<void>((r) => (release = r));
        },
      },
    }).subscribe({ next: (ev) => ev.kind === 'flow' && count++, complete: resolve });
  });
  await new Promise((r) => setTimeout(r, 50));
  seen.push(count);
  assert.equal(seen[0], 10, 'paused after the first chunk');
  release!();
  await done;
  assert.equal(count, 50);
});
