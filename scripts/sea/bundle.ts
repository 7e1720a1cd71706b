// The esbuild step: src/cli/main.ts and every dependency into one CommonJS file, the only
// module form a Node 24 single executable can start from.
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { absentOptional, blessedUsrData, blessedWidgets } from './plugins.ts';

export interface BuildInfo {
  version: string;
  commit: string;
  bpfBuildId: string;
}

export async function bundleCli(root: string, entry: string, outfile: string, info: BuildInfo): Promise<{ metafile: Metafile }> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    // Full minification halves the bundle and its code cache (2.7 MB smaller binary, --version
    // about 25% faster). Class and function names survive for error messages and stack traces,
    // and short lines keep the source excerpt Node prints with an uncaught error readable.
    minify: true,
    keepNames: true,
    lineLimit: 160,
    legalComments: 'eof',
    metafile: true,
    logLevel: 'warning',
    define: {
      // src/cli/version-info.ts prefers this over reading package.json and git.
      NETSCOPE_BUILD: JSON.stringify(info),
      // ESM sources use import.meta; in the CommonJS bundle it becomes the executable's path.
      'import.meta.url': '__netscope_import_meta_url',
      'import.meta.filename': '__filename',
      'import.meta.dirname': '__dirname',
    },
    banner: { js: 'var __netscope_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    plugins: [
      blessedWidgets(),
      blessedUsrData(join(root, 'src', 'runtime', 'blessed-data.ts')),
      // blessed's Terminal widget (unused); ws's optional native speed-ups (it falls back to JS).
      absentOptional(['term.js', 'pty.js', 'bufferutil', 'utf-8-validate']),
    ],
  });
  // A SEA with a code cache cannot run a real import(), and its require() reaches only
  // built-in modules: every other module must be inside the bundle.
  for (const out of Object.values(result.metafile.outputs)) {
    for (const imp of out.imports) {
      if (!imp.external) continue;
      if (imp.kind === 'dynamic-import') throw new Error(`bundle keeps a run-time import("${imp.path}"), which a single executable cannot load`);
      if (!isBuiltin(imp.path)) throw new Error(`bundle requires "${imp.path}" at run time, which a single executable cannot load`);
    }
  }
  return { metafile: result.metafile };
}
