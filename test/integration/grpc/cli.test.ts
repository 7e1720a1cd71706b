// `netscope serve` and `netscope observe --server` end to end, as a user runs them:
// the golden export served over gRPC prints what hubble printed for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = path.join(ROOT, 'bin/netscope');
const GOLDEN = path.join(ROOT, 'test/integration/observe/golden');
const env = { ...process.env, TZ: 'UTC', NO_COLOR: '1' };

let serve: ChildProcess;
let address = '';
let serveErr = '';

before(async () => {
  serve = spawn(BIN, ['serve', '--input-file', path.join(GOLDEN, 'flows.jsonl'), '--listen', '127.0.0.1:0', '--node-name', 'golden'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  serve.stderr!.setEncoding('utf8');
  address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`netscope serve did not print "listening on" within 20 s; stderr: ${serveErr}`)), 20_000);
    serve.stderr!.on('data', (d: string) => {
      serveErr += d;
      const m = /listening on (127\.0\.0\.1:\d+)/.exec(serveErr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    serve.on('exit', (code) => reject(new Error(`netscope serve exited (${code}): ${serveErr}`)));
  });
});

after(() => {
  serve.kill('SIGTERM');
});

function observe(args: string[], extraEnv: Record<string, string> = {}) {
  return spawnSync(BIN, ['observe', ...args], { encoding: 'utf8', env: { ...env, ...extraEnv }, timeout: 30_000 });
}

for (const [file, extra] of [
  ['hubble-compact.txt', ['-o', 'compact']],
  ['hubble-dict.txt', ['-o', 'dict']],
  ['hubble-jsonpb.txt', ['-o', 'jsonpb']],
  ['hubble-compact-namespace-shop.txt', ['--namespace', 'shop']],
] as const) {
  test(`observe --server --all ${extra.join(' ')}: the bytes of ${file}`, () => {
    const r = observe(['--server', address, '--all', ...extra]);
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.equal(r.stdout, (spawnSync('cat', [path.join(GOLDEN, file)], { encoding: 'utf8' }).stdout));
  });
}

test('$HUBBLE_SERVER is the default server, and --last N asks the server for N', () => {
  const r = observe(['--last', '2', '-o', 'json'], { HUBBLE_SERVER: address });
  assert.equal(r.status, 0, r.stderr);
  const uuids = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { flow: { uuid: string } }).flow.uuid);
  assert.equal(uuids.length, 2);
  const all = observe(['--server', address, '--all', '-o', 'json']).stdout.trim().split('\n');
  assert.deepEqual(uuids, all.slice(-2).map((l) => (JSON.parse(l) as { flow: { uuid: string } }).flow.uuid));
});

test('an unreachable server: exit 1 and one line naming it', () => {
  const r = observe(['--server', '127.0.0.1:1']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'netscope: server 127.0.0.1:1: connection refused\n');
});

test('serve refuses plaintext on an address other machines can reach, in one line (exit 2)', () => {
  const r = spawnSync(BIN, ['serve', '--demo', '--listen', ':4245'], { encoding: 'utf8', env, timeout: 20_000 });
  assert.equal(r.status, 2);
  assert.equal(
    r.stderr,
    'netscope: refusing to serve flows in plaintext on [::]:4245, which other machines can reach: give --tls-cert-file and --tls-key-file, or --insecure\n',
  );
});

test('conflicting sources and misplaced flags are usage errors', () => {
  assert.match(observe(['--server', address, '--demo']).stderr, /cannot use --server .* and --demo together/);
  assert.match(observe(['--server', 'h:']).stderr, /invalid argument "h:" for "--server": h:: missing port/);
  assert.match(observe(['--input-file', '/dev/null', '--tls']).stderr, /cannot use --server \(or its --tls \/ -P flags\) and --input-file together/);
});
