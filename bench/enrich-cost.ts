// What naming the collector's flows costs a node agent, in process (docs/agent.md, "Memory"):
//   node bench/enrich-cost.ts [enrich | none]
// Decodes 2,000 close records (each a close summary and its request/response as a flow of
// its own, both addresses named by the model) into lazy flows, names each with enrichFlow
// (or not: `none`) and pushes it into the server's ring, for a second per run, 6 runs;
// prints the CPU per flow of each run.
import { connRecord, l7Record, clockRecord } from '../test/bpf-bridge/records-fixture.ts';
import { decode, counter } from '../test/bpf-bridge/lazy-compare.ts';
import { enrichFlow } from '../src/streams/enrich.ts';
import { EventRing } from '../src/grpc/ring.ts';
import type { IpIdentity } from '../src/k8s/identity.ts';
import type { Flow } from '../src/model/flow.ts';
const client = { saddr: '10.231.0.2', daddr: '10.231.0.3', sport: 40000, dport: 8080 };
const server = { saddr: '10.231.0.3', daddr: '10.231.0.2', sport: 8080, dport: 40000 };
const recs: Buffer[] = [clockRecord(1_767_225_600_000_000_000n)];
for (let i = 0; i < 2000; i++) {
  recs.push(connRecord({ open: false, tsNs: BigInt(2_000_000_000 + i), t: i % 2 ? client : server, cookie: i, startNs: 1_999_900_000n, flags: 0x11 | 0x40 | 0x100, pid: 9, comm: 'nc', l7ReqNs: 2_000_060_000n, l7RespNs: 2_000_081_500n }));
}
const stream = Buffer.concat(recs);
const ids = new Map<string, IpIdentity>([
  ['10.231.0.2', { ip: '10.231.0.2', kind: 'pod', namespace: 'shop', podName: 'client-1', nodeName: 'node-1', labels: ['k8s:app=client'], workloads: [{ name: 'client', kind: 'Deployment' }] }],
  ['10.231.0.3', { ip: '10.231.0.3', kind: 'pod', namespace: 'shop', podName: 'web-1', nodeName: 'node-2', labels: ['k8s:app=web'], workloads: [], service: { name: 'web', namespace: 'shop' } }],
]);
const model = { lookup: (ip: string) => ids.get(ip) };
const ring = new EventRing(16383);
const mode = process.argv[2] ?? 'enrich';
for (let run = 0; run < 6; run++) {
  let n = 0;
  const t0 = process.cpuUsage();
  const w0 = performance.now();
  while (performance.now() - w0 < 1000) {
    const flows = decode(stream, 1 << 16, { eager: false }).flatMap((e) => (e.kind === 'flow' ? [e.flow] : []));
    for (const f of flows) {
      const g: Flow = mode === 'none' ? f : enrichFlow(f, model);
      ring.push({ kind: 'flow', flow: g });
      n++;
    }
  }
  const c = process.cpuUsage(t0);
  console.log(`${mode}: ${((c.user + c.system) / n).toFixed(3)} us per flow (${n} flows)`);
}
