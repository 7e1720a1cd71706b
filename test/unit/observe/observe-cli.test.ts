import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration, parseTimeBound } from '../../../src/cli/durations.ts';
import { parseObserveArgs } from '../../../src/cli/observe-args.ts';
import { Selection } from '../../../src/cli/observe-selection.ts';
import { CliError } from '../../../src/cli/exit-codes.ts';
import { parseTimestamp } from '../../../src/codec/timestamp.ts';
import type { SourceEvent } from '../../../src/model/source.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');

test('Go durations and hubble time forms', () => {
  assert.equal(parseGoDuration('5m'), 300e9);
  assert.equal(parseGoDuration('1h30m'), 5400e9);
  assert.equal(parseGoDuration('1.5h'), 5400e9);
  assert.equal(parseGoDuration('300ms'), 300e6);
  assert.equal(parseGoDuration('-2s'), -2e9);
  assert.equal(parseGoDuration('5'), undefined);
  assert.equal(parseGoDuration('5 m'), undefined);
  assert.deepEqual(parseTimeBound('1h', NOW), parseTimestamp('2026-01-01T11:00:00Z'));
  assert.deepEqual(parseTimeBound('2026-01-01', NOW), parseTimestamp('2026-01-01T00:00:00Z'));
  assert.deepEqual(parseTimeBound('2026-01-01T10Z', NOW), parseTimestamp('2026-01-01T10:00:00Z'));
  assert.deepEqual(parseTimeBound('2026-01-01T10:30+01:00', NOW), parseTimestamp('2026-01-01T09:30:00Z'));
  assert.deepEqual(parseTimeBound('Thu, 01 Jan 2026 10:00:00 +0000', NOW), parseTimestamp('2026-01-01T10:00:00Z'));
  assert.equal(parseTimeBound('soon', NOW), undefined);
});

test('observe flags: values, aliases, filters mixed in', () => {
  const cfg = parseObserveArgs(['--input-file=-', '-o', 'json', '--verdict', 'DROPPED', '-f', '--last=5', '--time-format', 'rfc3339', '-n', 'shop', '--color=ALWAYS'], NOW);
  assert.equal(cfg.source.inputFile, '-');
  assert.equal(cfg.output, 'json');
  assert.equal(cfg.follow, true);
  assert.equal(cfg.last, 5);
  assert.equal(cfg.timeFormat, 'RFC3339');
  assert.equal(cfg.color, 'always');
  assert.equal(cfg.filters.allow.length, 2);
  assert.deepEqual(cfg.filters.allow[0]!.verdict, ['DROPPED']);
});

test('observe flags: errors are usage errors with one clear line', () => {
  const bad: [string[], string][] = [
    [['--input-file'], 'flag needs an argument: --input-file'],
    [['--demo', '--first', '0'], 'invalid argument "0" for "--first" flag: want an integer from 1 to 9007199254740991'],
    [['--demo', '--time-format', 'Fortnight'], 'invalid argument "Fortnight" for "--time-format" flag: want one of StampMilli, Stamp, StampMicro, StampNano, RFC3339, RFC3339Milli, RFC3339Micro, RFC3339Nano, RFC1123Z, Kitchen, YearMonthDay, YearMonthDayHour, YearMonthDayHourMinute'],
    [['--demo', '-x'], "unknown shorthand flag: 'x' in -x"],
    [['--demo', 'flows.json'], 'unexpected argument "flows.json" (observe takes only flags; see netscope observe --help)'],
    [['--demo', '--first', '3', '--follow'], 'cannot set both --first and --follow'],
    [['--demo', '--last', '3', '--all'], 'cannot set both --last and --all'],
  ];
  for (const [args, msg] of bad) {
    assert.throws(() => parseObserveArgs(args, NOW), (err: unknown) => err instanceof CliError && err.exitCode === 2 && err.message === msg, args.join(' '));
  }
});

