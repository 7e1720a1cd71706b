// The policy engine: a world and a policy set in, answers out. A connection needs the
// source's egress and the destination's ingress, each decided on its own, in the order
// the APIs define: AdminNetworkPolicy (priority order, first matching rule: Allow /
// Deny / Pass), Cilium deny rules, then the allow layer (NetworkPolicies and Cilium
// rules: a pod selected for a direction is isolated and admits only what some rule
// admits), then the BaselineAdminNetworkPolicy, then the default: allowed.
// Answers are cached per (from, to, port, protocol): an engine is immutable, a change
// of world or policies makes a new one.
import { adminFirstMatch, adminSelects, type CompiledAdmin } from './admin-netpol.ts';
import { ciliumRuleMatches, ciliumSelects, type CiliumRule, type CiliumSpec } from './cilium.ts';
import { netpolAdmits, netpolSelects, type CompiledNetpol } from './k8s-netpol.ts';
import { peerInfo, peerKey, type PeerInfo } from './peers.ts';
import type { PolicySet } from './policy-set.ts';
import { peerText, refText, type Answer, type Direction, type PolicyPod, type PolicyRef, type Protocol, type Query, type RuleHit, type SideAnswer } from './types.ts';
import type { World } from './world.ts';

interface PodPolicies {
  netpol: Record<Direction, CompiledNetpol[]>;
  cilium: CiliumSpec[];
  admin: CompiledAdmin[];
  baseline: boolean;
}

const MAX_CACHE = 200_000;
const PROTO_INDEX: Record<Protocol, number> = { TCP: 0, UDP: 1, SCTP: 2, ICMP: 3, ANY: 4 };

export class PolicyEngine {
  readonly world: World;
  readonly policies: PolicySet;
  readonly #netpolByNs = new Map<string, CompiledNetpol[]>();
  readonly #podPolicies = new WeakMap<PolicyPod, PodPolicies>();
  readonly #podPeers = new WeakMap<PolicyPod, PeerInfo>();
  readonly #ipPeers = new Map<string, PeerInfo>();
  /** from (pod object or address) -> to -> port*8+protocol -> answer: no key string per lookup. */
  #answers = new Map<PolicyPod | string, Map<PolicyPod | string, Map<number, Answer>>>();
  #cachedCount = 0;
  readonly #cilium: boolean;

  constructor(world: World, policies: PolicySet) {
    this.world = world;
    this.policies = policies;
    this.#cilium = policies.cilium.length > 0;
    for (const p of policies.netpols) {
      const list = this.#netpolByNs.get(p.ref.namespace) ?? [];
      list.push(p);
      this.#netpolByNs.set(p.ref.namespace, list);
    }
  }

  /** Number of cached answers (bench, tests). */
  get cached(): number {
    return this.#cachedCount;
  }

  evaluate(q: Query): Answer {
    const fk = q.from.kind === 'pod' ? q.from.pod : q.from.ip;
    const tk = q.to.kind === 'pod' ? q.to.pod : q.to.ip;
    const pk = q.port * 8 + PROTO_INDEX[q.protocol];
    let byTo = this.#answers.get(fk);
    let byPort = byTo?.get(tk);
    const hit = byPort?.get(pk);
    if (hit !== undefined) return hit;
    const a = this.evaluateUncached(q);
    if (this.#cachedCount >= MAX_CACHE) {
      this.#answers = new Map();
      this.#cachedCount = 0;
      byTo = undefined;
      byPort = undefined;
    }
    if (!byTo) this.#answers.set(fk, (byTo = new Map()));
    if (!byPort) byTo.set(tk, (byPort = new Map()));
    byPort.set(pk, a);
    this.#cachedCount++;
    return a;
  }

  evaluateUncached(q: Query): Answer {
    const from = this.#peer(q.from);
    const to = this.#peer(q.to);
    const dst = to.pod;
    const egress = this.#side('egress', from, to, q.port, q.protocol, dst);
    const ingress = this.#side('ingress', to, from, q.port, q.protocol, dst);
    const verdict = egress.verdict === 'denied' || ingress.verdict === 'denied' ? 'denied' : egress.verdict === 'undecidable' || ingress.verdict === 'undecidable' ? 'undecidable' : 'allowed';
    return { verdict, egress, ingress };
  }

