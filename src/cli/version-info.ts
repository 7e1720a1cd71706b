import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Build-time facts. A bundled binary gets them injected by its build script (esbuild
// `define`); a source checkout reads them from package.json and git.
declare const NETSCOPE_BUILD: { version: string; commit: string; bpfBuildId: string } | undefined;

function fromCheckout(): { version: string; commit: string; bpfBuildId: string } {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    /* reported as unknown */
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['-C', root, 'rev-parse', '--short=12', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    /* not a git checkout */
  }
  let bpfBuildId = 'not built';
  try {
    bpfBuildId = readFileSync(join(root, 'build', 'bpf', 'BUILD_ID'), 'utf8').trim();
  } catch {
    /* BPF objects not built in this checkout */
  }
  return { version, commit, bpfBuildId };
}

export function buildInfo(): { version: string; commit: string; bpfBuildId: string; node: string } {
  const b = typeof NETSCOPE_BUILD !== 'undefined' ? NETSCOPE_BUILD : fromCheckout();
  return { ...b, node: process.version };
}

export function versionLines(): string[] {
  const b = buildInfo();
  // The flags the runtime was started with (bin/node-flags): they change its memory use.
  return [`netscope ${b.version}`, `git commit: ${b.commit}`, `node: ${b.node}`, `node flags: ${process.execArgv.join(' ') || '(none)'}`, `bpf build id: ${b.bpfBuildId}`];
}
