// Where the eBPF collector's files come from in the single binary. In a checkout the
// bpf-bridge finds build/native/netscope-loader and build/bpf/ itself; in the binary they
// are embedded and must be extracted first (src/runtime/assets.ts). $NETSCOPE_LOADER and
// $NETSCOPE_BPF_DIR still win, so an SRE can try a different build.
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { resolveAsset, resolveAssetDir } from './assets.ts';
import { inSingleBinary } from './sea.ts';

/** The extracted loader cannot be executed where it was written (a noexec mount, typically /tmp). */
export class NotExecutableError extends Error {
  constructor(path: string) {
    super(
      `cannot execute the embedded eBPF loader in ${dirname(path)}: its file system is probably mounted noexec; ` +
        'set TMPDIR to a directory on a file system that allows executing programs',
    );
    this.name = 'NotExecutableError';
  }
}

/** Throws NotExecutableError when path cannot be executed (access(2) X_OK honours noexec, even for root). */
export function checkExecutable(path: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new NotExecutableError(path);
  }
}

export function embeddedCollectorPaths(): { loaderPath?: string; objDir?: string } {
  if (!inSingleBinary()) return {};
  const paths: { loaderPath?: string; objDir?: string } = {};
  if (process.env['NETSCOPE_LOADER'] === undefined) {
    paths.loaderPath = resolveAsset('build/native/netscope-loader');
    checkExecutable(paths.loaderPath);
  }
  if (process.env['NETSCOPE_BPF_DIR'] === undefined) paths.objDir = resolveAssetDir('build/bpf');
  return paths;
}