  /** Pods a policy selects (its subject), for `:netpol`. */
  selectedPods(ref: PolicyRef): PolicyPod[] {
    const out: PolicyPod[] = [];
    for (const pod of this.world.pods) {
      if (pod.hostNetwork) continue;
      const pp = this.#policiesOf(pod);
      const all: PolicyRef[] = [...pp.netpol.ingress.map((p) => p.ref), ...pp.netpol.egress.map((p) => p.ref), ...pp.cilium.map((s) => s.ref), ...pp.admin.map((a) => a.ref)];
      if (pp.baseline && this.policies.baseline) all.push(this.policies.baseline.ref);
      if (all.some((r) => r.kind === ref.kind && r.namespace === ref.namespace && r.name === ref.name)) out.push(pod);
    }
    return out;
  }

  #peer(p: Query['from']): PeerInfo {
    if (p.kind === 'pod') {
      let info = this.#podPeers.get(p.pod);
      if (info === undefined) this.#podPeers.set(p.pod, (info = peerInfo(this.world, p, this.#cilium)));
      return info;
    }
    const key = peerKey(p);
    let info = this.#ipPeers.get(key);
    // The same address may stand for a host-network pod or its node: keep the richer peer.
    if (info === undefined || (info.peer !== p && (p.hostPod !== undefined) !== (info.peer.kind === 'ip' && info.peer.hostPod !== undefined))) {
      info = peerInfo(this.world, p, this.#cilium);
      if (this.#ipPeers.size >= MAX_CACHE) this.#ipPeers.clear();
      this.#ipPeers.set(key, info);
    }
    return info;
  }

  #policiesOf(pod: PolicyPod): PodPolicies {
    let pp = this.#podPolicies.get(pod);
    if (pp) return pp;
    const ns = this.world.namespaces.get(pod.namespace);
    pp = { netpol: { ingress: [], egress: [] }, cilium: [], admin: [], baseline: false };
    for (const p of this.#netpolByNs.get(pod.namespace) ?? []) {
      if (!netpolSelects(p, pod)) continue;
      if (p.types.has('ingress')) pp.netpol.ingress.push(p);
      if (p.types.has('egress')) pp.netpol.egress.push(p);
    }
    for (const s of this.policies.cilium) if (ciliumSelects(s, pod, ns)) pp.cilium.push(s);
    for (const a of this.policies.admin) if (adminSelects(a, pod, ns)) pp.admin.push(a);
    pp.baseline = this.policies.baseline !== undefined && adminSelects(this.policies.baseline, pod, ns);
    this.#podPolicies.set(pod, pp);
    return pp;
  }

  #side(dir: Direction, subject: PeerInfo, other: PeerInfo, port: number, protocol: Protocol, dst: PolicyPod | undefined): SideAnswer {
    const what = `${port > 0 ? port : 'any'}/${protocol}`;
    const who = peerText(other.peer);
    const self = peerText(subject.peer);
    const answer = (verdict: SideAnswer['verdict'], reason: string, rules: RuleHit[] = [], isolatedBy: PolicyRef[] = []): SideAnswer => ({ direction: dir, verdict, isolatedBy, rules, reason });
    const pod = subject.pod;
    if (!pod) {
      const p = subject.peer;
      if (p.kind === 'ip' && p.hostPod) return answer('allowed', `${self} runs in the host network: no policy selects it`);
      return answer('allowed', `${self} is not a pod: no ${dir} policy applies on this side`);
    }
    if (dir === 'ingress' && other.node !== undefined && other.node.name === pod.nodeName) {
      return answer('allowed', `${who} is the node ${self} runs on: traffic from a pod's own node is always allowed (kubelet probes)`);
    }
    const pp = this.#policiesOf(pod);

    // 1. AdminNetworkPolicies, highest precedence (lowest priority number) first.
    let passed: RuleHit | undefined;
    for (const a of pp.admin) {
      const r = adminFirstMatch(a, dir, other, port, protocol, dst);
      if (!r) continue;
      const hit: RuleHit = { policy: a.ref, section: dir, index: r.index, text: r.text, action: r.action };
      if (r.action === 'Pass') {
        passed = hit;
        break;
      }
      return answer(r.action === 'Allow' ? 'allowed' : 'denied', `${r.action === 'Allow' ? 'allowed' : 'denied'} by AdminNetworkPolicy ${a.ref.name} (priority ${a.priority}) ${dir}[${r.index}]${r.name ? ` "${r.name}"` : ''}`, [hit], [a.ref]);
    }

