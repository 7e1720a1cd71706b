// When open records are written (runs as root in CI). By default a connection's
// open record comes from the loader's periodic scan of the socket storage, only
// once it has been established for 50 ms, stamped with its establishment time;
// --all-opens (allOpens) writes every open at establishment.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Lab, REPO_ROOT, leftoverNamespaces } from '../../lab/lab.ts';
import { runCollector, type CollectorOptions } from '../../../src/bpf-bridge/loader-process.ts';
import type { Flow } from '../../../src/model/flow.ts';

let lab: Lab;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs the collector around `work` and returns the flows between lab addresses. */
async function collect(opts: CollectorOptions, work: () => Promise<void>): Promise<Flow[]> {
  const flows: Flow[] = [];
  let ready!: () => void;
  const attached = new Promise<void>((r) => (ready = r));
  let finished!: (err?: unknown) => void;
  const done = new Promise<unknown>((r) => (finished = r));
  const sub = runCollector(opts).subscribe({
    next: (e) => {
      if (e.kind === 'status' && e.state === 'connected') ready();
      if (e.kind === 'flow' && e.flow.IP?.source?.startsWith('10.231.0.') && e.flow.IP.destination?.startsWith('10.231.0.')) flows.push(e.flow);
    },
    error: (err: unknown) => {
      ready();
      finished(err);
    },
    complete: () => finished(),
  });
  await attached;
  await work();
  await sleep(400); // the loader reads every 50 ms
  sub.unsubscribe();
  await Promise.race([done, sleep(2000)]);
  return flows;
}

const ms = (f: Flow): number => Date.parse(f.time!);

before(async () => {
  execFileSync('bash', [`${REPO_ROOT}/scripts/build-bpf.sh`], { stdio: 'inherit' });
  lab = Lab.create(['client', 'echo']);
  await lab.startAgent('echo', 'echo-server', ['7000']);
});

after(() => {
  const prefix = lab?.prefix;
  lab?.destroy();
  if (prefix) assert.deepEqual(leftoverNamespaces(prefix), [], 'lab namespaces removed');
});

test('a connection idle after its handshake is reported once per side, stamped when it opened', async () => {
  let port = 0;
  const flows = await collect({ noDrops: true }, async () => {
    const r = await lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7000', '1', '10', '600']);
    port = (JSON.parse(r.stdout) as { ports: number[] }).ports[0]!;
  });
  const mine = flows.filter((f) => f.Type === 'L3_L4' && (f.l4?.TCP?.source_port === port || f.l4?.TCP?.destination_port === port));
  const opens = mine.filter((f) => f.l4?.TCP?.flags?.SYN);
  const closes = mine.filter((f) => f.l4?.TCP?.flags?.FIN);
  assert.equal(opens.length, 2, `one open per side (${opens.length})`);
  assert.equal(closes.length, 2, `one close per side (${closes.length})`);
  const clientOpen = opens.find((f) => f.IP?.source === lab.pod('client').ip)!;
  const clientClose = closes.find((f) => f.IP?.source === lab.pod('client').ip)!;
  // Held 600 ms after the echo: the open carries the handshake's time, not the scan's.
  assert.ok(ms(clientClose) - ms(clientOpen) >= 550, `open ${clientOpen.time} close ${clientClose.time}`);
  assert.ok((clientOpen.netscope?.connect_latency_ns ?? 0) > 0);
});

test('allOpens: even connections closed within milliseconds get their open flow on both sides', async () => {
  let ports: number[] = [];
  const flows = await collect({ noDrops: true, allOpens: true }, async () => {
    const r = await lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7000', '3', '10']);
    ports = (JSON.parse(r.stdout) as { ports: number[] }).ports;
  });
  assert.equal(ports.length, 3);
  for (const port of ports) {
    const mine = flows.filter((f) => f.Type === 'L3_L4' && (f.l4?.TCP?.source_port === port || f.l4?.TCP?.destination_port === port));
    const syn = mine.find((f) => f.IP?.source === lab.pod('client').ip && f.l4?.TCP?.flags?.SYN && !f.l4.TCP.flags.ACK);
    const synAck = mine.find((f) => f.IP?.source === lab.pod('echo').ip && f.l4?.TCP?.flags?.SYN && f.l4.TCP.flags.ACK);
    assert.ok(syn && synAck, `port ${port}: open flows on both sides (${mine.length} flows)`);
    const close = mine.find((f) => f.IP?.source === lab.pod('client').ip && f.l4?.TCP?.flags?.FIN);
    assert.equal(syn.netscope?.connect_latency_ns, close?.netscope?.connect_latency_ns);
  }
});
