// Loaded into every test file's process (`--import`, see package.json): once the file's
// tests and hooks are over, a process still held open by a handle (a child, a socket,
// a timer) exits after a grace period, naming what held it, instead of hanging the
// suite. The per-test timeout (--test-timeout) ends a test that hangs; this ends a file
// whose hung work outlived its tests. Its results are already reported by then (stdout
// to the runner is a pipe: written synchronously).
import { after } from 'node:test';

const GRACE_MS = Number(process.env['NETSCOPE_TEST_GRACE_MS'] ?? 15_000);

after(() => {
  setTimeout(() => {
    const held = [...new Set(process.getActiveResourcesInfo())].filter((r) => r !== 'TTYWrap').join(', ');
    process.stderr.write(`test watchdog: ${process.argv[1] ?? 'test file'} still running ${GRACE_MS / 1000} s after its tests ended (held by: ${held}); exiting\n`);
    process.exit(process.exitCode ?? 0);
  }, GRACE_MS).unref();
});
