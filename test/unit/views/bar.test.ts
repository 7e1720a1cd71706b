import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLOSED, barKey, barLine, filterRejected, openFilterBar, openPalette, type Bar, type BarKey } from '../../../src/views/bar.ts';
import { stripTags } from '../../../src/views/text.ts';
import { mono } from './helpers.ts';

const objects = () => ({ namespaces: ['shop'], services: ['shop/cartservice', 'shop/frontend'], pods: ['shop/frontend-abc'] });
const deps = { names: (k: string) => (k === 'namespace' ? ['shop'] : []), objects };

function type(bar: Bar, text: string): Bar {
  for (const ch of text) bar = barKey(bar, { ch }, deps).bar;
  return bar;
}

test('filter bar: typing, Tab completion, Enter asks to apply, Esc cancels', () => {
  let bar = openFilterBar('', []);
  bar = type(bar, '--verd');
  bar = barKey(bar, { name: 'tab' }, deps).bar;
  bar = type(bar, 'DROPPED');
  const r = barKey(bar, { name: 'enter' }, deps);
  assert.deepEqual(r.effect, { type: 'apply-filter', text: '--verdict DROPPED' });
  assert.equal(barKey(bar, { name: 'escape' }, deps).bar, CLOSED);
});

test('a rejected filter keeps the text and shows the error until the next edit', () => {
  let bar = type(openFilterBar('', []), '--verdict NOPE');
  bar = filterRejected(bar, 'invalid --verdict "NOPE"');
  const line = stripTags(barLine(bar, 100, mono)!);
  assert.match(line, /^filter> --verdict NOPE {2}invalid --verdict "NOPE"/);
  bar = barKey(bar, { name: 'backspace' }, deps).bar;
  assert.ok(bar.mode === 'filter' && !bar.error);
});

test('the filter bar opens with the active filter and its history', () => {
  let bar = openFilterBar('-n shop', ['--verdict DROPPED', '-n shop']);
  assert.equal(stripTags(barLine(bar, 80, mono)!).slice(0, 16), 'filter> -n shop ');
  bar = barKey(bar, { name: 'up' }, deps).bar;
  bar = barKey(bar, { name: 'up' }, deps).bar;
  assert.ok(bar.mode === 'filter' && bar.editor.text === '--verdict DROPPED');
});

test('palette: typing narrows matches, Tab moves the choice, Enter runs it', () => {
  let bar = openPalette([], objects());
  bar = type(bar, 'svc cart');
  assert.ok(bar.mode === 'palette' && bar.matches[0].label === 'svc shop/cartservice');
  const run = barKey(bar, { name: 'enter' }, deps);
  assert.equal(run.bar, CLOSED);
  assert.deepEqual(run.effect?.type === 'run' && run.effect.item?.action, { type: 'service', name: 'shop/cartservice' });
  let all = openPalette([], objects());
  const first = all.mode === 'palette' ? all.matches[0].label : '';
  all = barKey(all, { name: 'tab' }, deps).bar;
  all = barKey(all, { name: 'tab', full: 'S-tab' } as BarKey, deps).bar;
  assert.ok(all.mode === 'palette' && all.matches[all.index].label === first);
});
