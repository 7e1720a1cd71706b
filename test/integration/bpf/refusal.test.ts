// A program the kernel refuses costs only its own feature, and says why (runs as root
// in CI). The loader's --refuse makes it treat a program as refused (EPERM before
// verification) without a kernel that refuses it, so each fallback is tested on any
// machine; the reason given is the one a real refusal on this kernel would get.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { Lab, REPO_ROOT, destroyLab } from '../../lab/lab.ts';
import { attachedPrograms, collectAround, type Collected } from '../../lab/collect.ts';
import { collectorPaths } from '../../../src/bpf-bridge/loader-process.ts';
import type { Flow } from '../../../src/model/flow.ts';

let lab: Lab;
interface Work {
  echoPorts: number[];
  longPort: number;
  http: { path: string; status: number; localPort: number }[];
}
const runs = new Map<string, Collected<Work>>();

async function run(refuse: string[]): Promise<Collected<Work>> {
  return collectAround(lab, { refuse }, async () => {
    const echo = lab.pod('echo').ip;
    const e = await lab.runAgent('client', 'tcp-client', [echo, '7000', '2', '100']);
    const l = await lab.runAgent('client', 'tcp-client', [echo, '7000', '1', '10', '400']);
    const h = await lab.runAgent('client', 'http-client', [lab.pod('web').ip, '8080', '/hello/1']);
    return {
      echoPorts: (JSON.parse(e.stdout) as { ports: number[] }).ports,
      longPort: (JSON.parse(l.stdout) as { ports: number[] }).ports[0]!,
      http: (JSON.parse(h.stdout) as { results: Work['http'] }).results,
    };
  });
}

before(async () => {
  execFileSync('bash', [`${REPO_ROOT}/scripts/build-bpf.sh`], { stdio: 'inherit' });
  lab = Lab.create(['client', 'web', 'echo']);
  await lab.startAgent('web', 'http-server', ['8080']);
  await lab.startAgent('echo', 'echo-server', ['7000']);
  runs.set('scan', await run(['ns_open_scan_slots']));
  runs.set('conn', await run(['ns_set_state']));
  runs.set('send', await run(['ns_tx_tcp']));
});

after(() => destroyLab(lab));

const progs = (name: string): string[] => attachedPrograms(runs.get(name)!.attached);
const port = (f: Flow): number[] => [f.l4?.TCP?.source_port ?? -1, f.l4?.TCP?.destination_port ?? -1];
// "simulated by --refuse: <errno text> before verification; <cause from this kernel's state>"
const SIMULATED = 'simulated by --refuse: Operation not permitted before verification; ';

test('a refused open-scan iterator turns the scan off, in one line naming the cause; connections are still reported', () => {
  const r = runs.get('scan')!;
  const line = r.warnings.find((w) => w.startsWith('ns_conn: ns_open_scan_slots refused ('));
  assert.ok(line, `warning about the refused iterator: ${r.warnings.join(' | ')}`);
  assert.ok(line.includes(SIMULATED), line);
  assert.ok(line.endsWith('): the open-connection scan is off; opens are written at establishment instead'), line);
  assert.ok(!/ulimit/.test(r.warnings.join('\n')), 'no memlock hint');
  assert.ok(!progs('scan').includes('ns_open_scan_slots') && !progs('scan').includes('ns_open_scan'), 'neither iterator attached');
  assert.ok(progs('scan').includes('ns_set_state'), `TCP lifecycle still attached: ${progs('scan').join(', ')}`);
  assert.deepEqual(r.warnings.filter((w) => /TCP connection events not observed/.test(w)), []);
  // Both sides of each short connection still close with a summary...
  const client = lab.pod('client').ip;
  for (const p of r.result.echoPorts) {
    const closes = r.flows.filter((f) => port(f).includes(p) && f.l4?.TCP?.flags?.FIN);
    assert.equal(closes.length, 2, `port ${p}: close summary on both sides`);
  }
  // ...and the long one is reported when it opens, with its connect latency.
  const open = r.flows.find((f) => f.IP?.source === client && port(f).includes(r.result.longPort) && f.l4?.TCP?.flags?.SYN);
  assert.ok(open, 'open flow of the long-lived connection');
  assert.ok((open.netscope?.connect_latency_ns ?? 0) > 0);
  // Without the scan nothing is held for the close summary: each exchange is an L7 flow.
  assert.deepEqual(r.flows.filter((f) => f.netscope?.response_latency_ns !== undefined), []);
  for (const p of r.result.echoPorts) {
    assert.equal(r.flows.filter((f) => f.Type === 'L7' && port(f).includes(p)).length, 2, `port ${p}: the exchange on both sides`);
  }
});

