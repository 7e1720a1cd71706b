// The config file: settings, skins and aliases from text; every problem one line with
// file:line:col, and the setting it concerns left at its default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/config.ts';
import { parseSkin } from '../../../src/config/skin.ts';
import { configDir, loadSettings } from '../../../src/config/load.ts';
import { expandAliases, parseFilterArgs } from '../../../src/filter/index.ts';
import { expandAliasArgs } from '../../../src/cli/alias-flag.ts';
import { makeTheme } from '../../../src/views/theme.ts';

const F = '/home/u/.config/netscope/config.yaml';

test('a good file gives every setting', () => {
  const { value, problems } = parseConfig(
    ['refreshRate: 5', 'bufferSize: 5000', 'skin: night', 'keys:', '  quit: Q', '  filter: [/, f]', 'aliases:', '  drops: --verdict DROPPED', "  shop: '--namespace shop'"].join('\n'),
    F,
  );
  assert.deepEqual(problems, []);
  assert.equal(value.refreshRate, 5);
  assert.equal(value.bufferSize, 5000);
  assert.equal(value.skin, 'night');
  assert.deepEqual(value.keys, [
    { action: 'quit', keys: ['Q'], at: `${F}:5:3` },
    { action: 'filter', keys: ['/', 'f'], at: `${F}:6:3` },
  ]);
  assert.deepEqual(value.aliases, { drops: '--verdict DROPPED', shop: '--namespace shop' });
});

test('a YAML typo is one line with file:line:col and the parser\'s reason; nothing is taken from the file', () => {
  const { value, problems } = parseConfig('refreshRate: 5\naliases:\n  drops: "--verdict DROPPED\n', F);
  assert.deepEqual(problems, [`${F}:4:1: invalid YAML: Missing closing "quote`]);
  assert.equal(value.refreshRate, undefined);
});

test('an unknown key and bad values are reported where they are; the good settings stay', () => {
  const { value, problems } = parseConfig(['refreshrate: 5', 'bufferSize: lots', 'refreshRate: 120', 'skin: ../etc', 'aliases:', '  drops: --verdikt DROPPED', '  ok: -n shop'].join('\n'), F);
  assert.deepEqual(problems, [
    `${F}:1:1: unknown setting "refreshrate" (known: refreshRate, bufferSize, skin, keys, aliases)`,
    `${F}:2:13: bufferSize must be an integer from 100 to 10000000 (flows)`,
    `${F}:3:14: refreshRate must be a number from 1 to 60 (redraws per second)`,
    `${F}:4:7: skin must be a name (skins/NAME.yaml beside the config)`,
    `${F}:6:10: aliases.drops: unknown flag "--verdikt"`,
  ]);
  assert.deepEqual(value.aliases, { ok: '-n shop' });
  assert.equal(value.bufferSize, undefined);
});

test('keys must be names or lists of names; a config that is not a mapping is said so', () => {
  assert.deepEqual(parseConfig('keys:\n  quit: []\n', F).problems, [`${F}:2:9: keys.quit: want a key name or a list of them (e.g. q, C-c, S-tab)`]);
  assert.deepEqual(parseConfig('- a\n- b\n', F).problems, [`${F}:1:1: the config must be a mapping`]);
  assert.deepEqual(parseConfig('', F), { value: { keys: [], aliases: {} }, problems: [] });
});

test('a skin gives colours by role; an unknown role or colour is reported', () => {
  const s = parseSkin('bad: light-red\naccent: "#5fafff"\nheader: blue\n', '/s.yaml');
  assert.deepEqual(s, { value: { bad: 'light-red', accent: '#5fafff', header: 'blue' }, problems: [] });
  assert.deepEqual(parseSkin('bda: red\ngood: chartreuse\n', '/s.yaml').problems, [
    '/s.yaml:1:1: unknown skin role "bda" (known: bad, good, warn, dim, accent, header)',
    '/s.yaml:2:7: good: want a colour name (black, red, green, yellow, blue, magenta, cyan, white, light-NAME) or #rrggbb',
  ]);
  const t = makeTheme({ color: true, unicode: true, colors: { bad: 'light-red' } });
  assert.equal(t.bad('x'), '{light-red-fg}x{/light-red-fg}');
  assert.equal(t.good('x'), '{green-fg}x{/green-fg}', 'unnamed roles keep their colour');
  assert.equal(makeTheme({ color: false, unicode: true, colors: { bad: 'light-red' } }).bad('x'), '{bold}x{/bold}', 'no colour still wins');
});

test('the file is found under XDG_CONFIG_HOME, else ~/.config; a missing one means defaults, silently', () => {
  assert.equal(configDir({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/u' }), '/x/cfg/netscope');
  assert.equal(configDir({ HOME: '/home/u' }), '/home/u/.config/netscope');
  assert.equal(configDir({ XDG_CONFIG_HOME: 'relative', HOME: '/home/u' }), '/home/u/.config/netscope', 'XDG: a relative path is ignored');
  const dir = mkdtempSync(join(tmpdir(), 'ns-cfg-'));
  try {
    const missing = loadSettings({ XDG_CONFIG_HOME: dir });
    assert.deepEqual(missing.problems, []);
    assert.deepEqual(missing.config, { keys: [], aliases: {} });
    mkdirSync(join(dir, 'netscope', 'skins'), { recursive: true });
    writeFileSync(join(dir, 'netscope', 'config.yaml'), 'skin: night\nbufferSize: 2000\n');
    const noSkin = loadSettings({ XDG_CONFIG_HOME: dir });
    assert.equal(noSkin.config.bufferSize, 2000);
    assert.deepEqual(noSkin.problems, [`${join(dir, 'netscope', 'config.yaml')}: skin "night": ${join(dir, 'netscope', 'skins', 'night.yaml')} not found; using the default colours`]);
    writeFileSync(join(dir, 'netscope', 'skins', 'night.yaml'), 'warn: magenta\n');
    const withSkin = loadSettings({ XDG_CONFIG_HOME: dir });
    assert.deepEqual(withSkin.skin, { warn: 'magenta' });
    assert.deepEqual(withSkin.problems, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('@name and --alias name mean exactly their flags; an unknown alias names the known ones', () => {
  const aliases = { drops: '--verdict DROPPED', shop: '--namespace shop --not --label app=loadgenerator' };
  assert.deepEqual(expandAliases(['@drops', '--to-port', '80'], aliases), ['--verdict', 'DROPPED', '--to-port', '80']);
  assert.deepEqual(parseFilterArgs(expandAliases(['@shop'], aliases)), parseFilterArgs(['--namespace', 'shop', '--not', '--label', 'app=loadgenerator']));
  assert.throws(() => expandAliases(['@drop'], aliases), { message: 'unknown filter alias "@drop" (config aliases: @drops, @shop)' });
  assert.throws(() => expandAliases(['@x'], {}), { message: 'unknown filter alias "@x" (no aliases in the config file)' });
  assert.deepEqual(expandAliasArgs(['--demo', '--alias', 'drops', '--alias=shop'], aliases), ['--demo', '--verdict', 'DROPPED', '--namespace', 'shop', '--not', '--label', 'app=loadgenerator']);
  assert.throws(() => expandAliasArgs(['--alias'], aliases), { message: 'flag --alias needs an alias name' });
});