const flowAt = (time: string, verdict: 'FORWARDED' | 'DROPPED' = 'FORWARDED'): SourceEvent => ({ kind: 'flow', flow: { time, verdict } });

function collect(sel: Selection, events: SourceEvent[]): string[] {
  const out: string[] = [];
  const emit = (ev: SourceEvent): void => void out.push(ev.kind === 'flow' ? `${ev.flow.time} ${ev.flow.verdict}` : ev.kind);
  for (const ev of events) sel.offer(ev, emit);
  sel.finish(emit);
  return out;
}

test('selection: --last keeps the newest N in order, lost events travel with them', () => {
  const evs = [1, 2, 3, 4, 5].map((s) => flowAt(`2026-01-01T00:00:0${s}Z`));
  const sel = new Selection({ mode: { kind: 'last', n: 2 }, pass: () => true });
  assert.deepEqual(collect(sel, evs), ['2026-01-01T00:00:04Z FORWARDED', '2026-01-01T00:00:05Z FORWARDED']);
  const withLost = new Selection({ mode: { kind: 'last', n: 3 }, pass: () => true });
  assert.deepEqual(collect(withLost, [evs[0]!, { kind: 'lost', lost: { num_events_lost: 1 } }, evs[1]!]), ['2026-01-01T00:00:01Z FORWARDED', 'lost', '2026-01-01T00:00:02Z FORWARDED']);
});

test('selection: --first stops after N matching flows; filter and window apply first', () => {
  const evs = [flowAt('2026-01-01T00:00:01Z', 'DROPPED'), flowAt('2026-01-01T00:00:02Z'), flowAt('2026-01-01T00:00:03Z', 'DROPPED'), flowAt('2026-01-01T00:00:04Z', 'DROPPED')];
  const sel = new Selection({ mode: { kind: 'first', n: 1 }, since: parseTimestamp('2026-01-01T00:00:02Z'), pass: (f) => f.verdict === 'DROPPED' });
  assert.deepEqual(collect(sel, evs), ['2026-01-01T00:00:03Z DROPPED']);
  assert.equal(sel.satisfied, true);
});

test('selection: following, --last N applies to history, live flows print as they come', () => {
  const sel = new Selection({ mode: { kind: 'last', n: 1 }, pass: () => true, liveFrom: parseTimestamp('2026-01-01T00:00:10Z') });
  const out: string[] = [];
  const emit = (ev: SourceEvent): void => void out.push(ev.kind === 'flow' ? ev.flow.time! : ev.kind);
  sel.offer(flowAt('2026-01-01T00:00:01Z'), emit);
  sel.offer(flowAt('2026-01-01T00:00:02Z'), emit);
  assert.deepEqual(out, []);
  sel.offer(flowAt('2026-01-01T00:00:11Z'), emit);
  sel.offer(flowAt('2026-01-01T00:00:12Z'), emit);
  assert.deepEqual(out, ['2026-01-01T00:00:02Z', '2026-01-01T00:00:11Z', '2026-01-01T00:00:12Z']);
});

test('output buffer: batches writes and asks for a pause while the target is backed up', async () => {
  const { OutputBuffer } = await import('../../../src/cli/output-buffer.ts');
  const writes: string[] = [];
  let drain: (() => void) | undefined;
  const target = {
    writableLength: 0,
    write(chunk: string): boolean {
      writes.push(chunk);
      return true;
    },
    once(_event: 'drain', listener: () => void): void {
      drain = listener;
    },
  };
  const out = new OutputBuffer(target, 10);
  out.write('abc');
  out.write('def');
  assert.deepEqual(writes, []);
  out.write('ghij');
  assert.deepEqual(writes, ['abcdefghij'], 'one write per batch');
  assert.equal(out.ready(), undefined);
  target.writableLength = 5 << 20;
  out.write('x');
  const wait = out.ready();
  assert.ok(wait instanceof Promise);
  assert.deepEqual(writes, ['abcdefghij', 'x'], 'ready() flushes first');
  target.writableLength = 0;
  drain!();
  await wait;
});
