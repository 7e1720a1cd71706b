// "Why" in the TUI on the demo cluster: a dropped flow's detail names the policy that
// isolates its destination, the topology marks the denied edge with that policy, and
// `w` on the selected node explains its edges. Bounded waits, no timing assertions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PROMPT, TmuxSession, paneLines } from './tmux.ts';

let s: TmuxSession;

before(async () => {
  s = new TmuxSession({ width: 200, height: 45, term: 'xterm-256color' });
  await s.waitFor((x) => x.includes(PROMPT), 'the shell prompt');
  s.run(`bin/netscope --demo --history 120 --rate 300 --verdict DROPPED 2>/tmp/${s.socket}.err; echo EXIT=$?`);
  await s.waitFor((x) => x.includes('Topology') && /DROPPED/.test(x), 'dropped demo flows on screen');
});

after(() => s.close());

test('the topology marks the denied edge with the deciding policy, on the map and in the list', async () => {
  await s.expect((screen) => {
    const lines = paneLines(screen, 'Topology');
    assert.ok(lines.some((l) => /✖ toolbox → (paymentservice|redis-cart) denied by (paymentservice|redis-cart)-ingress/.test(l)), lines.join('\n'));
  }, 'the map naming a denied edge and its policy');
  s.keys('1', 'm');
  await s.expect((screen) => {
    const edges = paneLines(screen, 'Topology').filter((l) => l.includes('→'));
    assert.ok(edges.some((l) => /✖ \d+ denied by (paymentservice|redis-cart)-ingress/.test(l)), edges.join('\n'));
  }, 'the list: a denied edge with its policy');
  s.keys('m');
  await s.waitFor((x) => /map:/.test(x), 'the map again');
});

test('the detail of a dropped flow says why: isolated by the policy, no rule admits the source', async () => {
  s.keys('2', 'j', 'Enter');
  await s.expect((screen) => {
    assert.match(screen, /Flow detail/);
    assert.match(screen, /Why \(policies\)/);
    assert.match(screen, /expected: DENIED by shop\/(paymentservice|redis-cart)-ingress/);
    assert.match(screen, /isolated by NetworkPolicy shop\/(paymentservice|redis-cart)-ingress; no rule admits shop\/toolbox-\S+ /);
    assert.match(screen, /Hubble: .*denied by shop\/(paymentservice|redis-cart)-ingress \(the model agrees\)/);
  }, 'why in the flow detail');
  s.keys('Escape');
  await s.waitFor((x) => !x.includes('Flow detail'), 'detail closed');
});

test('w on the selected topology node explains its edges', async () => {
  s.keys('1');
  // Only dropped flows are shown: the busiest node, listed first, is their client, toolbox.
  s.keys('g', 'w');
  await s.expect((screen) => {
    assert.match(screen, /Why: shop\/toolbox/);
    assert.match(screen, /shop\/toolbox -> shop\/(paymentservice|redis-cart)/);
    assert.match(screen, /isolated by NetworkPolicy shop\/(paymentservice|redis-cart)-ingress/);
  }, 'the why overlay for the selected node');
  s.keys('Escape');
  // Wait: a key typed right after Esc would arrive as Alt-<key>.
  await s.waitFor((x) => !x.includes('Why: shop/toolbox'), 'the why overlay closed');
});

test(':netpol lists each policy with the pods it selects and its live hits', async () => {
  s.type(':');
  await s.waitFor((x) => /^:/m.test(x) || x.includes('palette'), 'the palette');
  s.type('netpol');
  s.keys('Enter');
  await s.expect((screen) => {
    assert.match(screen, /NAME\S* +KIND +SELECTOR +DIRECTION +PODS +ALLOWED +DENIED/);
    assert.match(screen, /paymentservice-ingress +NetworkPolicy +app=paymentservice +Ingress +1 +\d+ +[1-9]\d*/);
    assert.match(screen, /redis-cart-ingress +NetworkPolicy +app=redis-cart +Ingress +1 +\d+ +[1-9]\d*/);
  }, 'the policies with selected pods and hits');
  s.keys('Escape');
  await s.waitFor((x) => !/PODS +ALLOWED +DENIED/.test(x), ':netpol closed');
});

test('? on the topology pane documents the why key', async () => {
  s.keys('1');
  // The focused pane's title ends with `*`: wait for it, so `?` is the topology's help.
  await s.waitFor((x) => /1 Topology[^\n]*\* /.test(x), 'the topology pane focused');
  s.keys('?');
  await s.expect((screen) => {
    assert.match(screen, /w +why: which policies allow or deny the selected (node|box)'s edges/);
    assert.match(screen, /W +what-if: replay the buffer against a draft policy file/);
  }, 'the help lines');
  s.keys('Escape');
  // A key right after Esc would arrive as Alt-<key>: wait for the help to close first.
  await s.waitFor((x) => !x.includes('Help: Topology'), 'the help closed');
  s.type('q');
  await s.waitFor((x) => x.includes('EXIT=0'), 'the TUI to quit with status 0');
});