test('a refused essential program loses only its own object: no TCP lifecycle, but HTTP still seen', () => {
  const r = runs.get('conn')!;
  const line = r.warnings.find((w) => w.startsWith('ns_conn: ns_set_state refused ('));
  assert.ok(line, `warning about ns_set_state: ${r.warnings.join(' | ')}`);
  assert.ok(line.includes(SIMULATED) && line.endsWith('): TCP connection events not observed'), line);
  assert.ok(!progs('conn').includes('ns_set_state'));
  assert.ok(progs('conn').includes('ns_kfree_skb'), `drops still attached: ${progs('conn').join(', ')}`);
  assert.deepEqual(r.flows.filter((f) => f.Type === 'L3_L4' && f.verdict === 'FORWARDED'), [], 'no connection flows');
  const http = r.flows.filter((f) => f.l7?.http && f.l4?.TCP?.destination_port === r.result.http[0]!.localPort);
  assert.equal(http.length, 2, 'the HTTP exchange on both sides');
});

test('a refused send tracepoint falls back to a program per sent packet, with the same HTTP flows', () => {
  const r = runs.get('send')!;
  const line = r.warnings.find((w) => w.startsWith('ns_l7: ns_tx_tcp refused ('));
  assert.ok(line, `warning about ns_tx_tcp: ${r.warnings.join(' | ')}`);
  assert.ok(line.endsWith('): sent HTTP and DNS are not read at send; they are read from every sent packet instead (more CPU per packet)'), line);
  assert.ok(progs('send').includes('ns_skb_egress'), `packet egress attached: ${progs('send').join(', ')}`);
  assert.ok(!progs('send').includes('ns_tx_tcp') && !progs('send').includes('ns_tx_udp'));
  const http = r.flows.filter((f) => f.l7?.http && f.l4?.TCP?.destination_port === r.result.http[0]!.localPort);
  assert.deepEqual(http.map((f) => f.traffic_direction).sort(), ['EGRESS', 'INGRESS']);
  assert.ok(http.every((f) => f.l7?.http?.code === 200 && (f.l7.latency_ns ?? 0) > 0));
});

test('--kernel-state prints what the kernel allows BPF, read without changing anything', () => {
  const { loaderPath } = collectorPaths();
  const r = spawnSync(loaderPath, ['--kernel-state'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const facts = new Map(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)] as const));
  assert.deepEqual([...facts.keys()].slice(0, 7), ['kernel', 'lockdown', 'lsm', 'capabilities', 'btf', 'cgroup2', 'memlock']);
  assert.equal(facts.get('kernel'), release());
  assert.equal(facts.get('btf'), existsSync('/sys/kernel/btf/vmlinux') ? '/sys/kernel/btf/vmlinux' : 'missing');
  assert.equal(facts.get('capabilities'), 'CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN present');
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' '));
  const cg2 = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'].find((d) => mounts.some((m) => m[1] === d && m[2] === 'cgroup2'));
  assert.equal(facts.get('cgroup2'), cg2 ?? 'not mounted');
  // Lockdown, when securityfs shows it, is the bracketed level there.
  if (existsSync('/sys/kernel/security/lockdown')) {
    const level = /\[(\w+)\]/.exec(readFileSync('/sys/kernel/security/lockdown', 'utf8'))![1];
    assert.equal(facts.get('lockdown'), `${level} (securityfs)`);
  } else {
    assert.match(facts.get('lockdown') ?? '', /^(none|integrity|confidentiality) \((kernel command line|kernel config, securityfs not mounted)\)$|^unknown /);
  }
});
