// The TUI on a live (fake) cluster: the cluster is the default source with a
// kubeconfig, :pods lists the model and follows changes, y shows YAML, a 403 shows
// in a banner, :ctx lists contexts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { TmuxSession } from '../../e2e/tmux.ts';
import { FakeApiServer } from '../../fake-apiserver/server.ts';
import { namespace, networkPolicy, node, pod } from '../../fake-apiserver/fixtures.ts';
import { tempDir, writeKubeconfig } from '../../fake-apiserver/kubeconfig.ts';

test('TUI resource views follow the cluster model', async () => {
  const server = new FakeApiServer({ user: 'bob' });
  server.apply('namespaces', namespace('shop'));
  server.apply('nodes', node('node-1', '192.168.0.1'));
  server.apply('pods', pod('shop', 'web-1', '10.0.0.1', { labels: { app: 'web' }, owner: 'Deployment/web' }));
  server.apply('networkpolicies', networkPolicy('shop', 'deny'));
  server.restrict('networkpolicies');
  const url = await server.start();
  const dir = tempDir();
  const kc = writeKubeconfig(dir, 'config', [
    { name: 'fake', server: url, namespace: 'shop' },
    { name: 'other', server: 'http://127.0.0.1:9' },
  ]);
  const tmux = new TmuxSession({ width: 120, height: 30, term: 'xterm-256color', env: { NO_COLOR: '1', HOME: dir, KUBECONFIG: kc } });
  // Escape followed at once by `:` reads as Alt-: in a terminal: leave a gap, as a person does.
  const escape = async (): Promise<void> => {
    tmux.keys('Escape');
    await new Promise((r) => setTimeout(r, 150));
  };
  try {
    tmux.run('bin/netscope');
    await tmux.waitFor((s) => s.includes('agents warning') && s.includes('no netscope agent pods'), 'the missing flow source (no relay, no agents) in the status line');
    // The palette completes names from the cluster model.
    tmux.type(':web-');
    await tmux.waitFor((s) => s.includes('shop/web-1'), 'palette offers the pod');
    await escape();
    tmux.type(':pods');
    tmux.keys('Enter');
    let screen = await tmux.waitFor((s) => /shop\s+web-1\s+1\/1\s+Running/.test(s), ':pods lists web-1');
    assert.match(screen, /Pods \(all namespaces\)/);
    assert.match(screen, /no access to networkpolicies \(403 Forbidden\)/, 'banner says what cannot be seen');
    server.apply('pods', pod('shop', 'cart-0', '10.0.0.2', { labels: { app: 'cart' }, owner: 'StatefulSet/cart' }));
    screen = await tmux.waitFor((s) => /shop\s+cart-0\s+1\/1\s+Running\s+0\s+10\.0\.0\.2\s+node-1\s+StatefulSet\/cart/.test(s), 'a new pod appears');
    server.remove('pods', 'shop', 'web-1');
    await tmux.waitFor((s) => !s.includes('web-1') && s.includes('1 pods'), 'a deleted pod disappears');
    // :ns Enter: views opened afterwards show that namespace.
    await escape();
    tmux.type(':ns');
    tmux.keys('Enter');
    await tmux.waitFor((s) => /shop\s+Active\s+1/.test(s), ':ns lists shop with its pod count');
    tmux.keys('Enter');
    await tmux.waitFor((s) => s.includes('namespace shop: :pods :svc :netpol now open on it'), 'namespace chosen');
    await escape();
    tmux.type(':pods');
    tmux.keys('Enter');
    await tmux.waitFor((s) => s.includes('Pods (shop)') && s.includes('cart-0'), ':pods opens on shop');
    tmux.type('y');
    await tmux.waitFor((s) => /^│ {2}name: cart-0/m.test(s) && s.includes('YAML'), 'YAML of cart-0');
    await escape();
    tmux.type(':ctx');
    tmux.keys('Enter');
    screen = await tmux.waitFor((s) => /\*\s+fake\s+fake-cluster/.test(s), ':ctx lists contexts');
    assert.match(screen, /other\s+other-cluster/);
    // Switch context without restarting: the (dead) other cluster says so in one line.
    tmux.type('j');
    tmux.keys('Enter');
    await tmux.waitFor((s) => /context other: API server http:\/\/127\.0\.0\.1:9 unreachable \(connection refused\)/.test(s), 'switched context reported');
    await escape();
    tmux.type('q');
    await tmux.waitFor((s) => s.includes('E2E-PROMPT$'), 'quit back to the shell');
  } finally {
    tmux.close();
    await server.stop();
    // The pane's shell may still be writing its history into HOME as tmux goes away.
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
});
