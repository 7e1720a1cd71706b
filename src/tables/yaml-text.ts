// The `y` view: an object as YAML, like `kubectl get -o yaml`, without the
// managedFields noise. Pure: object in, lines out (sanitized by the renderer).
import { stringify } from 'yaml';
import { asObject } from '../k8s/raw.ts';

export function yamlLines(raw: unknown): string[] {
  const o = { ...asObject(raw) };
  const meta = asObject(o.metadata);
  if (meta.managedFields !== undefined) {
    const { managedFields: _dropped, ...rest } = meta;
    o.metadata = rest;
  }
  return stringify(o, { lineWidth: 0 }).replace(/\n$/, '').split('\n');
}
