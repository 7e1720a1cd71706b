// Problems found in a policy object: the path of the field (for file:line lookups)
// and one line saying what is wrong. Errors make the object unusable (the API server
// would reject it); warnings (unknown fields) leave it in effect without the field.

export type IssuePath = readonly (string | number)[];

export interface PolicyIssue {
  severity: 'error' | 'warning';
  path: IssuePath;
  message: string;
}

/** `spec.ingress[0].from[1].podSelector` */
export function pathText(path: IssuePath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

/** Collects issues under a path prefix. */
export class Issues {
  readonly list: PolicyIssue[] = [];
  error(path: IssuePath, message: string): void {
    this.list.push({ severity: 'error', path, message });
  }
  warn(path: IssuePath, message: string): void {
    this.list.push({ severity: 'warning', path, message });
  }
  get hasErrors(): boolean {
    return this.list.some((i) => i.severity === 'error');
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object at `path`, or {} with an error when it is something else; undefined stays undefined. */
export function objectAt(v: unknown, path: IssuePath, issues: Issues): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) {
    issues.error(path, `want an object, got ${Array.isArray(v) ? 'a list' : typeof v}`);
    return {};
  }
  return v;
}

export function arrayAt(v: unknown, path: IssuePath, issues: Issues): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    issues.error(path, `want a list, got ${typeof v}`);
    return [];
  }
  return v;
}

export function stringAt(v: unknown, path: IssuePath, issues: Issues): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    issues.error(path, `want a string, got ${typeof v}`);
    return undefined;
  }
  return v;
}

/** Warns about every key of `o` not in `known` (a typo such as `podSelecter`). */
export function checkFields(o: Record<string, unknown>, known: readonly string[], path: IssuePath, issues: Issues): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) issues.warn([...path, k], `unknown field "${k}" (ignored; known: ${known.join(', ')})`);
  }
}
