// Filter throughput: how many flows per second the compiled predicate handles,
// alone and together with JSON.parse of Hubble export lines (what `netscope
// observe --input-file` does per line), and with the codec's raw-line prefilter
// in front (src/filter/line-prefilter.ts). Prints figures; asserts nothing.
// Usage: node bench/filter.ts [flows=200000] [rounds=5]
import { parseFilterArgs, compileFilterSet } from '../src/filter/index.ts';
import { linePrefilter } from '../src/filter/line-prefilter.ts';
import type { Flow } from '../src/model/flow.ts';
import { loadavg } from 'node:os';

const N = Number(process.argv[2] ?? 200_000);
const ROUNDS = Number(process.argv[3] ?? 5);

const namespaces = ['shop', 'demo', 'kube-system', 'default', 'payments'];
const verdicts = ['FORWARDED', 'FORWARDED', 'FORWARDED', 'DROPPED', 'FORWARDED', 'DROPPED', 'ERROR'] as const;

function makeFlow(i: number): Flow {
  const sns = namespaces[i % 5]!;
  const dns = namespaces[(i * 7) % 5]!;
  const udp = i % 4 === 0;
  return {
    time: `2026-01-01T10:00:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z`,
    uuid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    verdict: verdicts[i % 7],
    ...(verdicts[i % 7] === 'DROPPED' ? { drop_reason: 133, drop_reason_desc: 'POLICY_DENIED' } : {}),
    IP: { source: `10.244.${i % 4}.${i % 250}`, destination: `10.244.${(i + 1) % 4}.${(i * 3) % 250}`, ipVersion: 'IPv4' },
    l4: udp
      ? { UDP: { source_port: 40000 + (i % 20000), destination_port: 53 } }
      : { TCP: { source_port: 40000 + (i % 20000), destination_port: 8080, flags: { SYN: true } } },
    source: {
      ID: i % 300,
      identity: 10000 + (i % 50),
      namespace: sns,
      labels: [`k8s:app=app-${i % 13}`, `k8s:io.kubernetes.pod.namespace=${sns}`],
      pod_name: `app-${i % 13}-5d8f7c9b6-q2w3e`,
      workloads: [{ name: `app-${i % 13}`, kind: 'Deployment' }],
    },
    destination: {
      ID: (i + 7) % 300,
      identity: 10000 + ((i + 7) % 50),
      namespace: dns,
      labels: [`k8s:app=app-${(i + 7) % 13}`, `k8s:io.kubernetes.pod.namespace=${dns}`],
      pod_name: `app-${(i + 7) % 13}-7c6d5e4f3-m1n2b`,
    },
    Type: 'L3_L4',
    node_name: `node-${i % 3}`,
    event_type: verdicts[i % 7] === 'DROPPED' ? { type: 1, sub_type: 133 } : { type: 4, sub_type: 0 },
    traffic_direction: i % 2 ? 'INGRESS' : 'EGRESS',
    trace_observation_point: 'TO_ENDPOINT',
    is_reply: i % 3 === 0,
    Summary: udp ? 'UDP' : 'TCP Flags: SYN',
  };
}

const flows: Flow[] = [];
const lines: string[] = [];
for (let i = 0; i < N; i++) {
  const f = makeFlow(i);
  flows.push(f);
  lines.push(JSON.stringify({ flow: f, node_name: f.node_name, time: f.time }));
}

const filters: [string, string[]][] = [
  ['3 flags: -n shop --verdict DROPPED --protocol tcp', ['--namespace', 'shop', '--verdict', 'DROPPED', '--protocol', 'tcp']],
  ['3 flags: --from-pod shop/app-1 --to-port 8080 --not --verdict FORWARDED', ['--from-pod', 'shop/app-1', '--to-port', '8080', '--not', '--verdict', 'FORWARDED']],
  ['3 flags: --label app=app-3 --ip 10.244.0.0/16 --type trace:to-endpoint', ['--label', 'app=app-3', '--to-ip', '10.244.0.0/16', '--type', 'trace:to-endpoint']],
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

console.log(`flows: ${N}, rounds: ${ROUNDS}, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const [label, args] of filters) {
  const set = parseFilterArgs(args);
  const pred = compileFilterSet(set);
  const pre = linePrefilter(set) ?? ((): boolean => true);
  let matched = 0;
  const filterOnly: number[] = [];
  const parseAndFilter: number[] = [];
  const withPrefilter: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let t0 = performance.now();
    matched = 0;
    for (let i = 0; i < N; i++) if (pred(flows[i]!)) matched++;
    filterOnly.push(N / ((performance.now() - t0) / 1000));
    t0 = performance.now();
    let m2 = 0;
    for (let i = 0; i < N; i++) {
      const ev = JSON.parse(lines[i]!) as { flow: Flow };
      if (pred(ev.flow)) m2++;
    }
    parseAndFilter.push(N / ((performance.now() - t0) / 1000));
    t0 = performance.now();
    let m3 = 0;
    for (let i = 0; i < N; i++) {
      const line = lines[i]!;
      if (!pre(line)) continue;
      const ev = JSON.parse(line) as { flow: Flow };
      if (pred(ev.flow)) m3++;
    }
    withPrefilter.push(N / ((performance.now() - t0) / 1000));
    if (m2 !== matched || m3 !== matched) throw new Error('mismatch');
  }
  console.log(`${label}`);
  console.log(`  matched ${matched}/${N}`);
  console.log(`  filter only:        ${Math.round(median(filterOnly)).toLocaleString('en-US')} flows/s (median of ${ROUNDS})`);
  console.log(`  JSON.parse + filter: ${Math.round(median(parseAndFilter)).toLocaleString('en-US')} flows/s (median of ${ROUNDS})`);
  console.log(`  line prefilter + JSON.parse + filter: ${Math.round(median(withPrefilter)).toLocaleString('en-US')} flows/s (median of ${ROUNDS})`);
}
