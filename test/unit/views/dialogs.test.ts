import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editKey, newEditor, remember } from '../../../src/views/line-editor.ts';
import { complete } from '../../../src/views/completion.ts';
import { paletteMatches } from '../../../src/views/palette.ts';
import { registerView } from '../../../src/views/registry.ts';
import { helpLines } from '../../../src/views/help-view.ts';
import { statusLine } from '../../../src/views/status-line.ts';
import { layout } from '../../../src/views/layout.ts';
import { chooseTerminal } from '../../../src/views/terminal.ts';
import { flowDetailLines } from '../../../src/views/flow-detail.ts';
import { mkFlow } from '../streams/fixtures.ts';
import { mono, plain } from './helpers.ts';
import { stripTags } from '../../../src/views/text.ts';

test('line editor: typing, backspace, cursor, history up/down keeps the draft', () => {
  let e = newEditor('', ['--verdict DROPPED', '-n shop']);
  for (const ch of '--po') e = editKey(e, { ch });
  e = editKey(e, { name: 'backspace' });
  assert.equal(e.text, '--p');
  e = editKey(e, { name: 'up' });
  assert.equal(e.text, '-n shop');
  e = editKey(e, { name: 'up' });
  assert.equal(e.text, '--verdict DROPPED');
  e = editKey(e, { name: 'down' });
  e = editKey(e, { name: 'down' });
  assert.equal(e.text, '--p');
  e = editKey(e, { name: 'left' });
  e = editKey(e, { ch: 'X' });
  assert.equal(e.text, '--Xp');
  assert.equal(editKey(e, { ch: '\u001b' }).text, '--Xp', 'control characters are not inserted');
  assert.deepEqual(remember(['a'], 'a'), ['a']);
});

test('completion: flag names, then names of the kind the flag takes', () => {
  const names = (k: string) => (k === 'namespace' ? ['shop', 'kube-system'] : k === 'pod' ? ['shop/cartservice-1', 'shop/frontend-2'] : []);
  assert.equal(complete('--verd', 6, names).text, '--verdict ');
  assert.equal(complete('--verdict DR', 12, names).text, '--verdict DROPPED ');
  assert.equal(complete('-n sh', 5, names).text, '-n shop ');
  const multi = complete('--to-p', 6, names);
  assert.ok(multi.candidates.includes('--to-pod') && multi.candidates.includes('--to-port'));
  assert.equal(complete('--to-pod shop/c', 15, names).text, '--to-pod shop/cartservice-1 ');
});

test('palette: fuzzy commands, :svc / :ns / :pod with object names, registered views', () => {
  const objects = { namespaces: ['shop', 'kube-system'], services: ['shop/cartservice', 'shop/frontend'], pods: ['shop/frontend-abc'] };
  assert.deepEqual(paletteMatches('topo', objects)[0].action, { type: 'pane', pane: 'topology' });
  assert.deepEqual(paletteMatches('quit', objects)[0].action, { type: 'quit' });
  assert.deepEqual(paletteMatches('svc cart', objects)[0].action, { type: 'service', name: 'shop/cartservice' });
  assert.deepEqual(paletteMatches('ns shop', objects)[0].action, { type: 'namespace', name: 'shop' });
  assert.deepEqual(paletteMatches('pod front', objects)[0].action, { type: 'pod', name: 'shop/frontend-abc' });
  registerView({ name: 'netpol', summary: 'policies', create: () => ({ title: () => 'x', lines: () => [] }) });
  assert.deepEqual(paletteMatches('netpol shop', objects)[0].action, { type: 'view', name: 'netpol', arg: 'shop' });
  // A view with the name of an object shortcut: the object jump first, the view next; alone, the view.
  registerView({ name: 'svc', summary: 'services', create: () => ({ title: () => 'x', lines: () => [] }) });
  const both = paletteMatches('svc cart', objects);
  assert.deepEqual(both[0].action, { type: 'service', name: 'shop/cartservice' });
  assert.deepEqual(both[both.length - 1].action, { type: 'view', name: 'svc', arg: 'cart' });
  assert.deepEqual(paletteMatches('svc', objects)[0].action, { type: 'view', name: 'svc', arg: '' });
});

