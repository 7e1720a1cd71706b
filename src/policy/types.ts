// The policy engine's values: the part of the cluster it reads (World), a connection
// to decide (Query) and the answer with its reasons per side. Plain data, no I/O.
import type { PolicyKind } from '../k8s/objects.ts';

export type Protocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ANY';
export const L4_PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export interface ContainerPort {
  name: string;
  port: number;
  protocol: string;
}

export interface PolicyPod {
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  ips: readonly string[];
  hostNetwork: boolean;
  nodeName: string;
  serviceAccount: string;
  /** Container ports: named ports in policies resolve through these. */
  ports: readonly ContainerPort[];
  /** Workload (Deployment/name...) for grouping suggestions. */
  workload?: string;
}

export interface PolicyNode {
  name: string;
  ips: readonly string[];
  labels: Readonly<Record<string, string>>;
}

/** One end of a connection as the engine sees it. */
export type Peer =
  | { kind: 'pod'; pod: PolicyPod }
  /** An address: a node (or a host-network pod on it), or outside the cluster (`world`). */
  | { kind: 'ip'; ip: string; node?: PolicyNode; hostPod?: PolicyPod };

export interface Query {
  /** The side that opened the connection. */
  from: Peer;
  to: Peer;
  /** Destination port; 0 for ICMP or unknown. */
  port: number;
  protocol: Protocol;
}

/** The cluster model's policy kinds: one list of what is listed and evaluated. */
export type { PolicyKind };

export interface PolicyRef {
  kind: PolicyKind;
  namespace: string;
  name: string;
}

export type Direction = 'ingress' | 'egress';
export type Verdict = 'allowed' | 'denied' | 'undecidable';

/** A rule that decided (or, for undecidable, could decide) one side. */
export interface RuleHit {
  policy: PolicyRef;
  /** `ingress`, `egress`, `ingressDeny`, `egressDeny` (Cilium), for Admin policies the same. */
  section: string;
  index: number;
  /** One-line rendering of the rule. */
  text: string;
  /** Admin policies: Allow / Deny / Pass. */
  action?: string;
}

export interface SideAnswer {
  direction: Direction;
  verdict: Verdict;
  /** Policies that select the pod on this side for this direction (isolate it). */
  isolatedBy: PolicyRef[];
  /** Rules that decided: the allowing rules, the denying rule, or the undecidable ones. */
  rules: RuleHit[];
  /** One line: why. */
  reason: string;
}

export interface Answer {
  verdict: Verdict;
  egress: SideAnswer;
  ingress: SideAnswer;
}

export function refText(r: PolicyRef): string {
  return r.namespace === '' ? r.name : `${r.namespace}/${r.name}`;
}

export function peerText(p: Peer): string {
  if (p.kind === 'pod') return `${p.pod.namespace}/${p.pod.name}`;
  if (p.hostPod) return `${p.ip} (host-network pod ${p.hostPod.namespace}/${p.hostPod.name})`;
  if (p.node) return `${p.ip} (node ${p.node.name})`;
  return p.ip;
}

export function peerIPs(p: Peer): readonly string[] {
  return p.kind === 'pod' ? p.pod.ips : [p.ip];
}
