// The collector against real kernel traffic in a namespace lab (runs as root in CI).
// Pods: client, web (HTTP/1.1 :8080, nothing on :7777, nftables drops :9999),
// echo (TCP echo :7000), dns (resolver for *.lab on :53).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import type { Subscription } from 'rxjs';
import { Lab, REPO_ROOT, destroyLab } from '../../lab/lab.ts';
import { attachedPrograms, isLabFlow } from '../../lab/collect.ts';
import { within } from '../../wait.ts';
import { createLocalSource } from '../../../src/sources/local.ts';
import type { Flow } from '../../../src/model/flow.ts';
import type { SourceEvent } from '../../../src/model/source.ts';

const N = 5;
const BYTES = 1000;
let lab: Lab;
let sub: Subscription | undefined;
const events: SourceEvent[] = [];
let loaderPid = 0;
let done: Promise<void>;
let kernelObjects: { progs: number[]; maps: number[] } = { progs: [], maps: [] };
let echo: { pid: number; ports: number[] };
let http: { pid: number; results: { path: string; status: number; localPort: number }[] };
let refused: string;
let longLived: { pid: number; port: number };
let multi: { port: number };
let blocked: string;

/** Kernel ids of the programs and maps a process holds, from its fd table. */
function heldIds(pid: number): { progs: number[]; maps: number[] } {
  const out = { progs: [] as number[], maps: [] as number[] };
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    let info: string;
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    } catch {
      continue;
    }
    const prog = /^prog_id:\s+(\d+)/m.exec(info);
    const map = /^map_id:\s+(\d+)/m.exec(info);
    if (prog) out.progs.push(Number(prog[1]));
    else if (map) out.maps.push(Number(map[1]));
  }
  return out;
}

function allIds(kind: 'prog' | 'map'): Set<number> {
  const list = JSON.parse(execFileSync('bpftool', ['-j', kind, 'list'], { encoding: 'utf8' })) as { id: number }[];
  return new Set(list.map((e) => e.id));
}

const flows = (): Flow[] => events.flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));
const labFlows = (): Flow[] => flows().filter((f) => isLabFlow(lab, f));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

before(async () => {
  execFileSync('bash', [`${REPO_ROOT}/scripts/build-bpf.sh`], { stdio: 'inherit' });
  lab = Lab.create(['client', 'web', 'echo', 'dns']);
  const web = lab.pod('web').ip;
  await lab.startAgent('web', 'http-server', ['8080']);
  await lab.startAgent('echo', 'echo-server', ['7000']);
  await lab.startAgent('dns', 'dns-server', [`web.lab=${web}`]);
  lab.nft('web', 'table inet labfw {\n  chain input {\n    type filter hook input priority 0;\n    tcp dport 9999 drop\n  }\n}\n');

  let connected!: () => void;
  const ready = new Promise<void>((r) => (connected = r));
  let finished!: () => void;
  done = new Promise<void>((r) => (finished = r));
  sub = createLocalSource({ onSpawn: (pid) => (loaderPid = pid) }).subscribe({
    next: (e) => {
      events.push(e);
      if (e.kind === 'status' && e.state === 'connected') connected();
    },
    error: (err) => {
      events.push({ kind: 'status', source: 'test', state: 'error', message: String(err) });
      connected();
      finished();
    },
    complete: () => finished(),
  });
  await within('the eBPF collector to attach (its connected status)', 30_000, ready);
  kernelObjects = heldIds(loaderPid);

  const e = await lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7000', String(N), String(BYTES)]);
  echo = { pid: e.pid, ports: (JSON.parse(e.stdout) as { ports: number[] }).ports };
  const l = await lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7000', '1', '10', '400']);
  longLived = { pid: l.pid, port: (JSON.parse(l.stdout) as { ports: number[] }).ports[0]! };
  const m = await lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7000', '1', '100', '0', '3']);
  multi = { port: (JSON.parse(m.stdout) as { ports: number[] }).ports[0]! };
  const h = await lab.runAgent('client', 'http-client', [web, '8080', '/hello/1', '/hello/2', '/missing']);
  http = { pid: h.pid, ...(JSON.parse(h.stdout) as { results: { path: string; status: number; localPort: number }[] }) };
  refused = (JSON.parse((await lab.runAgent('client', 'try-connect', [web, '7777', '2000'])).stdout) as { code: string }).code;
  blocked = (JSON.parse((await lab.runAgent('client', 'try-connect', [web, '9999', '1500'])).stdout) as { code: string }).code;
  await lab.runAgent('client', 'dns-client', [lab.pod('dns').ip, 'web.lab', 'nope.lab']);
  // The loader polls every 50 ms; give the last records time to arrive.
  await sleep(500);
  // Stop it the way a supervisor does: SIGTERM; the loader detaches and exits 0.
  process.kill(loaderPid, 'SIGTERM');
  await within('the loader to exit after SIGTERM', 10_000, done);
});

