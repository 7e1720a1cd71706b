// Kubernetes LabelSelector (matchLabels AND matchExpressions In / NotIn / Exists /
// DoesNotExist), as metav1.LabelSelector defines it; also Cilium's EndpointSelector,
// whose keys may carry a source prefix (`k8s:app`, `any:app`, `reserved:host`).
// Not the filter language's --label selector (src/filter/label-selector.ts).
import { arrayAt, checkFields, objectAt, stringAt, type IssuePath, type Issues } from './issues.ts';

export type Labels = Readonly<Record<string, string>>;

export interface Selector {
  /** Selects everything (`{}`). */
  readonly empty: boolean;
  match(labels: Labels): boolean;
  /** `app=web,tier in (a,b)` or `<all>`. */
  readonly text: string;
}

type Req = { key: string; op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values: string[] };

const OPS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
// Qualified name: optional DNS-subdomain prefix and a name of up to 63 characters.
const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const VALUE = /^(([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?)$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  if (slash < 0) return NAME.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && PREFIX.test(prefix) && NAME.test(key.slice(slash + 1));
}

export interface SelectorOptions {
  /** Cilium: strips `k8s:` / `any:` and keeps `reserved:` keys; checks the rest like Kubernetes. */
  cilium?: boolean;
}

function normalizeKey(key: string, o: SelectorOptions): string {
  if (!o.cilium) return key;
  if (key.startsWith('k8s:')) return key.slice(4);
  if (key.startsWith('any:')) return key.slice(4);
  return key;
}

function checkKey(key: string, path: IssuePath, issues: Issues, o: SelectorOptions): boolean {
  const k = normalizeKey(key, o);
  if (o.cilium && (k.startsWith('reserved:') || k.startsWith('cidr:'))) return true;
  if (!validKey(k)) {
    issues.error(path, `invalid label key "${key}"`);
    return false;
  }
  return true;
}

/**
 * Compiles a selector object. `undefined` in, undefined out (the caller decides what a
 * missing selector means: that differs between fields). Errors go to `issues`.
 */
export function compileSelector(raw: unknown, path: IssuePath, issues: Issues, o: SelectorOptions = {}): Selector | undefined {
  const obj = objectAt(raw, path, issues);
  if (obj === undefined) return undefined;
  checkFields(obj, ['matchLabels', 'matchExpressions'], path, issues);
  const reqs: Req[] = [];
  const ml = objectAt(obj.matchLabels, [...path, 'matchLabels'], issues);
  if (ml) {
    for (const [k, v] of Object.entries(ml)) {
      const p = [...path, 'matchLabels', k];
      if (typeof v !== 'string') {
        issues.error(p, `label value must be a string, got ${typeof v}`);
        continue;
      }
      if (!checkKey(k, p, issues, o)) continue;
      if (!VALUE.test(v)) issues.error(p, `invalid label value "${v}"`);
      reqs.push({ key: normalizeKey(k, o), op: 'In', values: [v] });
    }
  }
  const me = arrayAt(obj.matchExpressions, [...path, 'matchExpressions'], issues);
  (me ?? []).forEach((e, i) => {
    const p = [...path, 'matchExpressions', i];
    const eo = objectAt(e, p, issues) ?? {};
    checkFields(eo, ['key', 'operator', 'values'], p, issues);
    const key = stringAt(eo.key, [...p, 'key'], issues) ?? '';
    const op = stringAt(eo.operator, [...p, 'operator'], issues) ?? '';
    const values = (arrayAt(eo.values, [...p, 'values'], issues) ?? []).map((v, j) => stringAt(v, [...p, 'values', j], issues) ?? '');
    if (key === '') return issues.error([...p, 'key'], 'key is required');
    if (!checkKey(key, [...p, 'key'], issues, o)) return;
    if (!(OPS as readonly string[]).includes(op)) return issues.error([...p, 'operator'], `unknown operator "${op}" (want In, NotIn, Exists or DoesNotExist)`);
    const needValues = op === 'In' || op === 'NotIn';
    if (needValues && values.length === 0) return issues.error([...p, 'values'], `operator ${op} needs at least one value`);
    if (!needValues && values.length > 0) return issues.error([...p, 'values'], `operator ${op} takes no values`);
    reqs.push({ key: normalizeKey(key, o), op: op as Req['op'], values });
  });
  return makeSelector(reqs);
}

function makeSelector(reqs: Req[]): Selector {
  const text = reqs.length === 0 ? '<all>' : reqs.map(reqText).join(',');
  if (reqs.length === 0) return { empty: true, match: () => true, text };
  return {
    empty: false,
    text,
    match(labels: Labels): boolean {
      for (const r of reqs) {
        const has = Object.hasOwn(labels, r.key);
        switch (r.op) {
          case 'In':
            if (!has || !r.values.includes(labels[r.key]!)) return false;
            break;
          case 'NotIn':
            // Kubernetes: NotIn also matches objects without the key.
            if (has && r.values.includes(labels[r.key]!)) return false;
            break;
          case 'Exists':
            if (!has) return false;
            break;
          case 'DoesNotExist':
            if (has) return false;
            break;
        }
      }
      return true;
    },
  };
}

function reqText(r: Req): string {
  switch (r.op) {
    case 'In':
      return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
    case 'NotIn':
      return `${r.key} notin (${r.values.join(',')})`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
  }
}

/** A selector from matchLabels alone (suggestions, tests). */
export function labelsSelector(labels: Labels): Selector {
  return makeSelector(Object.entries(labels).map(([key, v]) => ({ key, op: 'In', values: [v] })));
}
