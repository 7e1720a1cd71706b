// Safe readers for untyped JSON from the API server. Objects arrive as `unknown`;
// these helpers never throw, so one odd object cannot stop a watch.

export type Json = unknown;
export type JsonObject = Record<string, unknown>;

export function asObject(v: Json): JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : {};
}

export function asArray(v: Json): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asString(v: Json): string {
  return typeof v === 'string' ? v : '';
}

export function asNumber(v: Json): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export function asStringMap(v: Json): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(asObject(v))) {
    if (typeof val === 'string') out[k] = val;
  }
  return out;
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  labels: Record<string, string>;
}

export function readMeta(raw: Json): ObjectMeta {
  const m = asObject(asObject(raw).metadata);
  return {
    name: asString(m.name),
    namespace: asString(m.namespace),
    uid: asString(m.uid),
    resourceVersion: asString(m.resourceVersion),
    creationTimestamp: asString(m.creationTimestamp),
    labels: asStringMap(m.labels),
  };
}

/** Store key: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}/${name}`;
}

export function keyOf(raw: Json): string {
  const m = readMeta(raw);
  return objectKey(m.namespace, m.name);
}
