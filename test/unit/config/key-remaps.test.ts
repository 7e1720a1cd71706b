// Key remaps from the config file rebind actions in the tables the app dispatches from
// and help prints (its own process: the remaps change those tables for good).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionFor, applyKeyRemaps, GLOBAL_KEYS } from '../../../src/views/keymap.ts';

test('a remap moves an action to its new keys, takes them from others, and help shows them', () => {
  assert.equal(actionFor('flows', 'q'), 'quit');
  const problems = applyKeyRemaps([
    { action: 'quit', keys: ['Q', 'C-c'], at: 'c.yaml:2:3' },
    { action: 'pause', keys: ['p'], at: 'c.yaml:3:3' },
    { action: 'no-such', keys: ['x'], at: 'c.yaml:4:3' },
  ]);
  assert.equal(actionFor('flows', 'q'), undefined);
  assert.equal(actionFor('flows', 'Q'), 'quit');
  assert.equal(actionFor('flows', 'p'), 'pause');
  assert.equal(actionFor('flows', 'space'), undefined);
  assert.equal(actionFor('latency', 'p'), 'percentile', 'a pane key still wins in its pane');
  assert.equal(GLOBAL_KEYS.find((b) => b.action === 'quit')!.label, 'Q, Ctrl-C');
  assert.equal(problems.length, 2);
  assert.equal(problems[0], 'c.yaml:3:3: keys.pause: p means "sparkline percentile: p50 / p95 / p99" in the Latency pane, which wins there');
  assert.match(problems[1]!, /^c\.yaml:4:3: keys: unknown action "no-such" \(known: .*\bquit\b.*\)$/);
});
