// Where netscope's run-time files live, in a checkout and in the single binary.
//
// Call resolveAsset() wherever code needs a real path to a file built or shipped with netscope
// (eBPF objects, the native loader, terminfo data). Paths are relative to the project root:
//
//   import { resolveAsset, resolveAssetDir } from '../runtime/assets.ts';
//   const loader = resolveAsset('build/native/netscope-loader');   // spawn this path
//   const bpfDir = resolveAssetDir('build/bpf');                   // dir with *.bpf.o, BUILD_ID
//
// - In a checkout it returns `<root>/<relPath>` (throws AssetMissingError if absent, naming
//   the path and how to build it).
// - In the single binary (`npm run build:binary`) the file is embedded as a SEA asset; on first
//   use it is written once to a private mkdtemp directory (0700; executables 0700, data 0600)
//   that is removed when the process exits, and that path is returned. Calls are cheap after
//   the first. Do not cache the path across processes; do not write to it.
// Embedding is decided by scripts/sea/assets.ts: everything under build/bpf/ and build/native/
// is included; add new kinds of run-time files there.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { privateDir } from './private-dir.ts';
import { embeddedAsset, embeddedManifest, inSingleBinary } from './sea.ts';

/** An asset the caller asked for is not in this checkout or binary. */
export class AssetMissingError extends Error {
  readonly relPath: string;
  constructor(relPath: string, message: string) {
    super(message);
    this.name = 'AssetMissingError';
    this.relPath = relPath;
  }
}

const extracted = new Map<string, string>();

/** Project root of a checkout (src/runtime/ is two levels down). Never used in the binary. */
function checkoutRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url));
}

function checkRelPath(relPath: string): string {
  const n = normalize(relPath);
  if (n.startsWith('..') || n.startsWith(sep) || n === '.') {
    throw new Error(`asset path must be relative to the project root and inside it: ${relPath}`);
  }
  return n.split(sep).join('/');
}

function hint(relPath: string): string {
  return relPath.startsWith('build/') ? ' (run `npm run build:bpf` first)' : '';
}

function notEmbedded(key: string, what: string): AssetMissingError {
  const rebuild = key.startsWith('build/') ? '`npm run build:bpf`, then `npm run build:binary`' : '`npm run build:binary`';
  return new AssetMissingError(key, `${what} is not embedded in this binary; rebuild it with ${rebuild}`);
}

function extract(key: string, mode: number): string {
  const cached = extracted.get(key);
  if (cached !== undefined) return cached;
  const target = join(privateDir(), ...key.split('/'));
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  // 'wx': never follow or overwrite something already there; the dir is ours alone.
  writeFileSync(target, new Uint8Array(embeddedAsset(key)), { flag: 'wx', mode });
  extracted.set(key, target);
  return target;
}

/** True when the asset exists in this checkout or is embedded in this binary. */
export function hasAsset(relPath: string): boolean {
  const key = checkRelPath(relPath);
  if (inSingleBinary()) return key in embeddedManifest().files;
  return existsSync(join(checkoutRoot(), key));
}

/** A real file path for a run-time file (see the top of this file). */
export function resolveAsset(relPath: string): string {
  const key = checkRelPath(relPath);
  if (!inSingleBinary()) {
    const p = join(checkoutRoot(), key);
    if (!existsSync(p)) throw new AssetMissingError(key, `${key} not found at ${p}${hint(key)}`);
    return p;
  }
  const entry = embeddedManifest().files[key];
  if (entry === undefined) {
    throw notEmbedded(key, key);
  }
  return extract(key, entry.mode);
}

/**
 * A real directory holding the assets under relDir (extracted together in the binary);
 * with `recursive: false` only the files directly in it are extracted.
 */
export function resolveAssetDir(relDir: string, { recursive = true }: { recursive?: boolean } = {}): string {
  const key = checkRelPath(relDir);
  if (!inSingleBinary()) {
    const p = join(checkoutRoot(), key);
    if (!existsSync(p)) throw new AssetMissingError(key, `${key}/ not found at ${p}${hint(key)}`);
    return p;
  }
  const prefix = key + '/';
  const files = Object.entries(embeddedManifest().files).filter(([k]) => k.startsWith(prefix) && (recursive || !k.slice(prefix.length).includes('/')));
  if (files.length === 0) {
    throw notEmbedded(key, `${key}/`);
  }
  for (const [k, e] of files) extract(k, e.mode);
  return join(privateDir(), ...key.split('/'));
}
