// esbuild plugins that make third-party packages bundle into one CommonJS file that runs
// inside a Node single executable, where `require` only reaches built-in modules and there
// is no node_modules folder to read data from.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Plugin } from 'esbuild';

/** Replaces every `from` in a file and fails the build if one is missing: a blessed update must not silently break the binary. */
function rewrite(file: string, edits: Array<[from: string | RegExp, to: string]>): string {
  let text = readFileSync(file, 'utf8');
  for (const [from, to] of edits) {
    const next = typeof from === 'string' ? text.split(from).join(to) : text.replace(from, to);
    if (next === text) throw new Error(`sea build: expected ${String(from)} in ${file}; the package changed, update scripts/sea/plugins.ts`);
    text = next;
  }
  return text;
}

/**
 * blessed loads its widgets with `require('./widgets/' + file)`; esbuild's glob form keys
 * them by file name with extension and misses. Replace it with a static map of the files
 * that exist, so each widget is bundled and found.
 */
export function blessedWidgets(): Plugin {
  return {
    name: 'blessed-widgets',
    setup(b) {
      b.onLoad({ filter: /[\\/]blessed[\\/]lib[\\/]widget\.js$/ }, (args) => {
        const dir = join(dirname(args.path), 'widgets');
        const names = readdirSync(dir)
          .filter((f) => f.endsWith('.js'))
          .map((f) => f.slice(0, -3))
          .sort();
        const map = `{${names.map((n) => `${JSON.stringify(n)}: () => require(${JSON.stringify('./widgets/' + n + '.js')})`).join(',\n')}}`;
        const contents = rewrite(args.path, [["require('./widgets/' + file)", `(${map})[file]()`]]);
        return { contents, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/**
 * blessed reads fallback terminfo/termcap files and BigText fonts from `__dirname/../usr`.
 * Point those reads at blessedUsrDir() (src/runtime/blessed-data.ts), which returns the
 * copies embedded in the binary.
 */
export function blessedUsrData(runtimeModule: string): Plugin {
  const call = (fonts: boolean): string => `require(${JSON.stringify(runtimeModule)}).blessedUsrDir(${fonts}) + '/`;
  return {
    name: 'blessed-usr-data',
    setup(b) {
      b.onLoad({ filter: /[\\/]blessed[\\/]lib[\\/]tput\.js$/ }, (args) => ({
        contents: rewrite(args.path, [["__dirname + '/../usr/", call(false)]]),
        loader: 'js',
        resolveDir: dirname(args.path),
      }));
      b.onLoad({ filter: /[\\/]blessed[\\/]lib[\\/]widgets[\\/]bigtext\.js$/ }, (args) => ({
        contents: rewrite(args.path, [["__dirname + '/../../usr/", call(true)]]),
        loader: 'js',
        resolveDir: dirname(args.path),
      }));
    },
  };
}

/**
 * Optional packages that are not installed and that libraries require only on paths netscope
 * never takes (blessed's Terminal widget: term.js, pty.js) or inside a try/catch with a
 * fallback (ws: bufferutil, utf-8-validate). Resolve them to a module that throws a clear
 * error when loaded, so the bundle has no run-time require of a package.
 */
export function absentOptional(names: string[]): Plugin {
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
  return {
    name: 'absent-optional',
    setup(b) {
      b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'absent-optional' }));
      b.onLoad({ filter: /.*/, namespace: 'absent-optional' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`${args.path} is not included in the netscope single binary`)});`,
        loader: 'js',
      }));
    },
  };
}
