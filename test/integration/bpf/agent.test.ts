// `netscope agent --no-cluster` on the network-namespace lab (root): a gRPC client
// (`netscope observe --server`) reads the same lab connection flows as `observe --local`
// prints; /healthz answers; the project's Peer client reads Notify as Hubble Relay does.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { firstValueFrom, take, timeout } from 'rxjs';
import { Lab, REPO_ROOT } from '../../lab/lab.ts';
import { watchPeers } from '../../../src/grpc/peer-client.ts';
import { createObserverClient } from '../../../src/grpc/client.ts';
import { makePki } from '../grpc/certs.ts';
import { freePort, startNetscope, type Proc } from '../agent/helpers.ts';
import { within } from '../../wait.ts';

let lab: Lab | undefined;
const procs: Proc[] = [];
after(async () => {
  for (const p of procs) await p.stop('SIGKILL');
  lab?.destroy();
});

function netscope(args: string[]): Proc {
  const p = startNetscope(args);
  procs.push(p);
  return p;
}

interface JsonFlow {
  time: string;
  IP: { source: string; destination: string };
  l4?: { TCP?: { source_port: number; destination_port: number; flags?: Record<string, boolean> } };
  verdict: string;
  traffic_direction?: string;
  is_reply?: boolean;
  Type?: string;
}

/** What both readers must agree on for a flow between the lab's addresses. */
function tuple(f: JsonFlow): string {
  const flags = Object.keys(f.l4?.TCP?.flags ?? {}).filter((k) => f.l4?.TCP?.flags?.[k]).sort().join(',');
  return [f.IP.source, f.l4?.TCP?.source_port, f.IP.destination, f.l4?.TCP?.destination_port, f.verdict, f.traffic_direction ?? '', f.is_reply === true, flags].join(' ');
}

/**
 * A connection's close summary (FIN or RST): every collector writes exactly one per side.
 * Whether a short connection also gets an open flow depends on where the loader's read
 * batches fall (an open and its close in one batch are merged), so two collectors
 * attached at the same time need not agree on opens.
 */
const isClose = (f: JsonFlow): boolean => f.l4?.TCP?.flags?.['FIN'] === true || f.l4?.TCP?.flags?.['RST'] === true;

function flowsIn(out: string, from: number, ips: Set<string>): JsonFlow[] {
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { flow?: JsonFlow }).flow)
    .filter((f): f is JsonFlow => f !== undefined && Date.parse(f.time) >= from && ips.has(f.IP.source) && ips.has(f.IP.destination));
}

async function healthz(port: number): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.text() };
}

test('agent --no-cluster serves the lab flows observe --local prints; /healthz says 200 once attached', async () => {
  spawnSync('bash', [join(REPO_ROOT, 'scripts/build-bpf.sh')], { stdio: 'inherit' });
  lab = Lab.create(['client', 'echo']);
  await lab.startAgent('echo', 'echo-server', ['7000']);
  const echo = lab.pod('echo').ip;
  const ips = new Set([lab.pod('client').ip, echo]);
  const port = await freePort();
  const hport = await freePort();
  const agent = netscope(['agent', '--no-cluster', '--node-name', 'lab-node', '--listen', `127.0.0.1:${port}`, '--health-listen', `127.0.0.1:${hport}`]);
  await agent.waitErr('the agent to serve', /serving Observer and Peer on 127\.0\.0\.1:\d+ \(plaintext\), node lab-node/);
  await agent.waitErr('the agent\'s collector to attach', /eBPF collector attached on lab-node/);
  const h = await healthz(hport);
  assert.equal(h.status, 200, h.body);
  assert.match(h.body, /^ok: eBPF collector attached on lab-node: \d+ programs .*; serving on 127\.0\.0\.1:\d+\n$/);

  const filter = ['--to-ip', echo, '--to-port', '7000'];
  const remote = netscope(['observe', '--server', `127.0.0.1:${port}`, '-o', 'json', '--follow', ...filter]);
  const local = netscope(['observe', '--local', '-o', 'json', '--follow', ...filter]);
  // Neither prints an "attached" line on stdout: connect until both have printed a flow (bounded).
  const warmEnd = Date.now() + 30_000;
  while (!(remote.stdout().includes('"flow"') && local.stdout().includes('"flow"'))) {
    if (Date.now() > warmEnd) throw new Error(`no flow from both readers in 30 s; remote stderr: ${remote.stderr()}; local stderr: ${local.stderr()}`);
    await lab.runAgent('client', 'tcp-client', [echo, '7000', '1', '10']);
  }
  // Both attached: the connections from here on must reach both the same way.
  const from = Date.now() + 1;
  await new Promise((r) => setTimeout(r, 5));
  for (let i = 0; i < 5; i++) await lab.runAgent('client', 'tcp-client', [echo, '7000', '1', '10']);
  const sameEnd = Date.now() + 20_000;
  const view = (p: Proc): string[] => flowsIn(p.stdout(), from, ips).filter(isClose).map(tuple).sort();
  while (view(local).length < 5 || view(remote).join('\n') !== view(local).join('\n')) {
    if (Date.now() > sameEnd) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(view(local).length >= 5, `observe --local printed ${view(local).length} flows for 5 connections`);
  assert.deepEqual(view(remote), view(local), 'the agent over gRPC and observe --local disagree');
  const served = flowsIn(remote.stdout(), from, ips)[0]!;
  assert.equal((JSON.parse(remote.stdout().split('\n').find((l) => l.includes(served.time))!) as { node_name: string }).node_name, 'lab-node');
  for (const p of [remote, local]) assert.equal(await p.stop(), 0, p.stderr());
  assert.equal(await agent.stop(), 0, agent.stderr());
});

test('Peer.Notify, read with the project\'s Peer client as Hubble Relay does: address and Cilium-style TLS server name', async (t) => {
  spawnSync('bash', [join(REPO_ROOT, 'scripts/build-bpf.sh')], { stdio: 'inherit' });
  const pki = makePki();
  t.after(() => pki.cleanup());
  const port = await freePort();
  const agent = netscope([
    'agent', '--no-cluster', '--node-name', 'node-a.example', '--health-listen', 'off', '--listen', `127.0.0.1:${port}`,
    '--tls-cert-file', pki.serverCert, '--tls-key-file', pki.serverKey,
  ]);
  await agent.waitErr('the agent to serve TLS', /serving Observer and Peer on .*\(TLS, server name node-a-example\.default\.hubble-grpc\.cilium\.io\)/);
  const tls = { caFiles: [pki.ca], allowInsecure: false, serverName: 'node-a-example.default.hubble-grpc.cilium.io' };
  const peer = await within('Peer.Notify to list the agent', 15_000, firstValueFrom(watchPeers(`127.0.0.1:${port}`, tls).pipe(take(1), timeout(14_000))));
  assert.deepEqual(peer, { name: 'node-a.example', address: `127.0.0.1:${port}`, type: 'PEER_ADDED', tlsServerName: 'node-a-example.default.hubble-grpc.cilium.io' });
  // What Relay does next: dial the advertised address, verifying the advertised name.
  const client = createObserverClient({ target: peer.address, tls: { ...tls, serverName: peer.tlsServerName } });
  t.after(() => client.close());
  const nodes = (await client.getNodes()).nodes as { name: string; tls?: { enabled: boolean; server_name: string } }[];
  assert.equal(nodes[0]!.name, 'node-a.example');
  assert.deepEqual({ ...nodes[0]!.tls }, { enabled: true, server_name: 'node-a-example.default.hubble-grpc.cilium.io' });
  assert.equal(await agent.stop(), 0, agent.stderr());
});