test('help lists every key of the focused pane and the global keys', () => {
  const lines = plain(helpLines('latency', mono)).join('\n');
  for (const k of ['sort by name', 'sort by requests/s', 'sort by error %', 'sort by latency', 'p50 / p95 / p99', 'quit', 'command palette']) assert.ok(lines.includes(k), k);
});

test('status line fits 80 columns and always shows the active filter', () => {
  const line = stripTags(
    statusLine(
      { status: { source: 'demo', state: 'connected', message: 'demo cluster: Online Boutique on 3 nodes' }, counters: { total: 123456, dropped: 12, lost: 3, rate: 1234 }, filterText: '--namespace shop --verdict DROPPED', focus: null, paused: false, pending: 0 },
      80,
      mono,
    ),
  );
  assert.ok(line.length <= 80, line);
  assert.match(line, /filter: --namespace shop --verdict DROPPED$/);
  assert.match(line, /demo connected/);
});

test('layout: four panes at 160x50, three at 120x40, one pane under a tab bar at 80x24; zoom fills the main area', () => {
  assert.ok(layout(160, 50, null).panes.detail);
  const l = layout(120, 40, null);
  assert.deepEqual(Object.keys(l.panes).sort(), ['flows', 'latency', 'topology']);
  assert.equal(l.status.top, 38);
  assert.equal(l.tabs, undefined);
  assert.equal(l.panes.topology!.width + l.panes.latency!.width, 120);
  // 80x24 (and anything under 100x30): the focused pane alone under a one-line tab bar.
  const s = layout(80, 24, null, 'topology');
  assert.deepEqual(Object.keys(s.panes), ['topology']);
  assert.deepEqual(s.tabs, { top: 0, left: 0, width: 80, height: 1 });
  assert.deepEqual(s.panes.topology, { top: 1, left: 0, width: 80, height: 21 });
  assert.ok(layout(99, 40, null).tabs);
  assert.ok(layout(120, 29, null).tabs);
  assert.equal(layout(100, 30, null).tabs, undefined);
  // Zoom: the whole area, no tab bar.
  assert.deepEqual(layout(80, 24, 'detail').panes.detail, { top: 0, left: 0, width: 80, height: 22 });
  assert.equal(layout(80, 24, 'detail').tabs, undefined);
  assert.deepEqual(Object.keys(layout(50, 10, null, 'latency').panes), ['latency']);
  assert.ok(layout(10, 3, null).panes.flows!.height >= 1);
});

test('terminal choice falls back to xterm entries blessed can compile', () => {
  const probe = (t: string) => (t === 'tmux-256color' ? { ok: false, colors: 8, reason: 'tmux-256color: Terminfo not found.' } : { ok: true, colors: t.includes('256') ? 256 : 8 });
  assert.deepEqual(chooseTerminal('tmux-256color', probe), { terminal: 'xterm-256color', colors: 256, fallbackReason: 'tmux-256color: Terminfo not found.' });
  assert.equal(chooseTerminal('xterm', probe).terminal, 'xterm');
  const crash = () => ({ ok: false, colors: 0, reason: 'x: boom' });
  assert.equal(chooseTerminal('weird', crash).terminal, 'xterm');
  // The real terminfo entries on this machine: none may throw.
  for (const t of ['xterm', 'xterm-256color', 'screen-256color', 'tmux-256color']) assert.ok(['xterm', 'xterm-256color', t].includes(chooseTerminal(t).terminal));
});

test('flow detail shows drop reason, policy, labels, node and every field', () => {
  const f = mkFlow({ verdict: 'DROPPED', dropReason: 'POLICY_DENIED' });
  f.egress_denied_by = [{ name: 'deny-toolbox', namespace: 'shop', kind: 'NetworkPolicy' }];
  const text = plain(flowDetailLines(f, mono)).join('\n');
  assert.match(text, /drop reason: POLICY_DENIED/);
  assert.match(text, /egress denied by NetworkPolicy shop\/deny-toolbox/);
  assert.match(text, /labels: k8s:app=frontend/);
  assert.match(text, /node: node-a/);
  assert.match(text, /l4\.TCP\.destination_port: 7070/);
  assert.match(text, /IP\.source: 10\.0\.0\.1/);
});
