// Decides which run-time files go into the binary and writes the manifest that
// src/runtime/assets.ts reads to extract them (key -> mode, size).
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createRequire } from 'node:module';
import { BLESSED_USR_ASSET_DIR } from '../../src/runtime/blessed-data.ts';
import { MANIFEST_KEY, type AssetManifest } from '../../src/runtime/sea.ts';

export interface EmbeddedFile {
  /** Asset key: the path resolveAsset() is called with ('/'-separated). */
  key: string;
  /** Where the build reads it from. */
  file: string;
  mode: number;
  size: number;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** Intermediate build products that are never read at run time. */
const NOT_RUNTIME = /\.(d|skel\.h|tmp)$|(?<!\.bpf)\.o$/;

function fromDir(dir: string, keyPrefix: string): EmbeddedFile[] {
  if (!existsSync(dir)) return [];
  return walk(dir).filter((f) => !NOT_RUNTIME.test(f)).map((file) => {
    const st = statSync(file);
    const executable = (st.mode & 0o111) !== 0;
    return {
      key: `${keyPrefix}/${relative(dir, file).split(sep).join('/')}`,
      file,
      mode: executable ? 0o700 : 0o600,
      size: st.size,
    };
  });
}

/** Everything netscope reads from disk at run time. Missing build outputs are reported, not fatal. */
export function collectAssets(
  root: string,
  blessedUsr = join(createRequire(join(root, 'package.json')).resolve('blessed/package.json'), '..', 'usr'),
): { files: EmbeddedFile[]; missing: string[] } {
  const files: EmbeddedFile[] = [];
  const missing: string[] = [];
  for (const rel of ['build/bpf', 'build/native']) {
    const found = fromDir(join(root, rel), rel);
    if (found.length === 0) missing.push(rel);
    files.push(...found);
  }
  files.push(...fromDir(blessedUsr, BLESSED_USR_ASSET_DIR));
  return { files, missing };
}

/** Writes the manifest next to the SEA config and returns the config's `assets` map. */
export function seaAssets(files: EmbeddedFile[], manifestPath: string): Record<string, string> {
  const manifest: AssetManifest = { files: {} };
  const assets: Record<string, string> = {};
  for (const f of files) {
    manifest.files[f.key] = { mode: f.mode, size: f.size };
    assets[f.key] = f.file;
  }
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 1) + '\n');
  assets[MANIFEST_KEY] = manifestPath;
  return assets;
}
