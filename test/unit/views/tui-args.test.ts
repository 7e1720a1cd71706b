// The TUI command's flags (src/cli/commands/tui.ts): its own flags, filter flags as the
// initial filter, one-line usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTuiArgs } from '../../../src/cli/commands/tui.ts';
import { CliError } from '../../../src/cli/exit-codes.ts';

test('own flags (both --flag value and --flag=value) and filter flags with their values', () => {
  const a = parseTuiArgs(['--demo', '--rate=5000', '--buffer-size', '50000', '-n', 'shop', '--verdict', 'DROPPED', '--refresh', '20', '--not', '--to-port', '53']);
  assert.equal(a.demo, true);
  assert.equal(a.rate, 5000);
  assert.equal(a.bufferSize, 50000);
  assert.equal(a.refresh, 20);
  assert.deepEqual(a.filterArgs, ['-n', 'shop', '--verdict', 'DROPPED', '--not', '--to-port', '53']);
});

test('bad values and unknown flags are usage errors naming the flag', () => {
  const usage = (argv: string[], re: RegExp) =>
    assert.throws(
      () => parseTuiArgs(argv),
      (e: unknown) => e instanceof CliError && e.exitCode === 2 && re.test(e.message),
    );
  usage(['--buffer-size', 'abc'], /invalid value "abc" for flag --buffer-size/);
  usage(['--refresh', '0'], /--refresh/);
  usage(['--rate'], /flag --rate needs a value/);
  usage(['--frobnicate'], /unknown flag "--frobnicate"/);
  usage(['extra'], /unexpected argument "extra"/);
  usage(['--demo', '--file', 'x.json'], /cannot be used together/);
  usage(['--file', '-'], /stdin/);
  usage(['--verdict'], /needs a value/);
});

test('--local and --input-file pick a flow source; two sources at once are refused', () => {
  assert.equal(parseTuiArgs(['--local']).local, true);
  assert.equal(parseTuiArgs(['--input-file', 'flows.json']).file, 'flows.json');
  for (const argv of [['--demo', '--local'], ['--local', '--input-file', 'x.json']]) {
    assert.throws(
      () => parseTuiArgs(argv),
      (e: unknown) => e instanceof CliError && e.exitCode === 2 && /cannot be used together: pick one flow source/.test(e.message),
    );
  }
});
