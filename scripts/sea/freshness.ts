// Whether dist/netscope still matches the sources, so tests and benchmarks rebuild it only
// when something it is made of changed (a build costs seconds and ~110 MB of writes).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Everything the binary is built from, relative to the project root. */
const INPUTS = ['src', 'bpf', 'native', 'build/bpf', 'build/native', 'scripts/build-binary.ts', 'scripts/sea', 'package.json', 'package-lock.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, e)));
  return newest;
}

export function isBinaryFresh(root: string, exe: string): boolean {
  if (!existsSync(exe)) return false;
  const built = statSync(exe).mtimeMs;
  return INPUTS.every((rel) => newestMtime(join(root, rel)) <= built);
}

/**
 * Builds `exe` with `npm run build:binary`'s script unless it is fresh; returns its path.
 * extraArgs are passed to scripts/build-binary.ts (e.g. --entry for a probe).
 */
export function ensureBinary(root: string, exe = join(root, 'dist', 'netscope'), extraArgs: string[] = []): string {
  if (isBinaryFresh(root, exe)) return exe;
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-binary.ts'), '--out', exe, ...extraArgs], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`build:binary failed (status ${r.status}):\n${r.stderr}`);
  return exe;
}
