// Where the kernel refuses the open scan's iterators (forced here with --refuse, so
// this runs on any kernel; runs as root in CI), the loader itself does what the scan
// did, from the memory-mapped socket table: it writes the open of each connection
// still open at the end of its read batch (the kernel only marks it established),
// and the request/response pair a connection's slot holds for its close record once
// it is 50 ms old. What users see is the fallback's: an open for every connection
// that outlives a read batch, stamped at establishment with the handshake's RTT, and
// every exchange as an L7 flow of its own, exactly once per side, in order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Lab, REPO_ROOT, destroyLab } from '../../lab/lab.ts';
import { collectAround } from '../../lab/collect.ts';
import type { CollectorOptions } from '../../../src/bpf-bridge/loader-process.ts';
import type { Flow } from '../../../src/model/flow.ts';

let lab: Lab;
const NO_SCAN = ['ns_open_scan_slots', 'ns_open_scan'];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ms = (f: Flow): number => Date.parse(f.time!);
const onPort = (port: number) => (f: Flow): boolean => f.l4?.TCP?.source_port === port || f.l4?.TCP?.destination_port === port;

before(async () => {
  execFileSync('bash', [`${REPO_ROOT}/scripts/build-bpf.sh`], { stdio: 'inherit' });
  lab = Lab.create(['client', 'echo']);
  await lab.startAgent('echo', 'echo-server', ['7000']);
});

after(() => destroyLab(lab));

interface Ports {
  held: number;
  short: number[];
}

/** One connection held 600 ms after its echo, and 6 short ones made 350 ms into it. */
async function run(opts: CollectorOptions): Promise<{ flows: Flow[]; warnings: string[]; ports: Ports }> {
  const r = await collectAround(lab, { noDrops: true, refuse: NO_SCAN, ...opts }, async () => {
    const held = lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7000', '1', '10', '600']);
    await sleep(350);
    const short = await lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7000', '6', '10']);
    return {
      held: (JSON.parse((await held).stdout) as { ports: number[] }).ports[0]!,
      short: (JSON.parse(short.stdout) as { ports: number[] }).ports,
    };
  });
  return { flows: r.flows, warnings: r.warnings, ports: r.result };
}

function checkSides(flows: Flow[], ports: Ports, arrival: 'ordered' | 'by-time' = 'ordered'): void {
  const client = lab.pod('client').ip;
  const echo = lab.pod('echo').ip;
  assert.equal(ports.short.length, 6);
  for (const port of [ports.held, ...ports.short]) {
    const mine = flows.filter(onPort(port));
    for (const [side, direction] of [[client, 'EGRESS'], [echo, 'INGRESS']] as const) {
      const closes = mine.filter((f) => f.Type === 'L3_L4' && f.IP?.source === side && f.l4?.TCP?.flags?.FIN);
      assert.equal(closes.length, 1, `port ${port} side ${side}: one close summary (${mine.length} flows)`);
      assert.equal(closes[0]!.netscope?.response_latency_ns, undefined, `port ${port} side ${side}: the exchange is not folded into the close`);
      assert.ok((closes[0]!.netscope?.pid ?? 0) > 0, `port ${port} side ${side}: process`);
      // L7 flows run server -> client; the observing side is in traffic_direction.
      const l7 = mine.filter((f) => f.Type === 'L7' && f.traffic_direction === direction);
      assert.equal(l7.length, 1, `port ${port} side ${side}: the exchange once as an L7 flow`);
      assert.ok((l7[0]!.l7?.latency_ns ?? 0) > 0, `port ${port} side ${side}: request latency`);
      assert.ok(mine.indexOf(l7[0]!) < mine.indexOf(closes[0]!), `port ${port} side ${side}: the exchange before the close`);
      const opens = mine.filter((f) => f.Type === 'L3_L4' && f.IP?.source === side && f.l4?.TCP?.flags?.SYN);
      assert.ok(opens.length <= 1, `port ${port} side ${side}: at most one open (${opens.length})`);
    }
  }
  // The held connection: its open on each side, written while it was open, stamped
  // when it opened, with the handshake's RTT; its exchange reported long before its close.
  const held = flows.filter(onPort(ports.held));
  for (const side of [client, echo]) {
    const open = held.find((f) => f.Type === 'L3_L4' && f.IP?.source === side && f.l4?.TCP?.flags?.SYN);
    const close = held.find((f) => f.Type === 'L3_L4' && f.IP?.source === side && f.l4?.TCP?.flags?.FIN)!;
    const l7 = held.find((f) => f.Type === 'L7' && f.traffic_direction === (side === client ? 'EGRESS' : 'INGRESS'))!;
    assert.ok(open, `held connection side ${side}: open flow`);
    if (arrival === 'ordered') assert.ok(held.indexOf(open) < held.indexOf(l7), `held connection side ${side}: the open before the exchange`);
    else assert.ok(ms(open) <= ms(l7), `held connection side ${side}: the open stamped before the exchange (${open.time}, ${l7.time})`);
    // Written by the loader 50-250 ms after the exchange, while the connection was
    // still open: before any flow of the connections made 350 ms in.
    const firstShort = flows.findIndex((f) => ports.short.some((p) => onPort(p)(f)));
    assert.ok(flows.indexOf(l7) < firstShort, `held connection side ${side}: its exchange reported while it was open`);
    assert.ok(ms(close) - ms(open) >= 550, `held connection side ${side}: open ${open.time} close ${close.time}`);
    assert.ok((open.netscope?.srtt_us ?? 0) > 0, `held connection side ${side}: the open has the socket's RTT`);
  }
  const clientOpen = held.find((f) => f.IP?.source === client && f.l4?.TCP?.flags?.SYN)!;
  assert.ok((clientOpen.netscope?.connect_latency_ns ?? 0) > 0, 'connect latency on the client open');
}

test('without the open scan, opens and held exchanges come from the loader, each once per side', async () => {
  const { flows, warnings, ports } = await run({});
  assert.ok(warnings.some((w) => w.startsWith('ns_conn: ns_open_scan_slots refused (')), `the refusal is named: ${warnings.join(' | ')}`);
  checkSides(flows, ports);
});

test('without the open scan and with the socket table taken, sockets in socket-local storage are reported the same way', async () => {
  // --slots 2: the held connection takes the slots, so the short ones keep their state
  // in socket-local storage, whose opens and exchanges the kernel writes itself.
  const { flows, ports } = await run({ slots: 2 });
  // Two slots serve every socket on the machine (other tests' too): whether the held
  // connection's sockets got one depends on that traffic, and a kernel-written open
  // and a loader-written exchange can then arrive in either order. Their times cannot.
  checkSides(flows, ports, 'by-time');
});
