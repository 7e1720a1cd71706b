// The runner's backstops, checked on a file made to hang: the per-test timeout fails
// the hung test and the watchdog ends the process the hung work keeps open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

test('a hung test fails after the per-test timeout and its file still ends, naming what held it', () => {
  const r = spawnSync(process.execPath, ['--test', '--test-timeout=1500', '--import', join(here, 'watchdog.ts'), join(here, 'fixtures', 'hangs.ts')], {
    encoding: 'utf8',
    timeout: 60_000,
    // Without NODE_TEST_CONTEXT: the inner run is a runner of its own, not a file of ours.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), NETSCOPE_TEST_GRACE_MS: '500' },
  });
  assert.equal(r.error, undefined, 'the run ended by itself');
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /✖ never ends .*\n\s+'test timed out after 1500ms'/);
  assert.match(r.stdout, /✔ after the hung one/);
  assert.match(r.stdout, /ℹ tests 2\n/);
  assert.match(r.stdout + r.stderr, /test watchdog: .*hangs\.ts still running 0\.5 s after its tests ended \(held by: .*TCPServerWrap.*\); exiting/);
});
