// The TUI at 80x24 in each terminal type blessed is known to trip over (xterm,
// xterm-256color, screen-256color, tmux-256color): it must start, show one pane under a
// tab bar inside the screen, answer keys (also under a flood of flows), honour NO_COLOR, and
// quit with status 0 leaving nothing on stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { PROMPT, TmuxSession, paneLines } from './tmux.ts';

/** Whether any SGR sequence on the screen sets a foreground/background colour. */
function hasColour(screenWithEscapes: string): boolean {
  for (const m of screenWithEscapes.matchAll(/\x1b\[([0-9;:]*)m/g)) {
    for (const p of m[1].split(/[;:]/).map(Number)) {
      if ((p >= 30 && p <= 38) || (p >= 40 && p <= 48) || (p >= 90 && p <= 97) || (p >= 100 && p <= 107)) return true;
    }
  }
  return false;
}

interface Case {
  term: string;
  env?: Record<string, string>;
  rate: number;
  expectColour: boolean;
}

const CASES: Case[] = [
  { term: 'xterm', env: { NO_COLOR: '1' }, rate: 300, expectColour: false },
  { term: 'xterm-256color', rate: 300, expectColour: true },
  { term: 'screen-256color', rate: 300, expectColour: true },
  // Thousands of flows per second: keys must still get through.
  { term: 'tmux-256color', rate: 5000, expectColour: true },
];

for (const c of CASES) {
  test(`80x24 in TERM=${c.term}${c.env?.NO_COLOR ? ' with NO_COLOR' : ''} at ${c.rate} flows/s`, async () => {
    const s = new TmuxSession({ width: 80, height: 24, term: c.term, env: c.env });
    const err = `/tmp/${s.socket}.err`;
    try {
      await s.waitFor((x) => x.includes(PROMPT), 'the shell prompt');
      s.run(`bin/netscope --demo --history 30 --rate ${c.rate} 2>${err}; echo EXIT=$?`);
      // One pane at a time under a tab bar, the topology map first; status and bar at the bottom.
      await s.expect((screen) => {
        const lines = screen.split('\n');
        for (const l of lines) assert.ok(Array.from(l).length <= 80, `line wider than 80: ${l}`);
        assert.match(lines[0], /1 Topology +2 Flows +3 Latency +4 Detail/);
        assert.match(lines[1], /^┌─ 1 Topology \[workload\] map:\w+ \*.*┐$/);
        assert.match(paneLines(screen, 'Topology [').join('\n'), /[[✖]frontend *\]/);
        assert.match(lines[22], /demo connected .*filter: none/);
      }, 'the 80x24 layout with the map');
      assert.equal(hasColour(s.screenWithEscapes()), c.expectColour, 'colour use');
      s.type('2');
      await s.expect((screen) => {
        assert.match(screen.split('\n')[1], /^┌─ 2 Flows/);
        assert.ok(paneLines(screen, 'Flows [').filter((l) => / -> /.test(l) && /FORWARDED|DROPPED/.test(l)).length >= 5);
      }, 'the flows tab');
      s.type('3');
      await s.expect((screen) => {
        assert.match(paneLines(screen, 'Latency sort')[0], /SERVICE +REQ\/S +ERR% +DROP%( +P50)? +P95/);
        assert.ok(paneLines(screen, 'Latency sort').some((l) => /shop\/\S+ +\d/.test(l)));
      }, 'the latency tab');

      // Keys answer: help opens and closes, 4 shows the detail tab, z zooms (no tab bar) and back.
      s.type('?');
      await s.waitFor((x) => x.includes('Help:'), 'help');
      s.keys('Escape');
      await s.waitFor((x) => !x.includes('Help:') && x.includes('3 Latency sort'), 'help closed');
      s.type('4');
      await s.waitFor((x) => /^┌─ 4 Detail/.test(x.split('\n')[1] ?? ''), 'detail tab');
      s.type('z');
      await s.waitFor((x) => /^┌─ 4 Detail/.test(x.split('\n')[0] ?? ''), 'detail zoomed, no tab bar');
      s.type('z');
      await s.waitFor((x) => /1 Topology +2 Flows/.test(x.split('\n')[0] ?? ''), 'unzoomed');

      // Ctrl-C quits like q (and must restore the terminal the same way).
      if (c.term === 'xterm') s.keys('C-c');
      else s.type('q');
      const end = await s.waitFor((x) => /EXIT=\d+/.test(x), 'exit status');
      assert.match(end, /EXIT=0/);
      assert.equal(readFileSync(err, 'utf8'), '', 'nothing on stderr (no terminfo complaints)');
    } finally {
      s.close();
      rmSync(err, { force: true });
    }
  });
}

test('a bad flag or filter is one line on stderr with exit status 2, before touching the terminal', async () => {
  const s = new TmuxSession({ width: 80, height: 24, term: 'xterm' });
  try {
    await s.waitFor((x) => x.includes(PROMPT), 'the shell prompt');
    s.run(`bin/netscope --demo --verdict NOPE 2>/tmp/${s.socket}.e1; echo EXIT=$?`);
    const screen = await s.waitFor((x) => /EXIT=\d+/.test(x), 'exit status');
    assert.match(screen, /EXIT=2/);
    const e1 = readFileSync(`/tmp/${s.socket}.e1`, 'utf8');
    assert.match(e1, /^netscope: invalid --verdict "NOPE"[^\n]*\n$/);
    s.run(`bin/netscope --demo --buffer-size abc 2>/tmp/${s.socket}.e2; echo EXIT2=$?`);
    const screen2 = await s.waitFor((x) => /EXIT2=\d+/.test(x), 'exit status');
    assert.match(screen2, /EXIT2=2/);
    assert.match(readFileSync(`/tmp/${s.socket}.e2`, 'utf8'), /^netscope: invalid value "abc" for flag --buffer-size[^\n]*\n$/);
  } finally {
    s.close();
    for (const e of ['e1', 'e2']) rmSync(`/tmp/${s.socket}.${e}`, { force: true });
  }
});
