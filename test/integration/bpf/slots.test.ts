// The kernel keeps most sockets' state in a table of slots indexed by socket cookie,
// and a socket whose slot is taken by another live connection in socket-local storage
// (bpf/ns_common.bpf.h). With a two-slot table (--slots 2), a connection held open
// takes the slots and every other socket must fall back to storage: nothing may be
// reported differently from the default table. Runs as root in CI.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Lab, REPO_ROOT, leftoverNamespaces } from '../../lab/lab.ts';
import { runCollector } from '../../../src/bpf-bridge/loader-process.ts';
import type { Flow } from '../../../src/model/flow.ts';

let lab: Lab;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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

test('with a two-slot socket table, held and short connections are all reported in full', async () => {
  const flows: Flow[] = [];
  let ready!: () => void;
  const attached = new Promise<void>((r) => (ready = r));
  let failed: unknown;
  const sub = runCollector({ noDrops: true, slots: 2 }).subscribe({
    next: (e) => {
      if (e.kind === 'status' && e.state === 'connected') ready();
      if (e.kind === 'flow' && e.flow.IP?.source?.startsWith('10.231.0.') && e.flow.IP.destination?.startsWith('10.231.0.')) flows.push(e.flow);
    },
    error: (err: unknown) => {
      failed = err;
      ready();
    },
  });
  await attached;
  assert.equal(failed, undefined);
  // One connection held open 700 ms after its echo, and meanwhile 8 short ones.
  const held = lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7000', '1', '10', '700']);
  await sleep(100);
  const short = await lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7000', '8', '10']);
  const heldPort = (JSON.parse((await held).stdout) as { ports: number[] }).ports[0]!;
  const shortPorts = (JSON.parse(short.stdout) as { ports: number[] }).ports;
  await sleep(400); // the loader reads every 50 ms
  sub.unsubscribe();

  const client = lab.pod('client').ip;
  const echo = lab.pod('echo').ip;
  const of = (port: number): Flow[] => flows.filter((f) => f.l4?.TCP?.source_port === port || f.l4?.TCP?.destination_port === port);
  assert.equal(shortPorts.length, 8);
  for (const port of [heldPort, ...shortPorts]) {
    const mine = of(port);
    const close = (from: string): Flow | undefined => mine.find((f) => f.Type === 'L3_L4' && f.IP?.source === from && f.l4?.TCP?.flags?.FIN);
    const c = close(client);
    const s = close(echo);
    assert.ok(c && s, `port ${port}: a close summary per side (${mine.length} flows)`);
    // Start time, owner and connect latency come from the socket's state: without
    // it (no slot and no storage) they would be missing.
    assert.ok((c.netscope?.duration_ns ?? 0) > 0 && (s.netscope?.duration_ns ?? 0) > 0, `port ${port}: durations`);
    assert.ok((c.netscope?.connect_latency_ns ?? 0) > 0, `port ${port}: connect latency`);
    assert.ok((c.netscope?.pid ?? 0) > 0 && (s.netscope?.pid ?? 0) > 0, `port ${port}: processes on both sides`);
    assert.equal(c.netscope?.bytes_sent, 10);
    // The one echo exchange: in the close summary or as an L7 flow, once per side.
    for (const [side, direction] of [[client, 'EGRESS'], [echo, 'INGRESS']] as const) {
      const inClose = close(side)?.netscope?.response_latency_ns !== undefined ? 1 : 0;
      // L7 flows run server -> client; the observing side is in traffic_direction.
      const l7 = mine.filter((f) => f.Type === 'L7' && f.traffic_direction === direction).length;
      assert.equal(inClose + l7, 1, `port ${port} side ${side}: one request/response (close ${inClose}, L7 ${l7})`);
    }
  }
  // The held connection is reported by the open scan while it is open, with the
  // socket's RTT read through its slot (or storage), stamped when it opened.
  const heldOpens = of(heldPort).filter((f) => f.Type === 'L3_L4' && f.l4?.TCP?.flags?.SYN);
  assert.equal(heldOpens.length, 2, `held connection: one open per side (${heldOpens.length})`);
  for (const o of heldOpens) assert.ok((o.netscope?.srtt_us ?? 0) > 0, `open from ${o.IP?.source} has the socket's RTT`);
  const heldClose = of(heldPort).find((f) => f.Type === 'L3_L4' && f.IP?.source === client && f.l4?.TCP?.flags?.FIN)!;
  assert.ok((heldClose.netscope?.duration_ns ?? 0) >= 650e6, `held connection lasted ${heldClose.netscope?.duration_ns} ns`);
});
