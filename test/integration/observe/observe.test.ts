// `netscope observe` end to end: spawns bin/netscope as a user would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { until, within } from '../../wait.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = path.join(ROOT, 'bin/netscope');
const GOLDEN = new URL('./golden', import.meta.url).pathname;
const FLOWS = path.join(GOLDEN, 'flows.jsonl');

function run(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): SpawnSyncReturns<string> {
  const env: Record<string, string | undefined> = { ...process.env, TZ: 'UTC', ...opts.env };
  if (!opts.env || !('NO_COLOR' in opts.env)) delete env.NO_COLOR;
  return spawnSync(BIN, ['observe', ...args], { input: opts.input, encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 });
}

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netscope-observe-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const golden = (name: string): string => fs.readFileSync(path.join(GOLDEN, name), 'utf8');

const GOLDEN_CASES: [string, string[]][] = [
  ['hubble-compact.txt', ['-o', 'compact']],
  ['hubble-compact-node-name.txt', ['-o', 'compact', '--print-node-name']],
  ['hubble-compact-namespace-shop.txt', ['-o', 'compact', '--namespace', 'shop']],
  ['hubble-dict.txt', ['-o', 'dict']],
  ['hubble-table.txt', ['-o', 'table']],
  ['hubble-jsonpb.txt', ['-o', 'jsonpb']],
  ['hubble-print-raw-filters-verdict-dropped.txt', ['--verdict', 'DROPPED', '--print-raw-filters']],
];

for (const [file, extra] of GOLDEN_CASES) {
  test(`golden ${file}: same bytes as hubble 1.17`, () => {
    const r = run(['--input-file', FLOWS, '--all', '--color', 'never', ...extra]);
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.equal(r.stdout, golden(file));
  });
}

test('golden hubble-compact-policy-names.txt: --print-policy-names is an unknown flag, exit 2', () => {
  const r = run(['--input-file', FLOWS, '--all', '--color', 'never', '-o', 'compact', '--print-policy-names']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'netscope: ' + golden('hubble-compact-policy-names.txt'));
});

test('-o json output read back from stdin prints the same bytes', () => {
  const first = run(['--input-file', FLOWS, '-o', 'json']);
  assert.equal(first.status, 0);
  const second = run(['--input-file', '-', '-o', 'json'], { input: first.stdout });
  assert.equal(second.status, 0);
  assert.equal(second.stdout, first.stdout);
  const compact = run(['--input-file', '-'], { input: first.stdout });
  assert.equal(compact.stdout, golden('hubble-compact.txt'));
  // --file, as the TUI spells it, is the same flag
  const alias = run(['--file=-'], { input: first.stdout });
  assert.equal(alias.status, 0, alias.stderr);
  assert.equal(alias.stdout, golden('hubble-compact.txt'));
});

test('malformed lines: reported as file:line, skipped, counted, exit 3, the rest printed', () => {
  const lines = fs.readFileSync(FLOWS, 'utf8').trimEnd().split('\n');
  const text = [lines[0], '{"flow": {"verdict": "FORWARDED"', lines[1], '', 'not json at all', lines[2], '{"flow":{"time":"later"}}', lines[3]].join('\n') + '\n';
  const file = tmpFile('mixed.jsonl', text);
  const r = run(['--input-file', file]);
  assert.equal(r.status, 3);
  const out = r.stdout.trimEnd().split('\n');
  assert.deepEqual(out, golden('hubble-compact.txt').split('\n').slice(0, 4));
  const err = r.stderr.trimEnd().split('\n');
  assert.equal(err.length, 4, r.stderr);
  assert.match(err[0]!, new RegExp(`^netscope: ${file}:2: invalid JSON \\(`));
  assert.match(err[1]!, new RegExp(`^netscope: ${file}:5: invalid JSON \\(`));
  assert.equal(err[2], `netscope: ${file}:7: field flow.time: invalid RFC 3339 timestamp "later"`);
  assert.equal(err[3], 'netscope: 3 lines skipped');
});

test('a closed pipe (| head) ends quietly with status 0', async () => {
  const child = spawn(BIN, ['observe', '--demo', '--rate', '500', '--all'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await within('the first demo flow on stdout', 20_000, new Promise<void>((resolve) => child.stdout.once('data', () => resolve())));
  child.stdout.destroy();
  const status = await within('observe to exit after its stdout closed', 20_000, new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code))));
  assert.equal(status, 0);
  assert.equal(stderr, '');
});

test('usage errors: one line naming the culprit, exit 2', () => {
  const cases: [string[], string][] = [
    [['--input-file', FLOWS, '--foo'], 'netscope: unknown flag: --foo\n'],
    [['--input-file', FLOWS, '--verdict', 'NOPE'], 'netscope: invalid --verdict "NOPE": want one of FORWARDED, DROPPED, ERROR, AUDIT, REDIRECTED, TRACED, TRANSLATED\n'],
    [['--input-file', FLOWS, '--last', 'ten'], 'netscope: invalid argument "ten" for "--last" flag: want an integer from 1 to 1000000\n'],
    [['--input-file', FLOWS, '--first', '2', '--last', '2'], 'netscope: cannot set both --first and --last\n'],
    [['--input-file', FLOWS, '-o', 'yaml'], 'netscope: invalid output format: yaml (want compact, dict, table, json or jsonpb)\n'],
    [['--input-file', FLOWS, '--since', 'last tuesday'], 'netscope: invalid argument "last tuesday" for "--since" flag: want a duration (5m, 1h30m) or an RFC 3339 time\n'],
    [['--demo', '-f', '-o', 'table'], 'netscope: table output format is not compatible with follow mode\n'],
    [['--input-file', FLOWS, '--demo'], 'netscope: cannot use --demo and --input-file together\n'],
    [[], 'netscope: no flow source: use --server HOST:PORT, --input-file FILE (or - for stdin), --demo or --local\n'],
  ];
  for (const [args, want] of cases) {
    const r = run(args);
    assert.equal(r.stderr, want, args.join(' '));
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '');
  }
});

