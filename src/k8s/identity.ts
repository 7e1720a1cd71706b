// What the IP index answers: who owns an address, in the shape a Flow endpoint
// needs (namespace, pod, Cilium label strings, workloads, the service it backs).
import type { Workload } from '../model/flow.ts';
import type { PodView } from './objects.ts';

export type IdentityKind = 'pod' | 'service' | 'node' | 'endpoint';

export interface ServiceRef {
  name: string;
  namespace: string;
}

export interface IpIdentity {
  ip: string;
  kind: IdentityKind;
  namespace: string;
  podName: string;
  nodeName: string;
  /** Cilium label strings (`k8s:app=web`), sorted; empty for services and endpoints. */
  labels: readonly string[];
  workloads: readonly Workload[];
  /** The service this address belongs to (its cluster IP) or backs (endpoint address). */
  service?: ServiceRef;
}

/**
 * Labels as Cilium derives them for a pod: its labels, its namespace, its namespace's
 * labels (`k8s:io.cilium.k8s.namespace.labels.<key>=<value>`, what namespaceSelectors
 * match) and its service account.
 */
export function podCiliumLabels(pod: PodView, namespaceLabels: Record<string, string> = {}): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(pod.labels)) out.push(`k8s:${k}=${v}`);
  for (const [k, v] of Object.entries(namespaceLabels)) out.push(`k8s:io.cilium.k8s.namespace.labels.${k}=${v}`);
  out.push(`k8s:io.kubernetes.pod.namespace=${pod.namespace}`);
  if (pod.serviceAccount !== '') out.push(`k8s:io.cilium.k8s.policy.serviceaccount=${pod.serviceAccount}`);
  return out.sort();
}
