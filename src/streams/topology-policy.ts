// Per-edge policy data for the service map (list and drawn map alike): for each
// client -> server edge at each level, the policies that denied its flows and the
// latest flow with its policy note, so "why" can be asked of a selected edge.
import type { Flow } from '../model/flow.ts';
import { LEVELS, endpointIds, idAt, sides, type Level } from './flow-keys.ts';
import type { PolicyNote } from './policy-annotate.ts';

export interface EdgePolicy {
  from: string;
  to: string;
  /** Policies that denied (or would deny) flows of this edge, most recent last. */
  deniedBy: string[];
  denied: number;
  allowed: number;
  mismatches: number;
  /** The most recent flow and its note: what "why" explains. */
  lastFlow: Flow;
  lastNote: PolicyNote;
}

const MAX_EDGES = 50_000;

export class TopologyPolicy {
  #edges: Record<Level, Map<string, Map<string, EdgePolicy>>> = { namespace: new Map(), workload: new Map(), pod: new Map() };
  #size = 0;

  add(flow: Flow, note: PolicyNote): void {
    const { client, server } = sides(flow);
    const c = endpointIds(flow, client);
    const s = endpointIds(flow, server);
    for (const level of LEVELS) {
      const from = idAt(c, level);
      const to = idAt(s, level);
      let outs = this.#edges[level].get(from);
      if (!outs) this.#edges[level].set(from, (outs = new Map()));
      let e = outs.get(to);
      if (!e) {
        if (this.#size >= MAX_EDGES) this.clear();
        e = { from, to, deniedBy: [], denied: 0, allowed: 0, mismatches: 0, lastFlow: flow, lastNote: note };
        (this.#edges[level].get(from) ?? this.#edges[level].set(from, new Map()).get(from)!).set(to, e);
        this.#size++;
      }
      e.lastFlow = flow;
      e.lastNote = note;
      if (note.answer.verdict === 'denied') {
        e.denied++;
        for (const d of note.decidedBy) if (!e.deniedBy.includes(d)) e.deniedBy.push(d);
      } else if (note.answer.verdict === 'allowed') e.allowed++;
      if (note.mismatch) e.mismatches++;
    }
  }

  get(level: Level, from: string, to: string): EdgePolicy | undefined {
    return this.#edges[level].get(from)?.get(to);
  }

  /** Every edge touching `node` at `level` (its calls first, then its callers). */
  edgesOf(level: Level, node: string): EdgePolicy[] {
    const out = [...(this.#edges[level].get(node)?.values() ?? [])];
    for (const [from, outs] of this.#edges[level]) if (from !== node) { const e = outs.get(node); if (e) out.push(e); }
    return out;
  }

  clear(): void {
    this.#edges = { namespace: new Map(), workload: new Map(), pod: new Map() };
    this.#size = 0;
  }
}