test('an unreadable input file: one line, exit 1', () => {
  const r = run(['--input-file', '/nonexistent/flows.jsonl']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'netscope: cannot read /nonexistent/flows.jsonl: no such file\n');
});

test('--last, --first, --since and --until select like hubble', () => {
  const all = golden('hubble-compact.txt').trimEnd().split('\n');
  const lines = (args: string[]): string[] => {
    const r = run(['--input-file', FLOWS, ...args]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout === '' ? [] : r.stdout.trimEnd().split('\n');
  };
  assert.deepEqual(lines(['--last', '2']), all.slice(-2));
  assert.deepEqual(lines(['--first', '2']), all.slice(0, 2));
  assert.deepEqual(lines(['--first', '2', '--verdict', 'DROPPED']), [all[2], all[6]]);
  assert.deepEqual(lines(['--since', '2026-01-01T10:00:04Z']), all.slice(8));
  assert.deepEqual(lines(['--until', '2026-01-01T10:00:00.200Z']), all.slice(0, 2));
  assert.deepEqual(lines(['--since', '2026-01-01T10:00:01Z', '--until', '2026-01-01T10:00:01.004Z']), [all[2], all[4], all[5]]);
  assert.deepEqual(lines(['--since', '1m']), [], 'nothing in the last minute of a 2026-01-01 export');
});

test('colour: never by default into a pipe; --color always paints; --color never and NO_COLOR on a terminal do not', () => {
  assert.ok(!run(['--input-file', FLOWS]).stdout.includes('\u001b['));
  const always = run(['--input-file', FLOWS, '--color', 'always'], { env: { NO_COLOR: '1' } });
  assert.ok(always.stdout.includes('\u001b[32mFORWARDED\u001b[0m'));
  assert.ok(always.stdout.includes('\u001b[31mDROPPED\u001b[0m'));
  // A real terminal through script(1): auto colours, NO_COLOR turns it off.
  const onTty = (env: string): string =>
    spawnSync('script', ['-qec', `${env} TZ=UTC ${BIN} observe --input-file ${FLOWS}`, '/dev/null'], { encoding: 'utf8' }).stdout;
  assert.ok(onTty('env -u NO_COLOR').includes('\u001b[36m'), 'auto colours a terminal');
  assert.ok(!onTty('NO_COLOR=1').includes('\u001b['), 'NO_COLOR is respected');
  assert.ok(!onTty('env -u NO_COLOR').replace(/\u001b\[(3[1-6]|0)m/g, '').includes('\u001b['), 'only SGR colour codes');
});

test('a hostile pod name is printed as visible escapes', () => {
  const line = JSON.stringify({
    flow: {
      time: '2026-01-01T10:00:00Z',
      verdict: 'FORWARDED',
      IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' },
      source: { identity: 300, namespace: 'ns', pod_name: 'evil\u001b]0;owned\u0007\u001b[2J' },
      destination: { identity: 301, namespace: 'ns', pod_name: 'db' },
      is_reply: false,
      Summary: 'bye\r\n',
    },
  });
  const r = run(['--input-file', '-'], { input: line + '\n' });
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'Jan  1 10:00:00.000: ns/evil\\e]0;owned\\x07\\e[2J (ID:300) -> ns/db (ID:301) UNKNOWN FORWARDED (bye\\r\\n)\n');
});

test('--help lists every flag, filters included', () => {
  const r = run(['--help']);
  assert.equal(r.status, 0);
  for (const flag of ['--input-file', '--demo', '--seed', '--rate', '--last', '--first', '--all', '--follow', '--since', '--until', '--output', '--time-format', '--color', '--print-node-name', '--numeric', '--print-raw-filters', '--namespace', '--verdict', '--to-port', '--not']) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});

test('demo: history has forwarded, dropped and L7 flows, and -o json of it round-trips', () => {
  const r = run(['--demo', '--seed', '3', '--last', '3000']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trimEnd().split('\n').length, 3000);
  assert.match(r.stdout, / FORWARDED \(/);
  assert.match(r.stdout, / DROPPED \(/);
  assert.match(r.stdout, / http-(request|response) FORWARDED /);
  assert.match(r.stdout, / dns-(request|response) [a-z]* ?FORWARDED /);
  const json = run(['--demo', '--seed', '3', '--last', '50', '-o', 'json']);
  assert.equal(json.stdout.trimEnd().split('\n').length, 50);
  const back = run(['--input-file', '-', '-o', 'json'], { input: json.stdout });
  assert.equal(back.stdout, json.stdout);
  assert.equal(run(['--demo', '--seed', '3', '--last', '20']).stdout.trimEnd().split('\n').length, 20);
  assert.equal(run(['--demo', '--seed', '3']).stdout.trimEnd().split('\n').length, 20, 'default --last 20 like hubble');
});

test('demo --follow prints history then live flows and stops cleanly on SIGINT', async () => {
  const child = spawn(BIN, ['observe', '--demo', '--follow', '--last', '2', '--rate', '200'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await until('12 lines of demo flows (history, then live)', () => out.split('\n').length > 12, 20_000, 50);
  child.kill('SIGINT');
  const status = await within('observe to exit after SIGINT', 20_000, new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code))));
  assert.equal(status, 0);
  assert.ok(out.split('\n').length > 12);
});
