// Shared fixtures for the demo simulator tests: run it on virtual time and look
// flows' endpoints up in the cluster objects.

import type { Flow } from '../../../src/model/flow.ts';
import { DemoSimulator } from '../../../src/sources/demo/simulator.ts';

export const START_US = Date.UTC(2026, 0, 1, 10, 0, 0) * 1000;
export const SECOND_US = 1_000_000;

export interface RunOptions {
  seed?: number;
  rate?: number;
  seconds: number;
  slowdownAfterSeconds?: number;
  namespace?: string;
}

/** Runs a fresh simulator for `seconds` of virtual time, advancing a second at a time. */
export function runSim(o: RunOptions): { sim: DemoSimulator; flows: Flow[] } {
  const sim = new DemoSimulator({
    seed: o.seed ?? 1,
    namespace: o.namespace ?? 'shop',
    rate: o.rate ?? 200,
    startUs: START_US,
    slowdownAtUs: o.slowdownAfterSeconds === undefined ? Number.POSITIVE_INFINITY : START_US + o.slowdownAfterSeconds * SECOND_US,
  });
  const flows: Flow[] = [];
  for (let s = 1; s <= o.seconds; s++) for (const f of sim.advanceTo(START_US + s * SECOND_US)) flows.push(f);
  return { sim, flows };
}

/** `app` (or `k8s-app`) label value of a flow endpoint. */
export function appOf(labels: readonly string[] | undefined): string | undefined {
  for (const l of labels ?? []) {
    if (l.startsWith('k8s:app=')) return l.slice('k8s:app='.length);
    if (l.startsWith('k8s:k8s-app=')) return l.slice('k8s:k8s-app='.length);
  }
  return undefined;
}

/** Workload name (Deployment) of a flow endpoint. */
export function workloadOf(f: Flow, side: 'source' | 'destination'): string {
  return f[side]?.workloads?.[0]?.name ?? '?';
}

/** A kubelet probe (or its reply): one side is the node itself. */
export function isProbe(f: Flow): boolean {
  return (f.source?.labels ?? []).includes('reserved:host') || (f.destination?.labels ?? []).includes('reserved:host');
}

export function isDns(f: Flow): boolean {
  return f.l7?.dns !== undefined;
}

export function isHttp(f: Flow): boolean {
  return f.l7?.http !== undefined;
}

export function tcp(f: Flow) {
  return f.l4?.TCP;
}

/** Nanoseconds since the epoch as a bigint, from the flow's RFC 3339 time (keeps the ns digits). */
export function timeNs(f: Flow): bigint {
  const t = f.time ?? '';
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{3}|\d{6}|\d{9}))?Z$/.exec(t);
  if (m === null) throw new Error(`bad time ${t}`);
  return BigInt(Date.parse(`${m[1]}Z`)) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
