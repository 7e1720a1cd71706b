// Raw policy objects of every supported kind compiled into one set, each object's
// problems kept with it. An object with errors is left out (the API server would have
// rejected it); warnings (unknown fields) leave it in.
import { compileAdmin, type CompiledAdmin } from './admin-netpol.ts';
import { compileCilium, type CiliumSpec } from './cilium.ts';
import { Issues, type PolicyIssue } from './issues.ts';
import { compileNetpol, type CompiledNetpol } from './k8s-netpol.ts';
import type { PolicyKind, PolicyRef } from './types.ts';

export const POLICY_KINDS: readonly PolicyKind[] = [
  'NetworkPolicy',
  'CiliumNetworkPolicy',
  'CiliumClusterwideNetworkPolicy',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
];

export function isPolicyKind(kind: string): kind is PolicyKind {
  return (POLICY_KINDS as readonly string[]).includes(kind);
}

export interface PolicySet {
  netpols: readonly CompiledNetpol[];
  cilium: readonly CiliumSpec[];
  /** By priority, then name (the API leaves ties undefined; netscope says so). */
  admin: readonly CompiledAdmin[];
  baseline?: CompiledAdmin;
  /** Every policy in effect. */
  refs: readonly PolicyRef[];
  /** Objects with problems (left out when `rejected`). */
  problems: readonly ObjectProblem[];
}

export interface ObjectProblem {
  ref: PolicyRef;
  rejected: boolean;
  issues: readonly PolicyIssue[];
  /** The input the object came from, when the caller said (file name, index). */
  origin?: unknown;
}

export interface RawPolicy {
  kind: PolicyKind;
  raw: unknown;
  origin?: unknown;
}

function metaRef(kind: PolicyKind, raw: unknown): PolicyRef {
  const m = (raw as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
  const namespaced = kind === 'NetworkPolicy' || kind === 'CiliumNetworkPolicy';
  const ns = namespaced ? (typeof m?.namespace === 'string' && m.namespace !== '' ? m.namespace : 'default') : '';
  return { kind, namespace: ns, name: typeof m?.name === 'string' ? m.name : '?' };
}

export function compilePolicies(list: readonly RawPolicy[]): PolicySet {
  const netpols: CompiledNetpol[] = [];
  const cilium: CiliumSpec[] = [];
  const admin: CompiledAdmin[] = [];
  let baseline: CompiledAdmin | undefined;
  const refs: PolicyRef[] = [];
  const problems: ObjectProblem[] = [];
  for (const { kind, raw, origin } of list) {
    const issues = new Issues();
    let ref: PolicyRef | undefined;
    switch (kind) {
      case 'NetworkPolicy': {
        const p = compileNetpol(raw, issues);
        if (p) (netpols.push(p), (ref = p.ref));
        break;
      }
      case 'CiliumNetworkPolicy':
      case 'CiliumClusterwideNetworkPolicy': {
        const specs = compileCilium(raw, kind, issues);
        if (specs) {
          cilium.push(...specs);
          ref = specs[0]?.ref ?? metaRef(kind, raw);
        }
        break;
      }
      case 'AdminNetworkPolicy': {
        const p = compileAdmin(raw, kind, issues);
        if (p) (admin.push(p), (ref = p.ref));
        break;
      }
      case 'BaselineAdminNetworkPolicy': {
        const p = compileAdmin(raw, kind, issues);
        if (p) {
          baseline = p;
          ref = p.ref;
        }
        break;
      }
    }
    if (ref) refs.push(ref);
    if (issues.list.length > 0) {
      const problem: ObjectProblem = { ref: ref ?? metaRef(kind, raw), rejected: ref === undefined, issues: issues.list };
      if (origin !== undefined) problem.origin = origin;
      problems.push(problem);
    }
  }
  admin.sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0) || (a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0));
  const set: PolicySet = { netpols, cilium, admin, refs, problems };
  if (baseline) set.baseline = baseline;
  return set;
}

export function sameRef(a: PolicyRef, b: PolicyRef): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}
