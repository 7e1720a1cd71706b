// The runtime helpers in a checkout (the single-binary side is exercised by binary.test.ts)
// and the build's choice of embedded files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetMissingError, hasAsset, resolveAsset, resolveAssetDir } from '../../src/runtime/assets.ts';
import { privateDir, removePrivateDir, sweepStaleDirs } from '../../src/runtime/private-dir.ts';
import { blessedUsrDir } from '../../src/runtime/blessed-data.ts';
import { collectAssets, seaAssets } from '../../scripts/sea/assets.ts';
import { MANIFEST_KEY } from '../../src/runtime/sea.ts';
import { within } from '../wait.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('resolveAsset returns the checkout path of an existing file', () => {
  assert.equal(resolveAsset('package.json'), join(root, 'package.json'));
  assert.equal(resolveAssetDir('src/runtime'), join(root, 'src', 'runtime'));
  assert.equal(hasAsset('package.json'), true);
  assert.equal(hasAsset('build/no-such-file'), false);
});

test('a missing asset is an AssetMissingError naming the path and how to build it', () => {
  assert.throws(
    () => resolveAsset('build/bpf/no-such.bpf.o'),
    (err: unknown) =>
      err instanceof AssetMissingError &&
      err.relPath === 'build/bpf/no-such.bpf.o' &&
      err.message.includes(join(root, 'build', 'bpf', 'no-such.bpf.o')) &&
      err.message.includes('npm run build:bpf'),
  );
});

test('asset paths must stay inside the project', () => {
  assert.throws(() => resolveAsset('../etc/passwd'), /inside it/);
  assert.throws(() => resolveAsset('/etc/passwd'), /inside it/);
  assert.throws(() => resolveAsset('.'), /inside it/);
});

test('blessed data dir is the installed package usr folder with terminfo files', () => {
  const dir = blessedUsrDir();
  assert.ok(existsSync(join(dir, 'xterm-256color')), dir);
  assert.ok(existsSync(join(dir, 'fonts', 'ter-u14n.json')), dir);
});

test('privateDir is one 0700 directory per process, removed on demand', () => {
  const a = privateDir();
  assert.equal(privateDir(), a);
  assert.equal(statSync(a).mode & 0o777, 0o700);
  assert.match(a, /netscope-/);
  removePrivateDir();
  assert.equal(existsSync(a), false);
  const b = privateDir();
  assert.notEqual(b, a);
  removePrivateDir();
});

test('a leftover dir of a dead netscope process is swept; live, foreign and other dirs are kept', () => {
  const base = mkdtempSync(join(tmpdir(), 'netscope-sweep-test-'));
  try {
    const make = (name: string, pid?: string): string => {
      const p = join(base, name);
      mkdirSync(p);
      if (pid !== undefined) writeFileSync(join(p, 'owner.pid'), pid);
      return p;
    };
    // A pid that surely exited: a finished child of ours.
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
    const dead = make('netscope-run-dead', String(deadPid));
    const alive = make('netscope-run-alive', String(process.pid === 1 ? 2 : 1));
    const mine = make('netscope-run-self', String(process.pid));
    const noPid = make('netscope-run-nopid');
    const other = make('something-else', String(deadPid));
    assert.deepEqual(sweepStaleDirs(base), [dead]);
    for (const p of [alive, mine, noPid, other]) assert.equal(existsSync(p), true, p);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

const nodeBin = process.execPath;
const privateDirModule = join(root, 'src', 'runtime', 'private-dir.ts');

test('privateDir is removed when the process exits normally', () => {
  const script = `import { privateDir } from ${JSON.stringify(privateDirModule)};
    import { writeFileSync } from 'node:fs';
    const d = privateDir(); writeFileSync(d + '/f', 'x'); console.log(d);`;
  const r = spawnSync(nodeBin, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const dir = r.stdout.trim();
  assert.match(dir, /netscope-/);
  assert.equal(existsSync(dir), false);
});

test('privateDir is removed on SIGTERM and the process still dies of the signal', async () => {
  const script = `import { privateDir } from ${JSON.stringify(privateDirModule)};
    console.log(privateDir()); setInterval(() => {}, 1000);`;
  const child = spawn(nodeBin, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const dir = await within('the child to print its private directory', 20_000, new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))));
  assert.equal(existsSync(dir), true);
  const ended = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
  child.kill('SIGTERM');
  assert.equal(await within('the child to exit after SIGTERM', 20_000, ended), 'SIGTERM');
  assert.equal(existsSync(dir), false);
});

test('the build embeds bpf objects, the loader and blessed data, not intermediates', () => {
  const fake = mkdtempSync(join(tmpdir(), 'netscope-assets-test-'));
  try {
    mkdirSync(join(fake, 'build', 'bpf'), { recursive: true });
    mkdirSync(join(fake, 'build', 'native'), { recursive: true });
    mkdirSync(join(fake, 'usr', 'fonts'), { recursive: true });
    writeFileSync(join(fake, 'build', 'bpf', 'ns_conn.bpf.o'), 'obj');
    writeFileSync(join(fake, 'build', 'bpf', 'BUILD_ID'), 'abc\n');
    writeFileSync(join(fake, 'build', 'bpf', 'ns_drop.bpf.o.tmp'), 'half-written');
    writeFileSync(join(fake, 'build', 'native', 'netscope-loader'), 'elf');
    chmodSync(join(fake, 'build', 'native', 'netscope-loader'), 0o755);
    writeFileSync(join(fake, 'build', 'native', 'loader.o'), 'intermediate');
    writeFileSync(join(fake, 'usr', 'xterm'), 'ti');
    writeFileSync(join(fake, 'usr', 'fonts', 'f.json'), '{}');
    const { files, missing } = collectAssets(fake, join(fake, 'usr'));
    assert.deepEqual(missing, []);
    assert.deepEqual(
      files.map((f) => [f.key, f.mode.toString(8), f.size]),
      [
        ['build/bpf/BUILD_ID', '600', 4],
        ['build/bpf/ns_conn.bpf.o', '600', 3],
        ['build/native/netscope-loader', '700', 3],
        ['vendor/blessed/usr/fonts/f.json', '600', 2],
        ['vendor/blessed/usr/xterm', '600', 2],
      ],
    );
    const manifestPath = join(fake, 'manifest.json');
    const assets = seaAssets(files, manifestPath);
    assert.equal(assets[MANIFEST_KEY], manifestPath);
    assert.equal(assets['build/native/netscope-loader'], join(fake, 'build', 'native', 'netscope-loader'));
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Record<string, { mode: number }> };
    assert.equal(manifest.files['build/native/netscope-loader']?.mode, 0o700);

    rmSync(join(fake, 'build', 'native'), { recursive: true });
    assert.deepEqual(collectAssets(fake, join(fake, 'usr')).missing, ['build/native']);
  } finally {
    rmSync(fake, { recursive: true, force: true });
  }
});
