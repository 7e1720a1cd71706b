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

test('the three panes show demo content at 120x40', () => {
  const screen = s.screen();
  const topo = paneLines(screen, 'Topology').join('\n');
  assert.match(topo, /shop/);
  assert.match(topo, /● frontend/);
  assert.match(topo, /→ \S+ +[\d.]+\/s/);
  const flows = paneLines(screen, 'Flows');
  assert.match(flows[0], /TIME +SOURCE +DESTINATION +PROTO +VERDICT +SUMMARY/);
  assert.ok(flows.filter((l) => / -> /.test(l)).length >= 10);
  const lat = paneLines(screen, 'Latency');
  assert.match(lat[0], /SERVICE +REQ\/S +ERR% +P50 +P95 +P99/);
  assert.ok(lat.some((l) => /shop\/frontend +[\d.]+ +[\d.]+ +[\d.]+(ms|s)/.test(l)), lat.join('\n'));
  assert.equal(s.tmux('display-message', '-p', '#{alternate_on}').trim(), '1', 'the TUI runs on the alternate screen');
  const status = screen.split('\n')[38];
  assert.match(status, /demo connected .*flows\/s.*filter: none/);
  for (const l of screen.split('\n')) assert.ok(Array.from(l).length <= 120);
});

test('a filter changes the flows to matching ones and keeps topology and latency consistent', async () => {
  s.type('/');
  await s.waitFor((x) => x.includes('filter>'), 'the filter bar');
  s.type('--verdict DROPPED');
  s.keys('Enter');
  const screen = await s.waitFor((x) => /filter: --verdict DROPPED/.test(x) && paneLines(x, 'Flows').some((l) => l.includes('DROPPED')), 'the filter applied');
  const flows = paneLines(screen, 'Flows').filter((l) => / -> /.test(l));
  assert.ok(flows.length > 0);
  for (const l of flows) assert.match(l, /DROPPED/);
  // Every edge on the map now carries drops, and every service row is 100% errors.
  const edges = paneLines(screen, 'Topology').filter((l) => l.includes('→'));
  assert.ok(edges.length > 0);
  for (const e of edges) assert.match(e, /✖ \d+ drop/);
  const rows = paneLines(screen, 'Latency').slice(1).filter((l) => /shop\//.test(l));
  assert.ok(rows.length > 0);
  for (const r of rows) assert.match(r, / 100\.0 /);
  assert.ok(!paneLines(screen, 'Latency').some((l) => l.includes('shop/frontend ')), 'frontend serves no dropped requests');
});

test('an invalid filter shows the error and keeps the previous filter; Esc cancels', async () => {
  s.type('/');
  await s.waitFor((x) => x.includes('filter>'), 'the filter bar');
  s.keys('C-u');
  s.type('--verdict NOPE');
  s.keys('Enter');
  const screen = await s.waitFor((x) => /invalid filter/.test(x), 'the error in the bar');
  assert.match(screen, /NOPE/);
  assert.match(screen, /filter: --verdict DROPPED/);
  s.keys('Escape');
  await s.waitFor((x) => !x.includes('filter>'), 'the bar closed');
  const after = s.screen();
  assert.match(after, /filter: --verdict DROPPED/);
  assert.ok(paneLines(after, 'Flows').filter((l) => / -> /.test(l)).every((l) => l.includes('DROPPED')));
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
  const screen = await s.waitFor((x) => /focus shop\/cartservice/.test(x), 'the focus in the status line');
  const flows = paneLines(screen, 'Flows').filter((l) => / -> /.test(l));
  assert.ok(flows.length > 0);
  for (const l of flows) assert.match(l, /cartservice/);
  assert.match(screen, /Topology \[workload\][^\n]*\*/, 'topology has the focus');
  // c: the same view as a command line to paste into a shell.
  s.type('c');
  const cmd = await s.waitFor((x) => x.includes('Equivalent command line'), 'the command line');
  assert.match(cmd, /netscope observe --demo --follow --namespace shop --workload cartservice/);
  assert.match(cmd, /hubble observe --follow --namespace shop --workload cartservice/);
  s.keys('Escape');
  await s.waitFor((x) => !x.includes('Equivalent command line'), 'command line closed');
  s.keys('Escape');
  await s.waitFor((x) => !/focus shop\/cartservice/.test(x), 'focus cleared');
});

test('? shows the keys of the focused pane', async () => {
  s.keys('2');
  s.type('?');
  const screen = await s.waitFor((x) => x.includes('Flows keys'), 'help');
  assert.match(screen, /newest first \/ last/);
  assert.match(screen, /Everywhere/);
  s.keys('Escape');
  await s.waitFor((x) => !x.includes('Flows keys'), 'help closed');
});

test('Enter on a flow shows all its fields', async () => {
  s.keys('2', 'j', 'Enter');
  const screen = await s.waitFor((x) => x.includes('Flow detail'), 'the detail view');
  assert.match(screen, /verdict: /);
  assert.match(screen, /source: \S+/);
  assert.match(screen, /destination: \S+/);
  assert.match(screen, /All fields/);
  s.keys('Escape');
  await s.waitFor((x) => !x.includes('Flow detail'), 'detail closed');
});

test('space pauses the flows pane and resumes without losing flows', async () => {
  s.keys('Space');
  const paused = await s.waitFor((x) => /PAUSED \+\d+/.test(x), 'paused');
  const firstRows = paneLines(paused, 'Flows').slice(1, 4).join('\n');
  await s.waitFor((x) => /PAUSED \+[1-9]\d*/.test(x), 'flows arriving while paused');
  assert.equal(paneLines(s.screen(), 'Flows').slice(1, 4).join('\n'), firstRows, 'rows frozen while paused');
  s.keys('Space');
  await s.waitFor((x) => !/PAUSED/.test(x), 'resumed');
});

test('topology keys: l switches level, d shows only edges with drops, i hides infrastructure', async () => {
  s.type('1');
  s.type('l');
  await s.waitFor((x) => /Topology \[pod\]/.test(x), 'pod level');
  s.type('l');
  const ns = await s.waitFor((x) => /Topology \[namespace\]/.test(x), 'namespace level');
  assert.ok(paneLines(ns, 'Topology').some((l) => /^● shop/.test(l)));
  s.type('l');
  await s.waitFor((x) => /Topology \[workload\]/.test(x), 'workload level');
  s.type('d');
  const drops = await s.waitFor((x) => /drops only/.test(x), 'drops only');
  const edges = paneLines(drops, 'Topology').filter((l) => l.includes('→'));
  assert.ok(edges.length > 0);
  for (const e of edges) assert.match(e, /✖/);
  s.type('d');
  s.type('i');
  const clean = await s.waitFor((x) => /infra hidden/.test(x) && !/drops only/.test(x), 'infra hidden');
  assert.ok(!paneLines(clean, 'Topology').some((l) => /coredns|kube-dns/.test(l)));
  s.type('i');
  await s.waitFor((x) => !/infra hidden/.test(x), 'infra shown again');
});

test('resizing the terminal re-lays out the panes', async () => {
  s.tmux('resize-window', '-x', '80', '-y', '24');
  const small = await s.waitFor((x) => x.split('\n').length >= 24 && /filter: none/.test(x.split('\n')[22] ?? '') && /┌─ 1 Topology.*┐┌─ 3 Latency.*┐$/.test(x.split('\n')[0]), 'the 80x24 layout');
  for (const l of small.split('\n')) assert.ok(Array.from(l).length <= 80);
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
