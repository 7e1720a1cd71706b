// The collector's ways of seeing payload (runs as root in CI). Received data:
// 'sockets', where the kernel has the tracepoints (sk_data_ready marks an arrival, the
// bytes come from the reading syscall's buffer, DNS from the queued datagram), or
// 'packets', a cgroup_skb program for every received packet (older kernels). Sent
// data: 'sockets' (tcp_sendmsg_locked with the sender's iov_iter; UDP DNS at
// sock_send_length from the syscall's buffer), or 'packets' (cgroup_skb egress).
// Every way must report the same HTTP, plain TCP and DNS exchanges, on both sides,
// with the same addresses.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Lab, REPO_ROOT, destroyLab } from '../../lab/lab.ts';
import type { CollectorOptions } from '../../../src/bpf-bridge/loader-process.ts';
import { attachedPrograms, collectAround } from '../../lab/collect.ts';
import type { Flow } from '../../../src/model/flow.ts';

let lab: Lab;

interface Run {
  flows: Flow[];
  attached: string;
  http: { path: string; status: number; localPort: number }[];
  echoPorts: number[];
  noReadPort: number;
  hangupPorts: number[];
}

/** Runs the collector around the same exchanges; returns the flows between lab addresses. */
async function run(l7Ingress: CollectorOptions['l7Ingress'], l7Egress: CollectorOptions['l7Egress']): Promise<Run> {
  const { flows, attached, result } = await collectAround(lab, { l7Ingress, l7Egress, noDrops: true }, async () => {
    const web = lab.pod('web').ip;
    const h = await lab.runAgent('client', 'http-client', [web, '8080', '/hello/a', '/missing']);
    const e = await lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7000', '2', '100', '0', '2']);
    const n = await lab.runAgent('client', 'http-noread', [web, '8080', '/hello/unread']);
    const hu = await lab.runAgent('client', 'tcp-client', [lab.pod('echo').ip, '7001', '2', '100', '0', '1']);
    await lab.runAgent('client', 'dns-client', [lab.pod('dns').ip, 'web.lab', 'nope.lab']);
    return {
      http: (JSON.parse(h.stdout) as { results: Run['http'] }).results,
      echoPorts: (JSON.parse(e.stdout) as { ports: number[] }).ports,
      noReadPort: (JSON.parse(n.stdout) as { localPort: number }).localPort,
      hangupPorts: (JSON.parse(hu.stdout) as { ports: number[] }).ports,
    };
  });
  return { flows, attached, ...result };
}

const runs = new Map<string, Run>();

before(async () => {
  execFileSync('bash', [`${REPO_ROOT}/scripts/build-bpf.sh`], { stdio: 'inherit' });
  lab = Lab.create(['client', 'web', 'echo', 'dns']);
  await lab.startAgent('web', 'http-server', ['8080']);
  await lab.startAgent('echo', 'echo-server', ['7000']);
  await lab.startAgent('echo', 'hangup-server', ['7001']);
  await lab.startAgent('dns', 'dns-server', [`web.lab=${lab.pod('web').ip}`]);
  runs.set('sockets', await run('sockets', 'sockets'));
  runs.set('sockets-in', await run('sockets', 'packets'));
  runs.set('packets', await run('packets', 'packets'));
});

after(() => destroyLab(lab));

test('each way attaches its own programs', () => {
  const progs = (way: string): string[] => attachedPrograms(runs.get(way)!.attached);
  const l7 = ['ns_skb_ingress', 'ns_skb_egress', 'ns_rx_ready', 'ns_recv_l7', 'ns_tx_tcp', 'ns_tx_udp', 'ns_send_len', 'ns_recv_len'];
  const mine = (way: string): string[] => progs(way).filter((p) => l7.includes(p)).sort();
  assert.deepEqual(mine('sockets'), ['ns_recv_l7', 'ns_rx_ready', 'ns_tx_tcp', 'ns_tx_udp']);
  assert.deepEqual(mine('sockets-in'), ['ns_recv_l7', 'ns_rx_ready', 'ns_send_len', 'ns_skb_egress']);
  assert.deepEqual(mine('packets'), ['ns_recv_len', 'ns_send_len', 'ns_skb_egress', 'ns_skb_ingress']);
});

