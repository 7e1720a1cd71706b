// When open records are written, and where the kernel keeps socket state (runs as
// root in CI). By default a connection's open record comes from the loader's
// periodic scan of the socket state, only once it has been established for 50 ms,
// stamped with its establishment time; --all-opens (allOpens) writes every open at
// establishment. Most sockets' state is in a table of slots indexed by socket
// cookie, and a socket whose slot is taken by another live connection keeps it in
// socket-local storage (bpf/ns_common.bpf.h).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Lab, REPO_ROOT, destroyLab } from '../../lab/lab.ts';
import type { CollectorOptions } from '../../../src/bpf-bridge/loader-process.ts';
import { collectAround } from '../../lab/collect.ts';
import type { Flow } from '../../../src/model/flow.ts';

let lab: Lab;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The flows between lab addresses while `work` runs. */
const collect = async (opts: CollectorOptions, work: () => Promise<void>): Promise<Flow[]> => (await collectAround(lab, opts, work)).flows;

const ms = (f: Flow): number => Date.parse(f.time!);

before(async () => {
  execFileSync('bash', [`${REPO_ROOT}/scripts/build-bpf.sh`], { stdio: 'inherit' });
  lab = Lab.create(['client', 'echo']);
  await lab.startAgent('echo', 'echo-server', ['7000']);
});

after(() => destroyLab(lab));

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

test('with a two-slot socket table, held and short connections are all reported in full', async () => {
  // A connection held open 700 ms after its echo takes the slots (--slots 2), so the
  // 8 short ones made meanwhile must keep their state in socket-local storage:
  // nothing may be reported differently from the default table.
  let heldPort = 0;
  let shortPorts: number[] = [];
  const flows = await collect({ noDrops: true, slots: 2 }, async () => {
    const held = lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7000', '1', '10', '700']);
    await sleep(100);
    const short = await lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7000', '8', '10']);
    heldPort = (JSON.parse((await held).stdout) as { ports: number[] }).ports[0]!;
    shortPorts = (JSON.parse(short.stdout) as { ports: number[] }).ports;
  });

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
