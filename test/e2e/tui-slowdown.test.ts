// The demo's slowdown must stand out in the latency pane within a minute of the change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROMPT, TmuxSession, paneLines } from './tmux.ts';

test('the service that slows down is flagged and sorted first in the latency pane', async () => {
  const s = new TmuxSession({ width: 120, height: 40, term: 'tmux-256color' });
  try {
    await s.waitFor((x) => x.includes(PROMPT), 'the shell prompt');
    s.run('bin/netscope --demo --history 120 --slowdown-after 5; echo EXIT=$?');
    const before = await s.waitFor((x) => /shop\/productcatalog/.test(x), 'latency rows');
    assert.ok(!paneLines(before, 'Latency').some((l) => /▲ shop\/productcatalog/.test(l)), 'not flagged before the slowdown');
    // 5 s until the change plus at most a minute to show it.
    const after = await s.waitFor((x) => /▲ shop\/productcatalog/.test(paneLines(x, 'Latency')[1] ?? ''), 'productcatalogservice flagged on the first row', 65_000);
    assert.match(paneLines(after, 'Latency')[1], /▲ shop\/productcatalog/);
    s.type('q');
    assert.match(await s.waitFor((x) => /EXIT=\d/.test(x), 'exit'), /EXIT=0/);
  } finally {
    s.close();
  }
});