after(() => {
  sub?.unsubscribe();
  destroyLab(lab);
});

/** Programs the loader attached, from its connected status. */
function attached(): string[] {
  const st = events.find((e) => e.kind === 'status' && e.state === 'connected');
  return attachedPrograms(st?.kind === 'status' ? (st.message ?? '') : '');
}
const warnings = (): string[] => events.flatMap((e) => (e.kind === 'status' && e.state === 'warning' ? [e.message ?? ''] : []));
/** Whether the open scan attached (some kernels refuse its iterators; opens are then written at establishment). */
const openScan = (): boolean => attached().includes('ns_open_scan_slots');

test('every object the collector needs loaded; a program the kernel refused is named with what it costs', () => {
  const errors = events.filter((e) => e.kind === 'status' && e.state === 'error');
  assert.deepEqual(errors, []);
  assert.ok(loaderPid > 0);
  const progs = attached();
  // ns_conn (TCP lifecycle), ns_drop (drops), ns_l7 (HTTP/DNS, one way in and one out)
  for (const essential of ['ns_set_state', 'ns_kfree_skb']) assert.ok(progs.includes(essential), `${essential} attached: ${progs.join(', ')}`);
  assert.ok(progs.includes('ns_recv_l7') || progs.includes('ns_skb_ingress'), `an L7 ingress program attached: ${progs.join(', ')}`);
  assert.ok(progs.includes('ns_tx_tcp') || progs.includes('ns_skb_egress'), `an L7 egress program attached: ${progs.join(', ')}`);
  assert.ok(kernelObjects.progs.length >= progs.length, `programs held by the loader: ${kernelObjects.progs.length}`);
  // Optional programs may be refused, but never silently, and never at the cost of a whole feature.
  // Each group is one feature: the loader turns the group off when one of it is refused.
  for (const group of [['ns_open_scan_slots', 'ns_open_scan'], ['ns_rx_reset', 'ns_tx_reset']]) {
    if (group.every((p) => progs.includes(p))) continue;
    assert.ok(
      warnings().some((w) => group.some((p) => w.includes(` ${p} refused (`))),
      `${group.join('/')} missing without a warning naming it: ${warnings().join(' | ')}`,
    );
  }
  assert.deepEqual(warnings().filter((w) => / not observed/.test(w)), [], 'no feature lost');
});

test('each echo connection appears on both sides with addresses, ports, direction, bytes', () => {
  // Connections this short (< 50 ms) are reported by their close summary alone
  // (the loader drops the open record of the same batch); when an open flow is
  // there, it must be right too.
  const client = lab.pod('client').ip;
  const server = lab.pod('echo').ip;
  assert.equal(echo.ports.length, N);
  for (const port of echo.ports) {
    const mine = labFlows().filter((f) => f.l4?.TCP && (f.l4.TCP.source_port === port || f.l4.TCP.destination_port === port) && f.Type === 'L3_L4');
    const cOpen = mine.find((f) => f.IP?.source === client && f.l4?.TCP?.flags?.SYN && !f.l4.TCP.flags.ACK);
    const sOpen = mine.find((f) => f.IP?.source === server && f.l4?.TCP?.flags?.SYN && f.l4.TCP.flags.ACK);
    const cClose = mine.find((f) => f.IP?.source === client && f.l4?.TCP?.flags?.FIN);
    const sClose = mine.find((f) => f.IP?.source === server && f.l4?.TCP?.flags?.FIN);
    assert.ok(cClose && sClose, `port ${port}: close summaries on both sides (${mine.length} flows)`);
    assert.equal(cClose.IP?.destination, server);
    assert.equal(cClose.l4?.TCP?.destination_port, 7000);
    assert.equal(cClose.traffic_direction, 'EGRESS');
    assert.equal(cClose.is_reply, false);
    assert.equal(sClose.traffic_direction, 'INGRESS');
    assert.equal(sClose.is_reply, true);
    assert.equal(sClose.l4?.TCP?.source_port, 7000);
    assert.equal(sClose.l4?.TCP?.destination_port, port);
    if (cOpen) assert.equal(cOpen.netscope?.connect_latency_ns, cClose.netscope?.connect_latency_ns);
    if (sOpen) assert.equal(sOpen.l4?.TCP?.destination_port, port);
    assert.equal(cClose.netscope?.bytes_sent, BYTES);
    assert.equal(cClose.netscope?.bytes_received, BYTES);
    assert.equal(sClose.netscope?.bytes_sent, BYTES);
    assert.equal(sClose.netscope?.bytes_received, BYTES);
    assert.ok((cClose.netscope?.segments_sent ?? 0) >= 2, 'segments counted');
    // connect latency: a veth round trip, so above zero and far below a second
    const lat = cClose.netscope?.connect_latency_ns ?? 0;
    assert.ok(lat > 0 && lat < 1e9, `connect latency ${lat} ns`);
    const rtt = cClose.netscope?.srtt_us ?? 0;
    assert.ok(rtt > 0 && rtt < 1e6, `srtt ${rtt} us`);
    assert.ok((cClose.netscope?.duration_ns ?? 0) >= lat, 'duration covers the handshake');
    // The process behind the client socket, and the echo server's on the other side
    assert.equal(cClose.netscope?.pid, echo.pid);
    assert.equal(cClose.netscope?.comm, 'node');
    assert.ok((sClose.netscope?.pid ?? 0) > 0, 'server process learnt from its first send/recv');
  }
});

