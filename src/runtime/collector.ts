// Where the eBPF collector's files come from in the single binary. In a checkout the
// bpf-bridge finds build/native/netscope-loader and build/bpf/ itself; in the binary they
// are embedded and must be extracted first (src/runtime/assets.ts). $NETSCOPE_LOADER and
// $NETSCOPE_BPF_DIR still win, so an SRE can try a different build.
import { resolveAsset, resolveAssetDir } from './assets.ts';
import { inSingleBinary } from './sea.ts';

export function embeddedCollectorPaths(): { loaderPath?: string; objDir?: string } {
  if (!inSingleBinary()) return {};
  const paths: { loaderPath?: string; objDir?: string } = {};
  if (process.env['NETSCOPE_LOADER'] === undefined) paths.loaderPath = resolveAsset('build/native/netscope-loader');
  if (process.env['NETSCOPE_BPF_DIR'] === undefined) paths.objDir = resolveAssetDir('build/bpf');
  return paths;
}
