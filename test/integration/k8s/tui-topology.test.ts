// The topology pane on a live (fake) cluster with no flows yet: the services and pods of
// the cluster model are on the map, marked idle, pods listed under their service; a new
// service appears as the model follows the cluster; the filter narrows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { TmuxSession, paneLines } from '../../e2e/tmux.ts';
import { FakeApiServer } from '../../fake-apiserver/server.ts';
import { endpointSlice, namespace, node, pod, service } from '../../fake-apiserver/fixtures.ts';
import { tempDir, writeKubeconfig } from '../../fake-apiserver/kubeconfig.ts';

test('TUI topology shows the cluster model idle before any flow', async () => {
  const server = new FakeApiServer({ user: 'bob' });
  server.apply('namespaces', namespace('shop'));
  server.apply('nodes', node('node-1', '192.168.0.1'));
  server.apply('pods', pod('shop', 'web-5d9f8c7b6-abcde', '10.0.0.1', { labels: { app: 'web' }, owner: 'Deployment/web' }));
  server.apply('services', service('shop', 'web', '10.96.0.10'));
  server.apply('endpointslices', endpointSlice('shop', 'web', [{ ip: '10.0.0.1', pod: 'web-5d9f8c7b6-abcde' }]));
  const url = await server.start();
  const dir = tempDir();
  const kc = writeKubeconfig(dir, 'config', [{ name: 'fake', server: url, namespace: 'shop' }]);
  const tmux = new TmuxSession({ width: 120, height: 30, term: 'xterm-256color', env: { NO_COLOR: '1', HOME: dir, KUBECONFIG: kc } });
  const topo = (s: string): string[] => paneLines(s, 'Topology').map((l) => l.trimEnd());
  try {
    tmux.run('bin/netscope');
    // The map: an idle service is a dashed box (no colour here) in its namespace band.
    await tmux.waitFor((s) => topo(s).some((l) => /^╎ web +╎$/.test(l)), 'the idle service on the map');
    await tmux.expect((s) => assert.ok(topo(s).some((l) => /^╌ shop ╌/.test(l)), topo(s).join('\n')), 'the namespace band');
    server.apply('pods', pod('shop', 'cart-0', '10.0.0.2', { labels: { app: 'cart' }, owner: 'StatefulSet/cart' }));
    server.apply('services', service('shop', 'cart', '10.96.0.11'));
    server.apply('endpointslices', endpointSlice('shop', 'cart', [{ ip: '10.0.0.2', pod: 'cart-0' }]));
    await tmux.waitFor((s) => topo(s).some((l) => /╎ cart +╎/.test(l)), 'a new service appears on the map');
    // The list says the same in words.
    tmux.type('1');
    tmux.type('m');
    await tmux.waitFor((s) => topo(s).some((l) => /^● web +no traffic$/.test(l)) && topo(s).some((l) => /^● cart +no traffic$/.test(l)), 'the idle services in the list');
    let screen = await tmux.expect((s) => assert.ok(topo(s).includes('shop'), topo(s).join('\n')), 'grouped by namespace');
    tmux.type('l');
    screen = await tmux.waitFor((s) => /Topology \[pod\]/.test(s) && topo(s).some((l) => l.trim() === 'svc web'), 'pod level');
    const lines = topo(screen);
    const at = lines.findIndex((l) => l.trim() === 'svc web');
    assert.match(lines[at + 1], /^● web-5d9f8c7b6-abcde +no traffic$/, lines.join('\n'));
    tmux.type('/');
    await tmux.waitFor((s) => s.includes('filter>'), 'the filter bar');
    tmux.type('--namespace other');
    tmux.keys('Enter');
    await tmux.waitFor((s) => /filter: --namespace other/.test(s) && topo(s).some((l) => l.includes('no traffic yet')) && !topo(s).some((l) => l.includes('web')), 'the filter hides them');
    tmux.type('q');
    await tmux.waitFor((s) => s.includes('E2E-PROMPT$'), 'quit back to the shell');
  } finally {
    tmux.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
});
