import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTheme, wantsColor } from '../../../src/views/theme.ts';

test('NO_COLOR (any non-empty value) and terminals without colours turn colour off', () => {
  assert.equal(wantsColor({}, 256), true);
  assert.equal(wantsColor({ NO_COLOR: '1' }, 256), false);
  assert.equal(wantsColor({ NO_COLOR: '' }, 256), true, 'empty NO_COLOR is ignored, per no-color.org');
  assert.equal(wantsColor({}, 0), false, 'monochrome terminal');
});

test('monochrome keeps verdicts distinguishable with attributes; ASCII glyphs without UTF-8', () => {
  const mono = makeTheme({ color: false, unicode: false });
  assert.equal(mono.verdict('DROPPED', 'DROPPED'), '{bold}DROPPED{/bold}');
  assert.equal(mono.verdict('AUDIT', 'AUDIT'), '{underline}AUDIT{/underline}');
  assert.equal(mono.verdict('FORWARDED', 'FORWARDED'), 'FORWARDED');
  assert.ok(!mono.bad('x').includes('-fg'));
  assert.deepEqual([mono.glyph.drop, mono.glyph.arrow], ['X', '>']);
  const color = makeTheme({ color: true, unicode: true });
  assert.equal(color.verdict('DROPPED', 'DROPPED'), '{red-fg}DROPPED{/red-fg}');
  assert.equal(color.verdict('REDIRECTED', 'REDIRECTED'), '{magenta-fg}REDIRECTED{/magenta-fg}');
});
