// What `:netpol` shows beyond the objects: the pods each policy selects and its live
// hits (flows it allowed / denied), from the TUI's policy annotator. Set by the app
// when it has one; the view reads it when it renders.
import type { PolicyEngine } from '../policy/engine.ts';
import type { HitCount } from '../policy/hits.ts';

export interface PolicyStats {
  engine(): PolicyEngine | undefined;
  hits: ReadonlyMap<string, HitCount>;
}

let current: PolicyStats | undefined;

export function setPolicyStats(s: PolicyStats | undefined): void {
  current = s;
}

export function policyStats(): PolicyStats | undefined {
  return current;
}
