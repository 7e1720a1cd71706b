// The config file in the TUI (tmux, 100x30): a named filter used as @name in the
// filter bar, a key remap, and a problem in the file shown without stopping the TUI.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROMPT, TmuxSession, paneLines } from './tmux.ts';

let s: TmuxSession;
const cfg = mkdtempSync(join(tmpdir(), 'ns-e2e-cfg-'));

before(async () => {
  mkdirSync(join(cfg, 'netscope'));
  writeFileSync(join(cfg, 'netscope', 'config.yaml'), ['aliases:', '  drops: --verdict DROPPED', 'keys:', '  quit: Q', 'refreshrate: 5', ''].join('\n'));
  s = new TmuxSession({ width: 100, height: 30, term: 'xterm-256color', env: { XDG_CONFIG_HOME: cfg } });
  await s.waitFor((x) => x.includes(PROMPT), 'the shell prompt');
  s.run('bin/netscope --demo --history 60 --rate 300; echo EXIT=$?');
  await s.waitFor((x) => x.includes('Topology') && /FORWARDED/.test(x), 'the panes with demo content');
});

after(() => {
  s.close();
  rmSync(cfg, { recursive: true, force: true });
});

test('a problem in the config file is shown in the bar and the TUI runs with the rest of it', async () => {
  await s.expect((screen) => assert.match(screen, /config\.yaml:5:1: unknown setting "refreshrate"/), 'the config problem in the bar');
});

test('a named filter from the config file works in the filter bar as @name', async () => {
  s.type('/');
  await s.waitFor((x) => x.includes('filter>'), 'the filter bar');
  s.type('@drops');
  s.keys('Enter');
  await s.expect((screen) => {
    assert.match(screen, /filter: @drops/);
    const flows = paneLines(screen, 'Flows').filter((l) => / -> /.test(l));
    assert.ok(flows.length > 0, 'some flows match');
    for (const l of flows) assert.match(l, /DROPPED/);
  }, 'the alias applied');
  s.type('/');
  await s.waitFor((x) => x.includes('filter>'), 'the filter bar again');
  s.keys('C-u');
  s.type('@nope');
  s.keys('Enter');
  await s.expect((screen) => assert.match(screen, /unknown filter alias "@nope" \(config aliases: @drop/), 'the unknown alias named');
  s.keys('Escape');
  // A key right after Esc would arrive as Alt-<key>: wait for the bar to close first.
  await s.waitFor((x) => !x.includes('filter>'), 'the filter bar closed');
});

test('a remapped key does what it was remapped to: Q quits', async () => {
  s.type('Q');
  await s.expect((screen) => assert.match(screen, /EXIT=0/), 'netscope quit with status 0');
});
