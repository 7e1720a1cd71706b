// Small worlds for the truth tables: namespaces with labels, pods with labels and
// container ports, nodes; policies as raw API objects (what a manifest says).
import { PolicyEngine } from '../../../src/policy/engine.ts';
import { compilePolicies, type RawPolicy } from '../../../src/policy/policy-set.ts';
import { buildWorld, resolvePeer, type World } from '../../../src/policy/world.ts';
import type { Answer, PolicyKind, PolicyPod, Protocol } from '../../../src/policy/types.ts';

export interface PodSpec {
  labels?: Record<string, string>;
  ip: string;
  node?: string;
  hostNetwork?: boolean;
  ports?: { name: string; port: number; protocol?: string }[];
}

export function makeWorld(namespaces: Record<string, Record<string, string>>, pods: Record<string, PodSpec>, nodes: Record<string, string> = { 'node-1': '192.168.0.1', 'node-2': '192.168.0.2' }): World {
  const list: PolicyPod[] = Object.entries(pods).map(([key, p]) => {
    const [namespace, name] = key.split('/') as [string, string];
    return {
      namespace,
      name,
      labels: p.labels ?? {},
      ips: [p.ip],
      hostNetwork: p.hostNetwork ?? false,
      nodeName: p.node ?? 'node-1',
      serviceAccount: 'default',
      ports: (p.ports ?? []).map((x) => ({ name: x.name, port: x.port, protocol: x.protocol ?? 'TCP' })),
    };
  });
  return buildWorld({
    namespaces: Object.entries(namespaces).map(([name, labels]) => ({ name, labels })),
    pods: list,
    nodes: Object.entries(nodes).map(([name, ip]) => ({ name, ips: [ip], labels: { 'kubernetes.io/hostname': name } })),
    apiServerIPs: ['10.96.0.1', '192.168.0.100'],
  });
}

export function np(namespace: string, name: string, spec: unknown): RawPolicy {
  return { kind: 'NetworkPolicy', raw: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec } };
}

export function obj(kind: PolicyKind, name: string, spec: unknown, namespace?: string): RawPolicy {
  return { kind, raw: { kind, metadata: namespace ? { name, namespace } : { name }, spec } };
}

export function engine(world: World, policies: RawPolicy[]): PolicyEngine {
  const set = compilePolicies(policies);
  if (set.problems.some((p) => p.rejected)) {
    throw new Error(`fixture policy rejected: ${JSON.stringify(set.problems.map((p) => p.issues))}`);
  }
  return new PolicyEngine(world, set);
}

export function ask(e: PolicyEngine, from: string, to: string, port: number, protocol: Protocol = 'TCP'): Answer {
  const f = resolvePeer(e.world, from);
  const t = resolvePeer(e.world, to);
  if (!f || !t) throw new Error(`unknown peer ${!f ? from : to}`);
  return e.evaluate({ from: f, to: t, port, protocol });
}

export interface Case {
  name: string;
  policies: RawPolicy[];
  from: string;
  to: string;
  port: number;
  protocol?: Protocol;
  verdict: Answer['verdict'];
  /** `namespace/name` of the policies whose rules decided the egress / ingress side ([] = none). */
  egress?: string[];
  ingress?: string[];
}

export function decided(side: Answer['egress']): string[] {
  const src = side.rules.length > 0 ? side.rules.map((r) => r.policy) : side.verdict === 'denied' ? side.isolatedBy : [];
  return [...new Set(src.map((r) => (r.namespace ? `${r.namespace}/${r.name}` : r.name)))].sort();
}
