import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sanitize } from '../../src/model/sanitize.ts';

test('clean strings pass through unchanged', () => {
  assert.equal(sanitize('frontend-7d9c8b7f6-abcde'), 'frontend-7d9c8b7f6-abcde');
  assert.equal(sanitize('ünïcödé/路径'), 'ünïcödé/路径');
});

test('escape sequences and control characters become visible text', () => {
  assert.equal(sanitize('evil\u001b[2J\u001b]0;pwned\u0007'), 'evil\\e[2J\\e]0;pwned\\x07');
  assert.equal(sanitize('a\nb\rc\td'), 'a\\nb\\rc\\td');
  assert.equal(sanitize('\u009b31m'), '\\x9b31m');
  assert.equal(sanitize('x\u202eevil'), 'x\\u202eevil');
  assert.ok(!/[\u0000-\u001f]/.test(sanitize('\u0000\u0001\u001f')));
});
