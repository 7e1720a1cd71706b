// How the collector starts and stops: privileges, failures, and never outliving netscope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, toArray } from 'rxjs';
import { REPO_ROOT } from '../../lab/lab.ts';
import { collectorPaths, runCollector } from '../../../src/bpf-bridge/loader-process.ts';
import type { SourceEvent } from '../../../src/model/source.ts';
import { within } from '../../wait.ts';

execFileSync('bash', [`${REPO_ROOT}/scripts/build-bpf.sh`], { stdio: 'inherit' });
const { loaderPath, objDir } = collectorPaths();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (!existsSync(`/proc/${pid}`)) return true;
    await sleep(50);
  }
  return false;
}

test('without privileges the loader names the missing capabilities in one line and exits 3', () => {
  const r = spawnSync(loaderPath, [objDir], { uid: 65534, gid: 65534, encoding: 'utf8' });
  assert.equal(r.status, 3);
  assert.equal(
    r.stderr,
    'netscope-loader: missing capabilities: CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN (run as root or grant CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)\n',
  );
  assert.equal(r.stdout, '');
});

test('with only CAP_NET_ADMIN missing, only that one is named', () => {
  const r = spawnSync('setpriv', ['--inh-caps=-net_admin', '--bounding-set=-net_admin', loaderPath, objDir], { encoding: 'utf8' });
  assert.equal(r.status, 3);
  assert.match(r.stderr, /^netscope-loader: missing capabilities: CAP_NET_ADMIN \(/);
});

test('a bad loader argument is one line and a failure status', () => {
  const r = spawnSync(loaderPath, [objDir, '--bogus'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^netscope-loader: unknown argument "--bogus" \(usage: .*\)\n$/);
});

test('a socket table size that is not a power of two is refused in one line', () => {
  for (const bad of ['3', '0', '2x', '2097152']) {
    const r = spawnSync(loaderPath, [objDir, '--slots', bad], { encoding: 'utf8' });
    assert.equal(r.status, 1, bad);
    assert.equal(r.stderr, `netscope-loader: --slots: "${bad}" is not a power of two from 1 to 1048576\n`);
  }
});

test('a missing object directory is reported, not crashed on', () => {
  const r = spawnSync(loaderPath, ['/nonexistent-netscope-objs'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'netscope-loader: cannot read eBPF objects in /nonexistent-netscope-objs: No such file or directory\n');
});

test('a failing loader ends the source with its own one-line message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsl-fake-'));
  try {
    const fake = join(dir, 'loader');
    writeFileSync(fake, '#!/bin/sh\necho "netscope-loader: missing capabilities: CAP_BPF (run as root)" >&2\nexit 3\n');
    chmodSync(fake, 0o755);
    const seen: SourceEvent[] = [];
    const err = await within('the failing loader to end the source', 20_000, new Promise<Error>((resolve) => {
      runCollector({ loaderPath: fake, objDir }).subscribe({ next: (e) => seen.push(e), error: resolve, complete: () => resolve(new Error('completed')) });
    }));
    assert.equal(err.message, 'eBPF collector lacks privileges: missing capabilities: CAP_BPF (run as root)');
    assert.deepEqual(seen.map((e) => e.kind === 'status' && e.state), ['connecting'], 'the error is reported once, by the error itself');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a collector that is not built says how to build it', async () => {
  const err = await firstValueFrom(runCollector({ loaderPath: '/nonexistent/netscope-loader', objDir }).pipe(toArray())).catch((e: Error) => e);
  assert.ok(err instanceof Error);
  assert.equal(err.message, 'eBPF collector not built: /nonexistent/netscope-loader missing (run npm run build:bpf)');
});

test('unsubscribing stops the loader', async () => {
  let pid = 0;
  const src = runCollector({ onSpawn: (p) => (pid = p) });
  const sub = src.subscribe({ error: () => {} });
  for (let i = 0; i < 100 && pid === 0; i++) await sleep(20);
  assert.ok(pid > 0);
  sub.unsubscribe();
  assert.ok(await waitGone(pid), 'loader exited after unsubscribe');
});

test('if netscope is killed, the loader sees stdin close and exits', async () => {
  const script = `
    import { runCollector } from ${JSON.stringify(join(REPO_ROOT, 'src/bpf-bridge/loader-process.ts'))};
    runCollector({ onSpawn: (pid) => console.log(pid) }).subscribe({ error: () => {} });
  `;
  const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await within('the parent to print the loader pid', 20_000, new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())))));
  assert.ok(pid > 0);
  await sleep(300);
  parent.kill('SIGKILL');
  assert.ok(await waitGone(pid), 'orphaned loader exited');
});
