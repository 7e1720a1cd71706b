// Workload owner of a pod, as Hubble reports it: Deployment (via its ReplicaSet),
// StatefulSet, DaemonSet, Job, or the bare owner. The Deployment is derived from the
// ReplicaSet name and the pod's `pod-template-hash` label (the Deployment
// controller names ReplicaSets `<deployment>-<hash>`), so netscope does not need to
// list or be allowed to read ReplicaSets.
import type { Workload } from '../model/flow.ts';
import { asObject, asString } from './raw.ts';

export function resolveWorkload(labels: Record<string, string>, ownerReferences: unknown[]): Workload | undefined {
  const refs = ownerReferences.map(asObject);
  const ref = refs.find((r) => r.controller === true) ?? refs[0];
  if (!ref) return undefined;
  const kind = asString(ref.kind);
  const name = asString(ref.name);
  if (kind === '' || name === '') return undefined;
  if (kind === 'ReplicaSet') {
    const hash = labels['pod-template-hash'];
    if (hash && name.endsWith(`-${hash}`) && name.length > hash.length + 1) {
      return { kind: 'Deployment', name: name.slice(0, name.length - hash.length - 1) };
    }
  }
  return { kind, name };
}
