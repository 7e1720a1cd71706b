// The expected policy verdict of each flow, kept in a side table (a WeakMap keyed by
// the flow) so flows and their Hubble JSON stay exactly as received. Flows whose
// source sent no verdict get one from the policies; flows with a verdict are
// cross-checked, and a disagreement is flagged. Answers come from the engine's cache
// per (source, destination, port, protocol), so a flow costs a few map lookups.
import type { Flow, Policy } from '../model/flow.ts';
import type { ModelObject } from '../k8s/objects.ts';
import type { ResourceKind } from '../k8s/resources.ts';
import { PolicyEngine } from '../policy/engine.ts';
import { decidingPolicies } from '../policy/explain.ts';
import { flowQuery, type FlowQuery } from '../policy/flow-query.ts';
import { policiesFromStore } from '../policy/from-store.ts';
import { compilePolicies } from '../policy/policy-set.ts';
import { refText, type Answer, type PolicyRef } from '../policy/types.ts';
import { hitKey, type HitCount } from '../policy/hits.ts';
import { worldFromStore } from '../policy/world.ts';

export interface PolicyNote {
  query: FlowQuery;
  answer: Answer;
  /** Deciding policies (`ns/name`, kind-prefixed when not a NetworkPolicy). */
  decidedBy: string[];
  /** Observed verdict against expected, when they disagree. */
  mismatch?: string;
  /** Hubble's own policy names (as sent), compared with the model's. */
  hubble?: string;
}

/** A model the annotator can follow: a store with a version bumped on change. */
export interface PolicyModel {
  readonly version: number;
  list<T extends ModelObject = ModelObject>(kind: ResourceKind): T[];
}


function hubbleNames(list: Policy[] | undefined): string[] {
  return (list ?? []).map((p) => `${p.namespace ? p.namespace + '/' : ''}${p.name ?? '?'}`);
}

function mismatchOf(flow: Flow, q: FlowQuery, a: Answer): string | undefined {
  if (flow.verdict === 'DROPPED' && a.verdict === 'allowed') {
    return `dropped${flow.drop_reason_desc ? ` (${flow.drop_reason_desc})` : ''} although the policies allow it: a CNI fault, conntrack, an nftables rule?`;
  }
  if (flow.verdict === 'FORWARDED' && a.verdict === 'denied' && !q.reply) {
    return 'forwarded although the policies deny it: does the CNI enforce NetworkPolicies?';
  }
  return undefined;
}

function crossCheck(flow: Flow, decidedBy: string[]): string | undefined {
  const denied = [...hubbleNames(flow.ingress_denied_by), ...hubbleNames(flow.egress_denied_by)];
  const allowed = [...hubbleNames(flow.ingress_allowed_by), ...hubbleNames(flow.egress_allowed_by)];
  if (denied.length === 0 && allowed.length === 0) return undefined;
  const sent = [...(denied.length ? [`denied by ${denied.join(', ')}`] : []), ...(allowed.length ? [`allowed by ${allowed.join(', ')}`] : [])].join('; ');
  const model = new Set(decidedBy.map((d) => d.replace(/^[A-Za-z]+ /, '')));
  const agree = [...denied, ...allowed].every((n) => model.has(n));
  return `Hubble: ${sent}${agree ? ' (the model agrees)' : ` (the model decides by ${decidedBy.join(', ') || 'no policy'})`}`;
}

export class PolicyAnnotator {
  readonly #notes = new WeakMap<Flow, PolicyNote>();
  /** Answers are shared by every flow of a connection: their deciding names too. */
  readonly #decided = new WeakMap<Answer, string[]>();
  readonly #model: () => PolicyModel | undefined;
  readonly #minRebuildMs: number;
  #engine: PolicyEngine | undefined;
  #engineOf: { model: PolicyModel; version: number } | undefined;
  #builtAt = 0;
  /** Live hits per policy (`Kind|ns/name`): flows it allowed and denied. */
  readonly hits = new Map<string, HitCount>();
  /** Flows whose observed verdict disagrees with the policies. */
  mismatches = 0;

  constructor(model: () => PolicyModel | undefined, opts: { minRebuildMs?: number } = {}) {
    this.#model = model;
    this.#minRebuildMs = opts.minRebuildMs ?? 1000;
  }

  /** The engine for the current model, rebuilt when it changed (at most once per minRebuildMs). */
  engine(nowMs: number = Date.now()): PolicyEngine | undefined {
    const m = this.#model();
    if (!m) return undefined;
    const stale = this.#engineOf?.model !== m || this.#engineOf.version !== m.version;
    if (this.#engine === undefined || (stale && (this.#engineOf?.model !== m || nowMs - this.#builtAt >= this.#minRebuildMs))) {
      this.#engine = new PolicyEngine(worldFromStore(m), compilePolicies(policiesFromStore(m)));
      this.#engineOf = { model: m, version: m.version };
      this.#builtAt = nowMs;
    }
    return this.#engine;
  }

  note(flow: Flow): PolicyNote | undefined {
    return this.#notes.get(flow);
  }

  /** Works out (once) and remembers the flow's expected verdict. */
  annotate(flow: Flow): PolicyNote | undefined {
    const have = this.#notes.get(flow);
    if (have) return have;
    const engine = this.engine();
    if (!engine || engine.policies.refs.length === 0) return undefined;
    const q = flowQuery(engine.world, flow);
    if (!q) return undefined;
    const answer = engine.evaluate(q);
    let decidedBy = this.#decided.get(answer);
    if (decidedBy === undefined) this.#decided.set(answer, (decidedBy = decidingPolicies(answer)));
    const note: PolicyNote = { query: q, answer, decidedBy };
    const mismatch = mismatchOf(flow, q, answer);
    if (mismatch) {
      note.mismatch = mismatch;
      this.mismatches++;
    }
    const hubble = flow.ingress_denied_by || flow.egress_denied_by || flow.ingress_allowed_by || flow.egress_allowed_by ? crossCheck(flow, decidedBy) : undefined;
    if (hubble) note.hubble = hubble;
    this.#notes.set(flow, note);
    this.#count(answer);
    return note;
  }

  #count(a: Answer): void {
    if (a.verdict === 'undecidable') return;
    for (const side of [a.egress, a.ingress]) {
      if (side.verdict !== a.verdict) continue;
      const refs: PolicyRef[] = side.rules.length > 0 ? side.rules.map((r) => r.policy) : a.verdict === 'denied' ? side.isolatedBy : [];
      for (const r of new Set(refs)) {
        const key = hitKey(r);
        let h = this.hits.get(key);
        if (!h) this.hits.set(key, (h = { allowed: 0, denied: 0 }));
        if (a.verdict === 'allowed') h.allowed++;
        else h.denied++;
      }
    }
  }
}

