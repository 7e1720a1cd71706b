// CPU cost of the fan-in per flow, without a terminal: 50 node streams x 40,000 flows
// (each node's flows in time order, nodes 0-200 ms apart, two flows per millisecond so
// half the flows tie with the previous one) pushed synchronously through fanIn, alone and
// then into the TUI's FlowStore. Prints CPU microseconds per flow for each of --runs runs.
//
//   node_modules/.bin/node bench/fan-in-cost.ts [--nodes 50] [--flows 40000] [--runs 3]
import { from, Observable } from 'rxjs';
import { loadavg } from 'node:os';
import type { SourceEvent } from '../src/model/source.ts';
import { fanIn, FanInStats, type TargetChange } from '../src/streams/fan-in.ts';
import { FlowStore } from '../src/streams/flow-store.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const NODES = Number(arg('--nodes', '50'));
const PER = Number(arg('--flows', '40000'));
const RUNS = Number(arg('--runs', '3'));

function runOnce(intoStore: boolean): { usPerFlow: number; out: number; late: number } {
  const base = Date.now();
  const push: ((ev: SourceEvent) => void)[] = [];
  const targets: TargetChange[] = Array.from({ length: NODES }, (_, i) => ({
    type: 'add',
    target: { id: `n${i}`, node: `node-${i}`, connect: () => new Observable<SourceEvent>((s) => void (push[i] = (e) => s.next(e))) },
  }));
  const flows: SourceEvent[][] = [];
  for (let i = 0; i < NODES; i++) {
    const a: SourceEvent[] = [];
    for (let k = 0; k < PER; k++) {
      a.push({ kind: 'flow', flow: { time: new Date(base + k * 0.5 - ((i * 37) % 200)).toISOString(), uuid: `n${i}-${k}`, node_name: `node-${i}`, verdict: 'FORWARDED' } });
    }
    flows.push(a);
  }
  const store = new FlowStore(20_000);
  const stats = new FanInStats();
  let out = 0;
  const sub = fanIn(from(targets), { stats }).subscribe((e) => {
    out++;
    if (intoStore) store.ingest(e);
  });
  // CPU time, not wall time: the figure must not depend on what else the machine runs.
  const c0 = process.cpuUsage();
  // Nodes take turns delivering 40-flow batches, as timers and sockets would.
  for (let k = 0; k < PER; k += 40) for (let i = 0; i < NODES; i++) for (let j = k; j < Math.min(PER, k + 40); j++) push[i]!(flows[i]![j]!);
  const c = process.cpuUsage(c0);
  sub.unsubscribe();
  return { usPerFlow: (c.user + c.system) / (NODES * PER), out, late: stats.total('late') };
}

console.log(`fan-in cost: ${NODES} nodes x ${PER} flows; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const intoStore of [false, true]) {
  const r = Array.from({ length: RUNS }, () => runOnce(intoStore));
  const us = r.map((x) => x.usPerFlow).sort((a, b) => a - b);
  console.log(
    `${intoStore ? 'fan-in + FlowStore' : 'fan-in alone     '}: ${us.map((u) => u.toFixed(2)).join(' / ')} us CPU per flow (best ${us[0]!.toFixed(2)}: ${(1e6 / us[0]! / 1000).toFixed(0)}k flows/s on one core); late=${r[0]!.late}`,
  );
}
