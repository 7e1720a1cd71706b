process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeFormatByName, timeFormatter } from '../../../src/printer/time-format.ts';
import { alignColumns } from '../../../src/printer/tabwriter.ts';
import { shouldColor } from '../../../src/printer/colors.ts';

const T = '2026-01-05T15:04:05.120300000Z';

test('Go layouts by hubble name, fractions truncated', () => {
  const f = (name: string) => timeFormatter(timeFormatByName(name)!)(T);
  assert.equal(f('StampMilli'), 'Jan  5 15:04:05.120');
  assert.equal(f('stampmicro'), 'Jan  5 15:04:05.120300');
  assert.equal(f('RFC3339'), '2026-01-05T15:04:05Z');
  assert.equal(f('RFC3339Milli'), '2026-01-05T15:04:05.12Z');
  assert.equal(f('RFC3339Nano'), '2026-01-05T15:04:05.1203Z');
  assert.equal(f('RFC1123Z'), 'Mon, 05 Jan 2026 15:04:05 +0000');
  assert.equal(f('Kitchen'), '3:04PM');
  assert.equal(f('YearMonthDayHour'), '2026-01-05T15Z');
  assert.equal(timeFormatter('RFC3339Milli')('2026-01-05T15:04:05Z'), '2026-01-05T15:04:05Z');
  assert.equal(timeFormatter('StampMilli')(undefined), 'N/A');
  assert.equal(timeFormatter('StampMilli')('garbage'), 'N/A');
  assert.equal(timeFormatByName('Fortnight'), undefined);
});

test('tabwriter pads every column but the last to widest + 3', () => {
  assert.equal(alignColumns([['a', 'bb', 'c'], ['dddd', '', 'last cell is not padded']]), 'a      bb   c\ndddd        last cell is not padded\n');
});

test('colour: always and never are explicit; auto needs a TTY and respects NO_COLOR and TERM=dumb', () => {
  assert.equal(shouldColor('always', false, { NO_COLOR: '1' }), true);
  assert.equal(shouldColor('never', true, {}), false);
  assert.equal(shouldColor('auto', true, {}), true);
  assert.equal(shouldColor('auto', false, {}), false);
  assert.equal(shouldColor('auto', true, { NO_COLOR: '1' }), false);
  assert.equal(shouldColor('auto', true, { TERM: 'dumb' }), false);
});