for (const way of ['sockets', 'sockets-in', 'packets']) {
  test(`${way}: HTTP requests show method, path, status and latency on both sides`, () => {
    const r = runs.get(way)!;
    assert.deepEqual(r.http.map((x) => x.status), [200, 404]);
    for (const x of r.http) {
      const seen = r.flows.filter((f) => f.Type === 'L7' && f.l7?.http && f.l4?.TCP?.destination_port === x.localPort);
      assert.equal(seen.length, 2, `${x.path}: one flow per side (${seen.length})`);
      for (const f of seen) {
        assert.equal(f.l7?.http?.method, 'GET');
        assert.equal(f.l7?.http?.url, `http://${lab.pod('web').ip}:8080${x.path}`);
        assert.equal(f.l7?.http?.code, x.status);
        const lat = f.l7?.latency_ns ?? 0;
        assert.ok(lat > 0 && lat < 5e9, `latency ${lat}`);
      }
      assert.deepEqual(seen.map((f) => f.traffic_direction).sort(), ['EGRESS', 'INGRESS']);
    }
  });

  test(`${way}: plain TCP request/responses are reported once per side, in order`, () => {
    const r = runs.get(way)!;
    for (const port of r.echoPorts) {
      const mine = r.flows.filter((f) => f.l4?.TCP?.source_port === port || f.l4?.TCP?.destination_port === port);
      // The first exchange may be folded into the close summary; together: 2 per side.
      for (const side of [lab.pod('client').ip, lab.pod('echo').ip]) {
        const l7 = mine.filter((f) => f.Type === 'L7' && (f.l7?.type === 'RESPONSE') && (f.IP?.source === side || f.IP?.destination === side) && f.traffic_direction === (side === lab.pod('client').ip ? 'EGRESS' : 'INGRESS'));
        const folded = mine.filter((f) => f.Type === 'L3_L4' && f.l4?.TCP?.flags?.FIN && f.IP?.source === side && f.l7?.latency_ns !== undefined);
        assert.equal(l7.length + folded.length, 2, `port ${port} ${side}: ${l7.length} L7 + ${folded.length} folded`);
      }
    }
  });

  test(`${way}: a response nobody reads is still reported when the connection closes`, () => {
    const r = runs.get(way)!;
    // Response flows go server to client; the client's own is its EGRESS one.
    const seen = r.flows.filter((f) => f.Type === 'L7' && f.l4?.TCP?.destination_port === r.noReadPort && f.traffic_direction === 'EGRESS');
    assert.equal(seen.length, 1, `client side: one flow (${seen.length})`);
    assert.equal(seen[0]!.l7?.http?.method, 'GET');
    assert.equal(seen[0]!.l7?.http?.url, `http://${lab.pod('web').ip}:8080/hello/unread`);
    // Packets carry the status line; from sockets it comes with a read that never happened.
    if (way === 'packets') assert.equal(seen[0]!.l7?.http?.code, 200);
    else assert.ok(!seen[0]!.l7?.http?.code, `no status without a read: ${seen[0]!.l7?.http?.code}`);
  });

  test(`${way}: a request the server hangs up on has no response: its FIN is not one`, () => {
    const r = runs.get(way)!;
    assert.equal(r.hangupPorts.length, 2);
    for (const port of r.hangupPorts) {
      const mine = r.flows.filter((f) => f.l4?.TCP?.source_port === port || f.l4?.TCP?.destination_port === port);
      assert.ok(mine.some((f) => f.l4?.TCP?.flags?.FIN), `port ${port}: close summaries seen`);
      // A pair is an L7 flow, or folded into the close summary (response_latency_ns).
      const paired = mine.filter((f) => f.Type === 'L7' || f.l7?.latency_ns !== undefined || f.netscope?.response_latency_ns !== undefined);
      assert.deepEqual(paired.map((f) => f.Summary), [], `port ${port}: no request/response pair`);
    }
  });

  test(`${way}: DNS queries and answers appear with names and codes`, () => {
    const r = runs.get(way)!;
    const dns = r.flows.filter((f) => f.l7?.dns);
    const ok = dns.find((f) => f.l7?.type === 'RESPONSE' && f.l7.dns?.query === 'web.lab.' && f.traffic_direction === 'EGRESS');
    assert.deepEqual(ok?.l7?.dns?.ips, [lab.pod('web').ip]);
    assert.ok((ok?.l7?.latency_ns ?? 0) > 0, 'answer paired with its query');
    const nx = dns.find((f) => f.l7?.type === 'RESPONSE' && f.l7.dns?.query === 'nope.lab.');
    assert.equal(nx?.l7?.dns?.rcode, 3);
    const client = lab.pod('client').ip;
    const server = lab.pod('dns').ip;
    // Each query is seen leaving the client (EGRESS) and arriving at the server
    // (INGRESS); each answer leaving the server and arriving at the client. The client's
    // socket is bound to no address, so from the send side the source comes from the
    // answer; the server's (0.0.0.0:53) from where the query arrived.
    for (const name of ['web.lab.', 'nope.lab.']) {
      const q = dns.filter((f) => f.l7?.type === 'REQUEST' && f.l7.dns?.query === name);
      assert.deepEqual(q.map((f) => `${f.traffic_direction} ${f.IP?.source}->${f.IP?.destination}`).sort(), [`EGRESS ${client}->${server}`, `INGRESS ${client}->${server}`], name);
      const a = dns.filter((f) => f.l7?.type === 'RESPONSE' && f.l7.dns?.query === name);
      assert.deepEqual(a.map((f) => `${f.traffic_direction} ${f.IP?.source}->${f.IP?.destination}`).sort(), [`EGRESS ${server}->${client}`, `INGRESS ${server}->${client}`], name);
      for (const f of a) assert.ok((f.l7?.latency_ns ?? 0) > 0, `${name} ${f.traffic_direction}: latency`);
    }
  });
}