/** Request/response latencies reported for one connection on one side: L7 flows and folded close summaries. */
function requestLatencies(localPort: number, side: 'client' | 'server'): { l7: number[]; folded: number[] } {
  const mine = labFlows().filter((f) => {
    const tcp = f.l4?.TCP;
    if (!tcp || (tcp.source_port !== localPort && tcp.destination_port !== localPort)) return false;
    // L7 flows run server -> client; the observing side is in traffic_direction.
    if (f.Type === 'L7') return f.traffic_direction === (side === 'client' ? 'EGRESS' : 'INGRESS');
    return f.IP?.source === lab.pod(side === 'client' ? 'client' : 'echo').ip;
  });
  return {
    l7: mine.filter((f) => f.Type === 'L7').map((f) => f.l7?.latency_ns ?? -1),
    folded: mine.flatMap((f) => (f.netscope?.response_latency_ns !== undefined ? [f.netscope.response_latency_ns] : [])),
  };
}

test('request/response latency of plain TCP: each echo exchange reported once per side, short connections in their close summary', () => {
  let folded = 0;
  for (const port of [...echo.ports, longLived.port]) {
    for (const side of ['client', 'server'] as const) {
      const { l7, folded: f } = requestLatencies(port, side);
      assert.equal(l7.length + f.length, 1, `port ${port} ${side}: one request/response (L7 ${l7.length}, in close summary ${f.length})`);
      const lat = [...l7, ...f][0]!;
      assert.ok(lat > 0 && lat < 1e9, `port ${port} ${side}: latency ${lat} ns`);
      folded += f.length;
    }
  }
  // The five short echo connections close well within the 50 ms hold: most fold. Without
  // the open scan nothing is held (a held pair of a long connection would wait for its
  // close), so each exchange is its own L7 flow.
  if (!openScan()) {
    assert.equal(folded, 0, 'nothing folded without the open scan');
    return;
  }
  assert.ok(folded >= 5, `${folded} of ${2 * N} short-connection exchanges folded into close summaries`);
  const close = labFlows().find((f) => f.netscope?.response_latency_ns !== undefined && f.IP?.source === lab.pod('client').ip);
  assert.ok(close?.l4?.TCP?.flags?.FIN, 'folded into the FIN summary');
});

test('a connection with several request/responses reports each as its own L7 flow, in order', () => {
  for (const side of ['client', 'server'] as const) {
    const { l7, folded } = requestLatencies(multi.port, side);
    assert.deepEqual(folded, [], `${side}: nothing folded when there is more than one exchange`);
    assert.equal(l7.length, 3, `${side}: three exchanges`);
    for (const lat of l7) assert.ok(lat > 0 && lat < 1e9, `${side}: latency ${lat}`);
  }
  const times = labFlows()
    .filter((f) => f.Type === 'L7' && f.traffic_direction === 'EGRESS' && f.l4?.TCP?.destination_port === multi.port)
    .map((f) => f.time ?? '');
  assert.deepEqual([...times].sort(), times, 'first exchange (held, then written) comes first');
});

test('a connection that stays open is reported when it opens, with connect latency', () => {
  const open = labFlows().find((f) => f.l4?.TCP?.destination_port === 7000 && f.l4.TCP.source_port === longLived.port && f.l4.TCP.flags?.SYN);
  assert.ok(open, 'SYN flow of the long-lived connection');
  assert.equal(open.IP?.source, lab.pod('client').ip);
  assert.ok((open.netscope?.connect_latency_ns ?? 0) > 0);
  assert.equal(open.netscope?.pid, longLived.pid);
});

