// `netscope observe --local` end to end: the real CLI, the real collector, lab traffic.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Lab, REPO_ROOT } from '../../lab/lab.ts';
import { within } from '../../wait.ts';

const NETSCOPE = join(REPO_ROOT, 'bin', 'netscope');
let lab: Lab | undefined;
after(() => lab?.destroy());

test('observe --local -o json prints the lab connection matching the filter, then stops at --first', async () => {
  spawnSync('bash', [join(REPO_ROOT, 'scripts/build-bpf.sh')], { stdio: 'inherit' });
  lab = Lab.create(['client', 'echo']);
  await lab.startAgent('echo', 'echo-server', ['7000']);
  const cli = spawn(NETSCOPE, ['observe', '--local', '-o', 'json', '--to-ip', lab.pod('echo').ip, '--to-port', '7000', '--first', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
  cli.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = once(cli, 'exit');
  // The CLI gives no "attached" signal on stdout: keep connecting until it has printed
  // one, for a bounded time (a collector that never reports a connection must fail the
  // test, not hang the suite).
  let stop = false;
  void exited.then(() => (stop = true));
  const deadline = Date.now() + 30_000;
  while (!stop && Date.now() < deadline) await lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7000', '1', '10']);
  if (!stop) cli.kill('SIGTERM');
  const [code] = (await within('observe --local to exit after SIGTERM', 10_000, exited)) as [number];
  assert.ok(stop, `observe --local printed no flow to ${lab.pod('echo').ip}:7000 in 30 s of connections; stderr: ${err}`);
  assert.equal(code, 0, err);
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 1);
  const flow = (JSON.parse(lines[0]!) as { flow: Record<string, unknown> }).flow as {
    IP: { source: string; destination: string };
    l4: { TCP: { destination_port: number } };
    verdict: string;
    node_name: string;
  };
  assert.equal(flow.IP.source, lab.pod('client').ip);
  assert.equal(flow.IP.destination, lab.pod('echo').ip);
  assert.equal(flow.l4.TCP.destination_port, 7000);
  assert.equal(flow.verdict, 'FORWARDED');
});

test('observe --local without privileges: one line naming the missing capabilities, status 1', () => {
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', NETSCOPE, 'observe', '--local'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr,
    'netscope: eBPF collector lacks privileges: missing capabilities: CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN (run as root or grant CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)\n',
  );
});

test('--local with another source is a usage error', () => {
  const r = spawnSync(NETSCOPE, ['observe', '--local', '--demo'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'netscope: cannot use --local and --demo together\n');
});
