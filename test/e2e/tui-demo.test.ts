// The TUI on the demo cluster, driven in tmux at 120x40: panes, filter, palette, help,
// details, quit. Assertions are on what the screen shows; deadlines are generous and
// never asserted as timings.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PROMPT, TmuxSession, paneLines } from './tmux.ts';

let s: TmuxSession;

before(async () => {
  s = new TmuxSession({ width: 120, height: 40, term: 'xterm-256color' });
  await s.waitFor((x) => x.includes(PROMPT), 'the shell prompt');
  s.run(`stty -g > /tmp/${s.socket}.before; bin/netscope --demo --history 60 --rate 300 2>/tmp/${s.socket}.err; echo EXIT=$?; stty -g > /tmp/${s.socket}.after`);
  await s.waitFor((x) => x.includes('Topology') && /FORWARDED/.test(x) && /shop\/\S+ +\d/.test(x), 'the three panes with demo content');
});

after(() => s.close());

test('the three panes show demo content at 120x40', async () => {
  await s.expect((screen) => {
    // The topology is a map: namespace bands, boxes, lines with arrowheads and rates.
    const topo = paneLines(screen, 'Topology').join('\n');
    assert.match(screen, /Topology \[workload\] map:labels/);
    assert.match(topo, /╌ shop ╌/);
    assert.match(topo, /[[✖]frontend *\]/);
    assert.match(topo, /─+▶[[✖]\w/);
    const flows = paneLines(screen, 'Flows');
    assert.match(flows[0], /TIME +SOURCE +DESTINATION +PROTO +VERDICT +SUMMARY/);
    assert.ok(flows.filter((l) => / -> /.test(l)).length >= 10);
    const lat = paneLines(screen, 'Latency');
    assert.match(lat[0], /SERVICE +REQ\/S +ERR% +DROP%( +P50)? +P95/);
    assert.ok(lat.some((l) => /shop\/frontend +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+(ms|s)/.test(l)), lat.join('\n'));
    assert.match(screen.split('\n')[38], /demo connected .*flows\/s.*filter: none/);
    for (const l of screen.split('\n')) assert.ok(Array.from(l).length <= 120);
  }, 'the panes');
  assert.equal(s.tmux('display-message', '-p', '#{alternate_on}').trim(), '1', 'the TUI runs on the alternate screen');
});

test('a filter changes the flows to matching ones and keeps topology and latency consistent', async () => {
  s.type('/');
  await s.waitFor((x) => x.includes('filter>'), 'the filter bar');
  s.type('--verdict DROPPED');
  s.keys('Enter');
  await s.expect((screen) => {
    assert.match(screen, /filter: --verdict DROPPED/);
    const flows = paneLines(screen, 'Flows').filter((l) => / -> /.test(l));
    assert.ok(flows.length > 0);
    for (const l of flows) assert.match(l, /DROPPED/);
    // Every box on the map now carries the drop mark, and every service row is 100% drops, no errors.
    // (Labels: the mark replaces the opening bracket; boxes: it sits in the top border.)
    const topo = paneLines(screen, 'Topology').map((l) => Array.from(l));
    const marks: string[] = [];
    topo.forEach((row, y) => {
      const line = row.join('');
      for (const m of line.matchAll(/([[✖])[a-z-]+ *\]/g)) marks.push(m[1]);
      for (const m of line.matchAll(/│ [a-z-]+ +[│├]/g)) marks.push(topo[y - 1]?.[Array.from(line.slice(0, m.index)).length + 1] ?? '?');
    });
    assert.ok(marks.length > 0);
    for (const b of marks) assert.equal(b, '✖');
    const rows = paneLines(screen, 'Latency').slice(1).filter((l) => /shop\//.test(l));
    assert.ok(rows.length > 0);
    for (const r of rows) assert.match(r, /shop\/\S+ +[\d.]+ +0 +100\.0 /);
    assert.ok(!paneLines(screen, 'Latency').some((l) => l.includes('shop/frontend ')), 'frontend serves no dropped requests');
  }, 'the filter applied to all panes');
});

test('an invalid filter shows the error and keeps the previous filter; Esc cancels', async () => {
  s.type('/');
  await s.waitFor((x) => x.includes('filter>'), 'the filter bar');
  s.keys('C-u');
  s.type('--verdict NOPE');
  s.keys('Enter');
  await s.expect((screen) => {
    assert.match(screen, /invalid filter[^\n]*NOPE/);
    assert.match(screen, /filter: --verdict DROPPED/);
  }, 'the error in the bar, the old filter kept');
  s.keys('Escape');
  await s.expect((after) => {
    assert.ok(!after.includes('filter>'));
    assert.match(after, /filter: --verdict DROPPED/);
    assert.ok(paneLines(after, 'Flows').filter((l) => / -> /.test(l)).every((l) => l.includes('DROPPED')));
  }, 'the bar closed, the old filter still applied');
});

test('Tab completes flag names in the filter bar and history brings back the last filter', async () => {
  s.type('/');
  await s.waitFor((x) => x.includes('filter>'), 'the filter bar');
  s.keys('C-u');
  s.type('--to-na');
  s.keys('Tab');
  await s.waitFor((x) => x.includes('filter> --to-namespace'), 'completed flag');
  s.type('sh');
  s.keys('Tab');
  await s.waitFor((x) => x.includes('filter> --to-namespace shop'), 'completed namespace');
  s.keys('C-u', 'Up');
  await s.waitFor((x) => x.includes('filter> --verdict DROPPED'), 'history');
  // Back to everything for the next tests.
  s.keys('C-u', 'Enter');
  await s.waitFor((x) => /filter: none/.test(x), 'filter cleared');
});

test(': palette jumps to a service and focuses the other panes on it', async () => {
  s.type(':');
  await s.waitFor((x) => /^:/m.test(x.split('\n')[39]), 'the palette');
  s.type('svc cart');
  await s.waitFor((x) => x.includes('svc shop/cartservice'), 'palette match');
  s.keys('Enter');
  await s.expect((screen) => {
    assert.match(screen, /focus shop\/cartservice/);
    const flows = paneLines(screen, 'Flows').filter((l) => / -> /.test(l));
    assert.ok(flows.length > 0);
    for (const l of flows) assert.match(l, /cartservice/);
    assert.match(screen, /Topology \[workload\][^\n]*\*/, 'topology has the focus');
  }, 'the panes focused on cartservice');
  // c: the same view as a command line to paste into a shell.
  s.type('c');
  await s.expect((cmd) => {
    assert.match(cmd, /netscope observe --demo --follow --namespace shop --workload cartservice/);
    assert.match(cmd, /hubble observe --follow --namespace shop --workload cartservice/);
  }, 'the command line');
  s.keys('Escape');
  await s.waitFor((x) => !x.includes('Equivalent command line'), 'command line closed');
  s.keys('Escape');
  await s.waitFor((x) => !/focus shop\/cartservice/.test(x), 'focus cleared');
});

test('? shows the keys of the focused pane', async () => {
  s.keys('2');
  s.type('?');
  await s.expect((screen) => {
    assert.match(screen, /Flows keys/);
    assert.match(screen, /newest first \/ last/);
    assert.match(screen, /Everywhere/);
  }, 'help');
  s.keys('Escape');
  await s.waitFor((x) => !x.includes('Flows keys'), 'help closed');
});

test('Enter on a flow shows all its fields', async () => {
  s.keys('2', 'j', 'Enter');
  await s.expect((screen) => {
    assert.match(screen, /Flow detail/);
    assert.match(screen, /verdict: /);
    assert.match(screen, /source: \S+/);
    assert.match(screen, /destination: \S+/);
    assert.match(screen, /All fields/);
  }, 'the detail view');
  s.keys('Escape');
  await s.waitFor((x) => !x.includes('Flow detail'), 'detail closed');
});

test('space pauses the flows pane and resumes without losing flows', async () => {
  s.keys('Space');
  await s.waitFor((x) => /PAUSED \+\d+/.test(x), 'paused');
  // Two captures some frames apart show the same rows, while the count of new flows grows.
  const rows = (x: string) => paneLines(x, 'Flows').slice(1, 4).join('\n');
  const first = await s.expect((x) => assert.match(x, /PAUSED \+\d+/), 'paused');
  const n0 = Number(/PAUSED \+(\d+)/.exec(first)![1]);
  await s.expect((x) => {
    assert.ok(Number(/PAUSED \+(\d+)/.exec(x)?.[1] ?? 0) > n0, 'flows arriving while paused');
    assert.equal(rows(x), rows(first), 'rows frozen while paused');
  }, 'frozen rows while flows arrive');
  s.keys('Space');
  await s.waitFor((x) => !/PAUSED/.test(x), 'resumed');
});

test('topology keys on the map: L switches level; m shows the list and back', async () => {
  s.type('1');
  s.type('L');
  await s.waitFor((x) => /Topology \[pod\] map:/.test(x), 'pod level on the map');
  s.type('L');
  s.type('L');
  await s.waitFor((x) => /Topology \[workload\] map:/.test(x), 'workload level on the map');
  s.type('m');
  await s.expect((x) => {
    assert.doesNotMatch(x, /map:/);
    assert.match(paneLines(x, 'Topology').join('\n'), /● frontend/);
    assert.match(paneLines(x, 'Topology').join('\n'), /→ \S+ +[\d.]+\/s/);
  }, 'the list');
});

test('topology keys in the list: l switches level, d shows only edges with drops, i hides infrastructure', async () => {
  s.type('1');
  s.type('l');
  await s.waitFor((x) => /Topology \[pod\]/.test(x), 'pod level');
  s.type('l');
  await s.expect((x) => {
    assert.match(x, /Topology \[namespace\]/);
    assert.ok(paneLines(x, 'Topology').some((l) => /^● shop/.test(l)));
  }, 'namespace level');
  s.type('l');
  await s.waitFor((x) => /Topology \[workload\]/.test(x), 'workload level');
  s.type('d');
  await s.expect((x) => {
    assert.match(x, /drops only/);
    const edges = paneLines(x, 'Topology').filter((l) => l.includes('→'));
    assert.ok(edges.length > 0);
    for (const e of edges) assert.match(e, /✖/);
  }, 'drops only');
  s.type('d');
  s.type('i');
  await s.expect((x) => {
    assert.match(x, /infra hidden/);
    assert.doesNotMatch(x, /drops only/);
    assert.ok(!paneLines(x, 'Topology').some((l) => /coredns|kube-dns/.test(l)));
  }, 'infra hidden');
  s.type('i');
  await s.waitFor((x) => !/infra hidden/.test(x), 'infra shown again');
  s.type('m');
  await s.waitFor((x) => /Topology \[workload\] map:/.test(x), 'back to the map');
});

test('resizing the terminal re-lays out the panes', async () => {
  s.tmux('resize-window', '-x', '80', '-y', '24');
  await s.expect((x) => {
    const lines = x.split('\n');
    assert.match(lines[22] ?? '', /filter: none/);
    // One pane under a tab bar.
    assert.match(lines[0], /1 Topology +2 Flows +3 Latency +4 Detail/);
    assert.match(lines[1], /^┌─ \d \w+.*┐$/);
    for (const l of lines) assert.ok(Array.from(l).length <= 80);
  }, 'the 80x24 layout');
  s.tmux('resize-window', '-x', '120', '-y', '40');
  await s.waitFor((x) => /filter: none/.test(x.split('\n')[38] ?? ''), 'the 120x40 layout again');
});

test('q exits with status 0, restores the terminal and gives the prompt back', async () => {
  s.type('q');
  const screen = await s.waitFor((x) => /EXIT=\d+/.test(x) && x.trimEnd().endsWith(PROMPT.trim()), 'exit status and prompt');
  assert.match(screen, /EXIT=0/);
  assert.ok(!screen.includes('Topology'), 'alternate screen left');
  assert.equal(s.tmux('display-message', '-p', '#{alternate_on}').trim(), '0', 'not on the alternate screen');
  assert.equal(s.tmux('display-message', '-p', '#{cursor_flag}').trim(), '1', 'cursor visible');
  assert.equal(s.tmux('display-message', '-p', '#{mouse_any_flag}#{keypad_flag}').trim(), '00', 'no mouse or keypad mode left on');
  const { readFileSync, rmSync } = await import('node:fs');
  const before = readFileSync(`/tmp/${s.socket}.before`, 'utf8');
  const afterState = readFileSync(`/tmp/${s.socket}.after`, 'utf8');
  assert.equal(afterState, before, 'stty settings restored');
  assert.equal(readFileSync(`/tmp/${s.socket}.err`, 'utf8'), '', 'nothing on stderr');
  for (const f of ['before', 'after', 'err']) rmSync(`/tmp/${s.socket}.${f}`, { force: true });
});
