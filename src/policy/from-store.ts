// Policies as the cluster model holds them (PolicyView: metadata and spec), back into
// the raw shape the compilers read, for the live cluster and snapshots alike.
import type { ModelObject, PolicyView } from '../k8s/objects.ts';
import type { ResourceKind } from '../k8s/resources.ts';
import { POLICY_KINDS, type RawPolicy } from './policy-set.ts';

export interface PolicyStore {
  list<T extends ModelObject = ModelObject>(kind: ResourceKind): T[];
}

export function policiesFromStore(store: PolicyStore): RawPolicy[] {
  const out: RawPolicy[] = [];
  for (const kind of POLICY_KINDS) {
    for (const p of store.list<PolicyView>(kind)) {
      const raw: Record<string, unknown> = { kind, metadata: p.namespace ? { name: p.name, namespace: p.namespace } : { name: p.name } };
      if (p.specs.length > 0) raw.specs = p.specs;
      if (p.spec !== undefined && !(p.specs.length > 0 && Object.keys(p.spec as object).length === 0)) raw.spec = p.spec;
      out.push({ kind, raw });
    }
  }
  return out;
}
