// The agent in a pod: its cluster source reads the service account (HTTPS with the
// account's CA, its bearer token) and never loads @kubernetes/client-node, whose import
// alone costs ~77 MB of RSS in the checkout. Run in a child process so that what this
// test process already imported does not count, with a resolve hook that names every
// import of client-node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AGENT_LIST_PAGE } from '../../../src/cli/commands/agent-run.ts';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FakeApiServer } from '../../fake-apiserver/server.ts';
import { namespace, pod } from '../../fake-apiserver/fixtures.ts';
import { tempDir, writeServiceAccount } from '../../fake-apiserver/kubeconfig.ts';
import { makeSelfSignedCert } from '../../fake-apiserver/tls.ts';
import { REPO_ROOT } from '../../lab/lab.ts';

const HOOK = `
import { registerHooks } from 'node:module';
registerHooks({ resolve(spec, ctx, next) {
  if (spec.includes('@kubernetes/client-node')) process.stdout.write('IMPORTED client-node from ' + ctx.parentURL + '\\n');
  return next(spec, ctx);
} });
`;

// The agent's own choice of source (agentSourceOptions), opened as runAgent opens it,
// with a file of one flow in place of the eBPF collector; prints the enriched flow.
const PROBE = `
import { agentSourceOptions } from ${JSON.stringify(join(REPO_ROOT, 'src/cli/commands/agent-run.ts'))};
import { openSource } from ${JSON.stringify(join(REPO_ROOT, 'src/sources/open.ts'))};
const o = agentSourceOptions({ nodeName: 'node-1', listen: [], insecure: true, cluster: true, clusterName: 'default', serviceAccountDir: process.env.SA_DIR });
if (o.kind !== 'cluster') throw new Error('not a cluster source');
const sub = openSource({ ...o, flows: { kind: 'file', path: process.env.FLOWS } }).subscribe((ev) => {
  if (ev.kind === 'status') process.stdout.write('STATUS ' + ev.state + ' ' + (ev.message ?? '') + '\\n');
  if (ev.kind === 'flow') {
    process.stdout.write('FLOW ' + JSON.stringify({ pod: ev.flow.source?.pod_name, ns: ev.flow.source?.namespace }) + '\\n');
    sub.unsubscribe();
    process.exit(0);
  }
});
setTimeout(() => { process.stdout.write('TIMEOUT\\n'); process.exit(1); }, 30000);
`;

test('in a pod the agent names flows from the service account, over HTTPS with its token, without client-node', async () => {
  const tls = makeSelfSignedCert();
  const server = new FakeApiServer({ tls, token: 'sa-token' });
  server.apply('namespaces', namespace('shop'));
  server.apply('pods', pod('shop', 'web-1', '10.244.1.10', { labels: { app: 'web' }, node: 'node-1' }));
  const url = new URL(await server.start());
  const dir = tempDir();
  try {
    const sa = writeServiceAccount(join(dir, 'serviceaccount'), { token: 'sa-token\n', ca: tls.cert, namespace: 'netscope\n' });
    const flows = join(dir, 'flows.jsonl');
    writeFileSync(flows, `${JSON.stringify({ flow: { time: '2026-01-01T00:00:00Z', IP: { source: '10.244.1.10', destination: '1.1.1.1' } } })}\n`);
    writeFileSync(join(dir, 'hook.mjs'), HOOK);
    writeFileSync(join(dir, 'probe.ts'), PROBE);
    const env = { PATH: process.env.PATH, HOME: dir, KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port, SA_DIR: sa, FLOWS: flows };
    const { stdout } = await promisify(execFile)(process.execPath, ['--disable-warning=ExperimentalWarning', '--import', join(dir, 'hook.mjs'), join(dir, 'probe.ts')], { env, timeout: 60_000 });
    assert.doesNotMatch(stdout, /IMPORTED client-node/);
    const flow = stdout.split('\n').find((l) => l.startsWith('FLOW '));
    assert.ok(flow, stdout);
    assert.deepEqual(JSON.parse(flow.slice(5)), { pod: 'web-1', ns: 'shop' });
    assert.match(stdout, /STATUS connected context inClusterContext: 1 namespaces/);
    // The agent lists in its own page size (AGENT_LIST_PAGE), not the reflector's default.
    const lists = server.requests.filter((r) => r.path.endsWith('/pods') && r.query.get('watch') === null);
    assert.ok(lists.length > 0);
    for (const r of lists) assert.equal(r.query.get('limit'), String(AGENT_LIST_PAGE));
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
