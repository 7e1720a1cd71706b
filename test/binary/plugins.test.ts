// The esbuild plugins that make blessed and optional packages bundle for a single
// executable, on small stand-in packages (the real ones are covered by binary.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { absentOptional, blessedUsrData, blessedWidgets } from '../../scripts/sea/plugins.ts';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'netscope-plugins-test-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

async function bundleAndRun(dir: string, plugins: Parameters<typeof build>[0]['plugins']): Promise<ReturnType<typeof spawnSync>> {
  const out = join(dir, 'out.cjs');
  await build({ entryPoints: [join(dir, 'entry.js')], outfile: out, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent', plugins });
  return spawnSync(process.execPath, [out], { encoding: 'utf8' });
}

const WIDGET_JS = `var widget = exports;
widget.classes = ['Box', 'List'];
widget.classes.forEach(function(name) {
  var file = name.toLowerCase();
  widget[name] = widget[file] = require('./widgets/' + file);
});
`;

test('blessed widgets loaded by computed name are bundled and found', async () => {
  const dir = tree({
    'node_modules/blessed/lib/widget.js': WIDGET_JS,
    'node_modules/blessed/lib/widgets/box.js': 'module.exports = "box widget";',
    'node_modules/blessed/lib/widgets/list.js': 'module.exports = "list widget";',
    'entry.js': 'const w = require("blessed/lib/widget.js"); console.log(w.Box + "," + w.list);',
  });
  try {
    const r = await bundleAndRun(dir, [blessedWidgets()]);
    assert.equal(r.status, 0, String(r.stderr));
    assert.equal(String(r.stdout).trim(), 'box widget,list widget');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a blessed that no longer has the rewritten code fails the build, naming the plugin file', async () => {
  const dir = tree({
    'node_modules/blessed/lib/widget.js': 'exports.box = require("./widgets/box");',
    'node_modules/blessed/lib/widgets/box.js': 'module.exports = 1;',
    'entry.js': 'require("blessed/lib/widget.js");',
  });
  try {
    await assert.rejects(bundleAndRun(dir, [blessedWidgets()]), /widget\.js; the package changed, update scripts\/sea\/plugins\.ts/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("blessed's usr/ reads go through the runtime's blessedUsrDir()", async () => {
  const dir = tree({
    'node_modules/blessed/lib/tput.js': "exports.file = __dirname + '/../usr/xterm';",
    'node_modules/blessed/lib/widgets/bigtext.js': "exports.font = __dirname + '/../../usr/fonts/ter-u14n.json';",
    'runtime.js': 'exports.blessedUsrDir = (withFonts) => (withFonts ? "/with-fonts/usr" : "/extracted/usr");',
    'entry.js': 'console.log(require("blessed/lib/tput.js").file, require("blessed/lib/widgets/bigtext.js").font);',
  });
  try {
    const r = await bundleAndRun(dir, [blessedUsrData(join(dir, 'runtime.js'))]);
    assert.equal(r.status, 0, String(r.stderr));
    // Terminfo reads extract terminfo only; BigText's font read asks for the fonts too.
    assert.equal(String(r.stdout).trim(), '/extracted/usr/xterm /with-fonts/usr/fonts/ter-u14n.json');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('absent optional packages bundle as a clear error, and a try/catch fallback still works', async () => {
  const dir = tree({
    'entry.js': `let fast = 'js fallback';
try { fast = require('bufferutil'); } catch {}
console.log(fast);
require('pty.js');`,
  });
  try {
    const r = await bundleAndRun(dir, [absentOptional(['bufferutil', 'pty.js'])]);
    assert.equal(String(r.stdout).trim(), 'js fallback');
    assert.notEqual(r.status, 0);
    assert.match(String(r.stderr), /pty\.js is not included in the netscope single binary/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
