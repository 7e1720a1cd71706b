// Strict field validation (what `kubectl apply --validate=strict` asks the API server
// for): every field of an object must be one the API type declares. The schema package
// (kubernetes-models) checks types, enums and required fields but lets unknown fields
// through, so a typo such as `readOnlyRootFilesytem` would pass it; this walks the
// generated client-node models' attribute maps to catch those.
import * as k8s from '@kubernetes/client-node';

type AttributeMap = { name: string; baseName: string; type: string }[];
type Model = { getAttributeTypeMap(): AttributeMap };

function model(type: string): Model | undefined {
  const m = (k8s as unknown as Record<string, unknown>)[type];
  return typeof m === 'function' && 'getAttributeTypeMap' in m ? (m as unknown as Model) : undefined;
}

/** Paths of fields the API type does not declare, e.g. `spec.template.spec.containers[0].securityContext.privilegd`. */
export function unknownFields(value: unknown, type: string, path = ''): string[] {
  if (value === null || value === undefined) return [];
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) {
    if (!Array.isArray(value)) return [`${path}: want a list`];
    return value.flatMap((v, i) => unknownFields(v, arr[1]!, `${path}[${i}]`));
  }
  const dict = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (dict) {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: want a map`];
    return Object.entries(value).flatMap(([k, v]) => unknownFields(v, dict[1]!, `${path}.${k}`));
  }
  const m = model(type);
  if (!m) return []; // string, number, boolean, IntOrString, Date, any: leaves
  if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: want an object (${type})`];
  const attrs = new Map(m.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([k, v]) => {
    const t = attrs.get(k);
    const p = path === '' ? k : `${path}.${k}`;
    return t === undefined ? [p] : unknownFields(v, t, p);
  });
}
