// Data flows one way through src/: the model at the bottom; codecs, filters, printers
// and the Kubernetes client above it; streams, sources; views and commands on top. A
// folder may import only its own files and folders of a lower layer, so a change low
// down never needs anything above it, and there are no cycles between folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src');

/** Each top folder of src/ and its layer. A new folder must be placed here. */
export const LAYERS: Record<string, number> = {
  model: 0,
  codec: 1,
  filter: 1,
  k8s: 1,
  runtime: 1,
  printer: 2,
  'bpf-bridge': 2,
  tables: 3,
  config: 2,
  policy: 2,
  streams: 3,
  grpc: 3,
  sources: 4,
  agent: 5,
  views: 5,
  cli: 6,
};

export interface Import {
  file: string; // relative to src/
  target: string; // relative to src/
}

/** Relative import specifiers of a module: static, re-exports, type-only and dynamic. */
export function specifiers(text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const m of text.matchAll(re)) out.push(m[1]!);
  return out;
}

/** The violations of the layer rule among `imports`, one line each. */
export function violations(imports: Import[], layers: Record<string, number>): string[] {
  const top = (p: string): string => p.split('/')[0]!;
  const bad: string[] = [];
  for (const { file, target } of imports) {
    const from = top(file);
    const to = top(target);
    if (from === to) continue;
    if (!(from in layers)) bad.push(`src/${from}/ is in no layer (add it to LAYERS in this test)`);
    else if (!(to in layers)) bad.push(`src/${to}/ is in no layer (add it to LAYERS in this test)`);
    else if (layers[to]! >= layers[from]!) bad.push(`src/${file} imports src/${target}: ${from} (layer ${layers[from]}) may not import ${to} (layer ${layers[to]})`);
  }
  return [...new Set(bad)];
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function sourceImports(): Import[] {
  return walk(SRC).flatMap((abs) => {
    const file = relative(SRC, abs);
    return specifiers(readFileSync(abs, 'utf8')).map((s) => ({ file, target: relative(SRC, normalize(join(dirname(abs), s))) }));
  });
}

test('every import in src/ points to the same folder or a lower layer', () => {
  const imports = sourceImports();
  assert.ok(imports.length > 200, `found the imports (${imports.length})`);
  assert.deepEqual(violations(imports, LAYERS), []);
});

test('the rule catches an upward import, an import between peers, and an unplaced folder', () => {
  const got = violations(
    [
      { file: 'k8s/cli/command.ts', target: 'views/resources/kinds.ts' },
      { file: 'codec/line-prefilter.ts', target: 'filter/flow-filter.ts' },
      { file: 'widgets/x.ts', target: 'model/flow.ts' },
      { file: 'views/app.ts', target: 'streams/frames.ts' },
      { file: 'views/a.ts', target: 'views/b.ts' },
    ],
    LAYERS,
  );
  assert.deepEqual(got, [
    'src/k8s/cli/command.ts imports src/views/resources/kinds.ts: k8s (layer 1) may not import views (layer 5)',
    'src/codec/line-prefilter.ts imports src/filter/flow-filter.ts: codec (layer 1) may not import filter (layer 1)',
    'src/widgets/ is in no layer (add it to LAYERS in this test)',
  ]);
});

test('specifiers finds static, type-only, re-exported and dynamic imports, not packages', () => {
  const text = [
    "import { a } from './a.ts';",
    "import type { B } from '../b/b.ts';",
    "export { c } from './c.ts';",
    "const d = await import('../d.ts');",
    "import './side-effect.ts';",
    "import blessed from 'blessed';",
  ].join('\n');
  assert.deepEqual(specifiers(text), ['./a.ts', '../b/b.ts', './c.ts', '../d.ts', './side-effect.ts']);
});
