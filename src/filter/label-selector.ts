// Kubernetes label selectors over Cilium label strings (`source:key=value`), as
// Hubble's --label does: `app=frontend`, `k8s:app in (a, b)`, `!canary`, `tier!=db`.
// A key without a `source:` prefix matches labels from any source; with one, only
// that source. Matching scans the flow's label strings in place (no parsing or
// allocation per flow).

export type Op = 'exists' | 'notexists' | 'eq' | 'neq' | 'in' | 'notin' | 'gt' | 'lt';

export interface Requirement {
  /** Cilium source (`k8s`, `reserved`...) or null for any source. */
  source: string | null;
  key: string;
  op: Op;
  values: string[];
}

const KEY_RE = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
const VALUE_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

class SelectorSyntax extends Error {}

/** Parses a selector; throws Error with a short reason (the caller names the flag). */
export function parseSelector(text: string): Requirement[] {
  let i = 0;
  const n = text.length;
  const ws = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const ident = (what: string): string => {
    ws();
    const start = i;
    while (i < n && !' \t,=!()<>'.includes(text[i]!)) i++;
    const tok = text.slice(start, i);
    if (tok === '') throw new SelectorSyntax(`expected ${what} at position ${start + 1}`);
    return tok;
  };
  const splitKey = (raw: string): { source: string | null; key: string } => {
    const colon = raw.indexOf(':');
    const source = colon < 0 ? null : raw.slice(0, colon);
    const key = colon < 0 ? raw : raw.slice(colon + 1);
    if (source !== null && !/^[a-z0-9-]+$/.test(source)) throw new SelectorSyntax(`invalid label source "${source}"`);
    if (!KEY_RE.test(key)) throw new SelectorSyntax(`invalid label key "${key}"`);
    return { source: source === 'any' ? null : source, key };
  };
  const value = (v: string): string => {
    if (!VALUE_RE.test(v)) throw new SelectorSyntax(`invalid label value "${v}"`);
    return v;
  };
  const reqs: Requirement[] = [];
  ws();
  if (i >= n) throw new SelectorSyntax('empty selector');
  for (;;) {
    ws();
    let req: Requirement;
    if (text[i] === '!') {
      i++;
      const { source, key } = splitKey(ident('a key after !'));
      req = { source, key, op: 'notexists', values: [] };
    } else {
      const { source, key } = splitKey(ident('a label key'));
      ws();
      const rest = text.slice(i);
      if (i >= n || text[i] === ',') {
        req = { source, key, op: 'exists', values: [] };
      } else if (rest.startsWith('==') || rest.startsWith('!=') || rest[0] === '=') {
        const op: Op = rest.startsWith('!=') ? 'neq' : 'eq';
        i += rest.startsWith('==') || rest.startsWith('!=') ? 2 : 1;
        ws();
        const start = i;
        while (i < n && !' \t,()'.includes(text[i]!)) i++;
        req = { source, key, op, values: [value(text.slice(start, i))] };
      } else if (rest[0] === '>' || rest[0] === '<') {
        i++;
        const v = ident('a number');
        if (!/^-?[0-9]+$/.test(v)) throw new SelectorSyntax(`"${v}" is not an integer`);
        req = { source, key, op: rest[0] === '>' ? 'gt' : 'lt', values: [v] };
      } else {
        const word = ident('an operator');
        if (word !== 'in' && word !== 'notin') {
          throw new SelectorSyntax(`unknown operator "${word}" (want =, ==, !=, in, notin, >, <)`);
        }
        ws();
        if (text[i] !== '(') throw new SelectorSyntax(`expected "(" after ${word}`);
        i++;
        const values: string[] = [];
        for (;;) {
          ws();
          const start = i;
          while (i < n && !' \t,()'.includes(text[i]!)) i++;
          const v = text.slice(start, i);
          ws();
          if (v !== '' || text[i] === ',') values.push(value(v));
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] === ')') {
            i++;
            break;
          }
          throw new SelectorSyntax(`missing ")" after ${word} values`);
        }
        if (values.length === 0) throw new SelectorSyntax(`${word} needs at least one value`);
        req = { source, key, op: word, values };
      }
    }
    reqs.push(req);
    ws();
    if (i >= n) break;
    if (text[i] !== ',') throw new SelectorSyntax(`unexpected "${text[i]}" at position ${i + 1}`);
    i++;
  }
  return reqs;
}

// Finds the first label with this source/key. Returns the offset of its value in
// FOUND_LABEL (the label string), or -1 when absent; a label without `=` has value "".
let FOUND_LABEL = '';
function findLabel(labels: readonly string[] | undefined, source: string | null, key: string, prefix: string): number {
  if (labels === undefined) return -1;
  for (let i = 0; i < labels.length; i++) {
    const s = labels[i]!;
    let keyAt: number;
    if (source !== null) {
      if (!s.startsWith(prefix)) continue;
      keyAt = prefix.length - key.length;
    } else {
      keyAt = s.indexOf(':') + 1; // 0 when the label has no source
      if (!s.startsWith(key, keyAt)) continue;
    }
    const end = keyAt + key.length;
    if (end === s.length) {
      FOUND_LABEL = s;
      return end;
    }
    if (s.charCodeAt(end) === 61 /* = */) {
      FOUND_LABEL = s;
      return end + 1;
    }
  }
  return -1;
}

function valueIs(s: string, at: number, v: string): boolean {
  return s.length - at === v.length && s.startsWith(v, at);
}

/** Compiles selectors (ORed) into a predicate over a label list. */
export function compileSelectors(selectors: readonly string[]): (labels: readonly string[] | undefined) => boolean {
  const compiled = selectors.map((sel) => {
    const reqs = parseSelector(sel);
    return reqs.map((r) => {
      const prefix = r.source === null ? '' : `${r.source}:${r.key}`;
      const { source, key, values } = r;
      const num = r.op === 'gt' || r.op === 'lt' ? Number(values[0]) : 0;
      switch (r.op) {
        case 'exists':
          return (ls: readonly string[] | undefined) => findLabel(ls, source, key, prefix) >= 0;
        case 'notexists':
          return (ls: readonly string[] | undefined) => findLabel(ls, source, key, prefix) < 0;
        case 'eq':
        case 'in':
          return (ls: readonly string[] | undefined) => {
            const at = findLabel(ls, source, key, prefix);
            if (at < 0) return false;
            for (let i = 0; i < values.length; i++) if (valueIs(FOUND_LABEL, at, values[i]!)) return true;
            return false;
          };
        case 'neq':
        case 'notin':
          return (ls: readonly string[] | undefined) => {
            const at = findLabel(ls, source, key, prefix);
            if (at < 0) return true;
            for (let i = 0; i < values.length; i++) if (valueIs(FOUND_LABEL, at, values[i]!)) return false;
            return true;
          };
        case 'gt':
        case 'lt':
          return (ls: readonly string[] | undefined) => {
            const at = findLabel(ls, source, key, prefix);
            if (at < 0) return false;
            const v = FOUND_LABEL.slice(at);
            if (!/^-?[0-9]+$/.test(v)) return false;
            return r.op === 'gt' ? Number(v) > num : Number(v) < num;
          };
      }
    });
  });
  return (labels) => {
    outer: for (let s = 0; s < compiled.length; s++) {
      const reqs = compiled[s]!;
      for (let r = 0; r < reqs.length; r++) if (!reqs[r]!(labels)) continue outer;
      return true;
    }
    return false;
  };
}