    // 2. Cilium deny rules win over every allow.
    const denySection = dir === 'ingress' ? 'ingressDeny' : 'egressDeny';
    for (const s of pp.cilium) {
      for (const r of s[denySection]) {
        if (ciliumRuleMatches(s, r, pod, other, port, protocol, dst) === 'match') {
          return answer('denied', `denied by ${s.ref.kind} ${refText(s.ref)} ${ruleLabel(s, r)}`, [ciliumHit(s, r)], [s.ref]);
        }
      }
    }

    // 3. The allow layer: NetworkPolicies and Cilium allow rules.
    const isolatedBy: PolicyRef[] = [];
    const allows: RuleHit[] = [];
    const unsure: RuleHit[] = [];
    const unsureWhy: string[] = [];
    for (const p of pp.netpol[dir]) {
      isolatedBy.push(p.ref);
      for (const r of netpolAdmits(p, dir, other, port, protocol, dst)) allows.push({ policy: p.ref, section: dir, index: r.index, text: r.text });
    }
    for (const s of pp.cilium) {
      if (!s.enforces[dir]) continue;
      if (!isolatedBy.some((r) => r === s.ref)) isolatedBy.push(s.ref);
      for (const r of s[dir]) {
        const m = ciliumRuleMatches(s, r, pod, other, port, protocol, dst);
        if (m === 'match') allows.push(ciliumHit(s, r));
        else if (m === 'undecidable') {
          unsure.push(ciliumHit(s, r));
          unsureWhy.push(r.fqdn && other.world ? `toFQDNs: the model cannot tell which names ${who} stands for` : r.undecidable ?? 'not modelled');
        }
      }
    }
    const passNote = passed ? ` (AdminNetworkPolicy ${passed.policy.name} passed it on)` : '';
    if (isolatedBy.length > 0) {
      if (allows.length > 0) {
        return answer('allowed', `allowed by ${allows.map((h) => `${h.policy.kind} ${refText(h.policy)} ${hitLabel(h)}`).join(', ')}${passNote}`, passed ? [passed, ...allows] : allows, isolatedBy);
      }
      if (unsure.length > 0) {
        return answer('undecidable', `undecidable: ${unsure.map((h, i) => `${h.policy.kind} ${refText(h.policy)} ${hitLabel(h)}: ${unsureWhy[i]}`).join('; ')}`, unsure, isolatedBy);
      }
      return answer('denied', `isolated by ${isolatedBy.map((r) => `${r.kind} ${refText(r)}`).join(' and ')}; no rule admits ${who} on ${what}${passNote}`, passed ? [passed] : [], isolatedBy);
    }

    // 4. The baseline, for pods no NetworkPolicy isolates.
    const b = this.policies.baseline;
    if (b && pp.baseline) {
      const r = adminFirstMatch(b, dir, other, port, protocol, dst);
      if (r) {
        const hit: RuleHit = { policy: b.ref, section: dir, index: r.index, text: r.text, action: r.action };
        const v = r.action === 'Allow' ? 'allowed' : 'denied';
        return answer(v, `${v} by BaselineAdminNetworkPolicy default ${dir}[${r.index}]${r.name ? ` "${r.name}"` : ''}${passNote}`, passed ? [passed, hit] : [hit], [b.ref]);
      }
    }
    return answer('allowed', `no policy selects ${self} for ${dir}${passNote}`, passed ? [passed] : []);
  }
}

function ruleLabel(s: CiliumSpec, r: CiliumRule): string {
  return `${s.specIndex > 0 ? `specs[${s.specIndex}].` : ''}${r.section}[${r.index}]`;
}

function ciliumHit(s: CiliumSpec, r: CiliumRule): RuleHit {
  return { policy: s.ref, section: `${s.specIndex > 0 ? `specs[${s.specIndex}].` : ''}${r.section}`, index: r.index, text: r.text };
}

export function hitLabel(h: RuleHit): string {
  return `${h.section}[${h.index}]`;
}
