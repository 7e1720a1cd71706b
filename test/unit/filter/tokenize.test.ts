import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize, FilterError, parseFilterArgs } from '../../../src/filter/index.ts';

test('splits on blanks, collapsing runs', () => {
  assert.deepEqual(tokenize('  --verdict   DROPPED\t-n shop '), ['--verdict', 'DROPPED', '-n', 'shop']);
  assert.deepEqual(tokenize(''), []);
  assert.deepEqual(tokenize('   '), []);
});

test('single quotes are literal, double quotes allow \\" and \\\\', () => {
  assert.deepEqual(tokenize(`--label 'app in (a, b)'`), ['--label', 'app in (a, b)']);
  assert.deepEqual(tokenize(`--http-path "^/a \\"b\\" \\\\d$"`), ['--http-path', '^/a "b" \\d$']);
  assert.deepEqual(tokenize(`'it''s'`), ['its']);
  assert.deepEqual(tokenize(`"a\\nb"`), ['a\\nb']);
  assert.deepEqual(tokenize(`''`), ['']);
  assert.deepEqual(tokenize(`--pod=shop/'front end'`), ['--pod=shop/front end']);
});

test('backslash outside quotes escapes the next character', () => {
  assert.deepEqual(tokenize('a\\ b c'), ['a b', 'c']);
  assert.deepEqual(tokenize("\\'x"), ["'x"]);
});

test('an unclosed quote is a FilterError naming the column', () => {
  assert.throws(() => tokenize(`--label 'app=x`), (e: unknown) => e instanceof FilterError && /unclosed ' quote starting at column 9/.test(e.message));
  assert.throws(() => tokenize(`--http-path "abc`), (e: unknown) => e instanceof FilterError && /unclosed " quote/.test(e.message));
});

test('a filter bar line parses into a filter set', () => {
  const set = parseFilterArgs(tokenize(`--from-label "app in (frontend, web)" --verdict DROPPED --not --to-port 53`));
  assert.deepEqual(set, {
    allow: [{ source_label: ['app in (frontend, web)'], verdict: ['DROPPED'] }],
    deny: [{ destination_port: ['53'] }],
  });
});