test('HTTP requests show method, path, status and latency', () => {
  assert.deepEqual(http.results.map((r) => r.status), [200, 200, 404]);
  const l7 = labFlows().filter((f) => f.Type === 'L7' && f.l7?.http);
  for (const r of http.results) {
    const seen = l7.filter((f) => f.l4?.TCP?.destination_port === r.localPort);
    assert.equal(seen.length, 2, `${r.path}: one RESPONSE flow per side (${seen.length})`);
    for (const f of seen) {
      assert.equal(f.l7?.http?.method, 'GET');
      assert.equal(f.l7?.http?.url, `http://${lab.pod('web').ip}:8080${r.path}`);
      assert.equal(f.l7?.http?.code, r.status);
      assert.equal(f.l7?.type, 'RESPONSE');
      const lat = f.l7?.latency_ns ?? 0;
      assert.ok(lat > 0 && lat < 5e9, `latency ${lat}`);
      assert.equal(f.IP?.source, lab.pod('web').ip);
    }
    assert.deepEqual(seen.map((f) => f.traffic_direction).sort(), ['EGRESS', 'INGRESS']);
  }
});

test('a path blocked by nftables shows DROPPED flows with NETFILTER_DROP', () => {
  assert.equal(blocked, 'TIMEOUT');
  const drops = labFlows().filter((f) => f.verdict === 'DROPPED' && f.l4?.TCP?.destination_port === 9999);
  assert.ok(drops.length >= 1, 'SYNs to :9999 dropped');
  for (const d of drops) {
    assert.equal(d.drop_reason_desc, 'NETFILTER_DROP');
    assert.equal(d.IP?.source, lab.pod('client').ip);
    assert.equal(d.IP?.destination, lab.pod('web').ip);
    assert.equal(d.l4?.TCP?.flags?.SYN, true);
  }
});

test('a connection to a closed port shows the reset', () => {
  assert.equal(refused, 'ECONNREFUSED');
  const rst = labFlows().find((f) => f.l4?.TCP?.destination_port === 7777 && f.l4.TCP.flags?.RST);
  assert.ok(rst, 'client-side RST close flow');
  assert.equal(rst.IP?.source, lab.pod('client').ip);
  assert.equal(rst.Summary, 'TCP Flags: RST (connection refused)');
  const noSocket = labFlows().find((f) => f.verdict === 'DROPPED' && f.l4?.TCP?.destination_port === 7777);
  assert.equal(noSocket?.drop_reason_desc, 'NO_SOCKET');
});

test('DNS queries to the lab resolver appear with names, answers and latency', () => {
  const dns = labFlows().filter((f) => f.l7?.dns);
  const q = dns.filter((f) => f.l7?.type === 'REQUEST').map((f) => f.l7?.dns?.query);
  assert.ok(q.includes('web.lab.') && q.includes('nope.lab.'), `queries seen: ${q.join(' ')}`);
  const ok = dns.find((f) => f.l7?.type === 'RESPONSE' && f.l7.dns?.query === 'web.lab.' && f.traffic_direction === 'EGRESS');
  assert.deepEqual(ok?.l7?.dns?.ips, [lab.pod('web').ip]);
  assert.equal(ok?.l7?.dns?.rcode, 0);
  assert.ok((ok?.l7?.latency_ns ?? 0) > 0, 'answer latency measured');
  const nx = dns.find((f) => f.l7?.type === 'RESPONSE' && f.l7.dns?.query === 'nope.lab.');
  assert.equal(nx?.l7?.dns?.rcode, 3);
});

test('after SIGTERM the collector reports its totals and its programs and maps are gone', async () => {
  const last = events.at(-1);
  assert.equal(last?.kind === 'status' && last.state, 'done');
  assert.match(last?.kind === 'status' ? (last.message ?? '') : '', /^eBPF collector stopped: \d+ kernel events, 0 lost$/);
  assert.ok(kernelObjects.maps.length >= 3, `maps held by the loader: ${kernelObjects.maps.length}`);
  // The kernel frees maps after an RCU grace period: wait for that, not for a time.
  let progs = allIds('prog');
  let maps = allIds('map');
  for (let i = 0; i < 50 && [...kernelObjects.progs, ...kernelObjects.maps].some((id) => progs.has(id) || maps.has(id)); i++) {
    await sleep(100);
    progs = allIds('prog');
    maps = allIds('map');
  }
  assert.deepEqual(kernelObjects.progs.filter((id) => progs.has(id)), [], 'no program left');
  assert.deepEqual(kernelObjects.maps.filter((id) => maps.has(id)), [], 'no map left');
});
