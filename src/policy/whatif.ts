// What a policy change would do to traffic already seen: every flow is answered with
// the policies as they are and with the draft applied, and the flows whose verdict
// changes are grouped by edge (who -> whom:port/proto), busiest first.
import type { Flow } from '../model/flow.ts';
import { flowTimeMs } from '../model/flow.ts';
import type { PolicyEngine } from './engine.ts';
import { flowQuery } from './flow-query.ts';
import { decidingPolicies } from './explain.ts';
import { sameRef, type RawPolicy } from './policy-set.ts';
import { peerText, type PolicyKind, type Verdict } from './types.ts';

export interface DraftChange {
  kind: 'added' | 'replaced' | 'removed' | 'not-found';
  policy: string;
}

function refOf(p: RawPolicy): { kind: PolicyKind; namespace: string; name: string } {
  const m = (p.raw as { metadata?: { name?: unknown; namespace?: unknown } }).metadata;
  const namespaced = p.kind === 'NetworkPolicy' || p.kind === 'CiliumNetworkPolicy';
  return {
    kind: p.kind,
    namespace: namespaced ? (typeof m?.namespace === 'string' && m.namespace !== '' ? m.namespace : 'default') : '',
    name: typeof m?.name === 'string' ? m.name : '',
  };
}

/** The policies with `draft` added or replacing its namesakes, or (`remove`) with them deleted. */
export function applyDraft(base: readonly RawPolicy[], draft: readonly RawPolicy[], remove = false): { policies: RawPolicy[]; changes: DraftChange[] } {
  const out = [...base];
  const changes: DraftChange[] = [];
  for (const d of draft) {
    const ref = refOf(d);
    const text = `${ref.kind} ${ref.namespace ? ref.namespace + '/' : ''}${ref.name}`;
    const i = out.findIndex((p) => sameRef(refOf(p), ref));
    if (remove) {
      if (i >= 0) {
        out.splice(i, 1);
        changes.push({ kind: 'removed', policy: text });
      } else changes.push({ kind: 'not-found', policy: text });
    } else if (i >= 0) {
      out[i] = d;
      changes.push({ kind: 'replaced', policy: text });
    } else {
      out.push(d);
      changes.push({ kind: 'added', policy: text });
    }
  }
  return { policies: out, changes };
}

export interface EdgeChange {
  from: string;
  to: string;
  port: number;
  protocol: string;
  before: Verdict;
  after: Verdict;
  flows: number;
  firstMs: number;
  lastMs: number;
  /** Policies deciding the new verdict. */
  decidedBy: string[];
}

export interface WhatIfResult {
  changes: EdgeChange[];
  /** Flows that could be asked (IP flows with ports). */
  evaluated: number;
  /** Newest flow time, for "in the last N min". */
  latestMs: number;
}

export function whatIf(flows: Iterable<Flow>, before: PolicyEngine, after: PolicyEngine): WhatIfResult {
  const edges = new Map<string, EdgeChange>();
  let evaluated = 0;
  let latestMs = Number.NaN;
  for (const f of flows) {
    const q = flowQuery(before.world, f);
    if (!q) continue;
    evaluated++;
    const t = flowTimeMs(f);
    if (Number.isFinite(t) && !(t <= latestMs)) latestMs = t; // NaN start: the first time wins
    const a = before.evaluate(q);
    const qa = flowQuery(after.world, f) ?? q;
    const b = after.evaluate(qa);
    if (a.verdict === b.verdict) continue;
    const from = peerText(q.from);
    const to = peerText(q.to);
    const key = `${from}>${to}>${q.port}>${q.protocol}>${a.verdict}>${b.verdict}`;
    const e = edges.get(key);
    if (e) {
      e.flows++;
      if (t < e.firstMs) e.firstMs = t;
      if (t > e.lastMs) e.lastMs = t;
    } else {
      edges.set(key, { from, to, port: q.port, protocol: q.protocol, before: a.verdict, after: b.verdict, flows: 1, firstMs: t, lastMs: t, decidedBy: decidingPolicies(b) });
    }
  }
  const changes = [...edges.values()].sort((x, y) => y.flows - x.flows || (x.from < y.from ? -1 : x.from > y.from ? 1 : x.to < y.to ? -1 : 1));
  return { changes, evaluated, latestMs };
}

function ago(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${Math.round(m / 60)} h`;
}

const VERB: Record<Verdict, string> = { allowed: 'allow', denied: 'deny', undecidable: 'make undecidable' };

/** `would deny shop/frontend -> shop/cartservice:7070/TCP (1,234 flows in the last 10 min)` */
export function changeLine(c: EdgeChange, latestMs: number): string {
  const span = ago(latestMs - c.firstMs);
  const flows = `${c.flows.toLocaleString('en-US')} flow${c.flows === 1 ? '' : 's'}${span ? ` in the last ${span}` : ''}`;
  const by = c.decidedBy.length > 0 ? `; ${c.after === 'allowed' ? 'allowed' : c.after === 'denied' ? 'denied' : 'undecidable'} by ${c.decidedBy.join(', ')}` : '';
  return `would ${VERB[c.after]} ${c.from} -> ${c.to}${c.port > 0 ? `:${c.port}` : ''}/${c.protocol} (${flows}; was ${c.before}${by})`;
}
