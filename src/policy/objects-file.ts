// `--objects FILE`: Kubernetes objects from a `kubectl get ... -o yaml|json` List or a
// multi-document YAML file. Every object keeps where it came from, so a problem in a
// policy is reported as `file:line: Kind ns/name: field: what is wrong`.
import { readFileSync } from 'node:fs';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { ResourceKind } from '../k8s/resources.ts';
import { pathText, type IssuePath } from './issues.ts';
import { isPolicyKind, type ObjectProblem, type RawPolicy } from './policy-set.ts';
import { refText } from './types.ts';

export interface ObjectOrigin {
  file: string;
  doc: Document;
  /** Path of the object inside its document (['items', 3] in a List). */
  prefix: IssuePath;
  lines: LineCounter;
}

export interface LoadedObjects {
  /** Non-policy objects by kind. */
  objects: Map<ResourceKind, unknown[]>;
  policies: RawPolicy[];
  /** One line per problem that is not about a policy's fields (YAML syntax, a missing kind). */
  errors: string[];
  /** Objects of kinds netscope does not read (Deployments...), counted. */
  skipped: number;
}

const MODEL_KINDS: readonly string[] = ['Namespace', 'Node', 'Pod', 'Service', 'EndpointSlice'];

export function emptyObjects(): LoadedObjects {
  return { objects: new Map(), policies: [], errors: [], skipped: 0 };
}

/** Reads and parses one file into `into`; I/O errors throw (the caller names the flag). */
export function loadObjectsFile(file: string, into: LoadedObjects = emptyObjects()): LoadedObjects {
  return parseObjects(readFileSync(file, 'utf8'), file, into);
}

export function parseObjects(text: string, file: string, into: LoadedObjects = emptyObjects()): LoadedObjects {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = lines.linePos(e.pos[0]);
        into.errors.push(`${file}:${pos.line}: invalid YAML: ${e.message.split('\n')[0]}`);
      }
      continue;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    const add = (o: unknown, prefix: IssuePath): void => {
      const origin: ObjectOrigin = { file, doc, prefix, lines };
      if (typeof o !== 'object' || o === null || Array.isArray(o)) {
        into.errors.push(`${file}:${lineOf(origin, [])}: not a Kubernetes object`);
        return;
      }
      const kind = (o as { kind?: unknown }).kind;
      if (typeof kind !== 'string' || kind === '') {
        into.errors.push(`${file}:${lineOf(origin, [])}: object without a kind`);
        return;
      }
      if (kind === 'List' || kind.endsWith('List')) {
        const items = (o as { items?: unknown }).items;
        if (!Array.isArray(items)) into.errors.push(`${file}:${lineOf(origin, [])}: ${kind} without items`);
        else items.forEach((it, i) => add(it, [...prefix, 'items', i]));
        return;
      }
      if (isPolicyKind(kind)) into.policies.push({ kind, raw: o, origin });
      else if (MODEL_KINDS.includes(kind)) {
        const k = kind as ResourceKind;
        const arr = into.objects.get(k) ?? [];
        arr.push(o);
        into.objects.set(k, arr);
      } else into.skipped++;
    };
    add(value, []);
  }
  return into;
}

/** The line of the field at `path` (or of its nearest present parent) in the object's file. */
export function lineOf(origin: ObjectOrigin, path: IssuePath): number {
  for (let n = path.length; n >= 0; n--) {
    const node = origin.doc.getIn([...origin.prefix, ...path.slice(0, n)], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return origin.lines.linePos(node.range[0]).line;
  }
  return 1;
}

function isOrigin(o: unknown): o is ObjectOrigin {
  return typeof o === 'object' && o !== null && 'doc' in o && 'lines' in o && 'file' in o;
}

/** One line per issue: `file:line: Kind ns/name: spec.ingress[0]...: message`. */
export function problemLines(problems: readonly ObjectProblem[]): string[] {
  const out: string[] = [];
  for (const p of problems) {
    const o = isOrigin(p.origin) ? p.origin : undefined;
    const where = (path: IssuePath): string => (o ? `${o.file}:${lineOf(o, path)}: ` : '');
    for (const i of p.issues) {
      const field = pathText(i.path);
      const tail = i.severity === 'error' ? (p.rejected ? ' (policy left out)' : '') : '';
      out.push(`${where(i.path)}${p.ref.kind} ${refText(p.ref)}: ${field ? field + ': ' : ''}${i.message}${tail}`);
    }
  }
  return out;
}

/** Why a file could not be read, in a few words. */
export function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : err instanceof Error ? err.message : String(err);
}

/** Reads objects files into one set; a file that cannot be read is an Error: "FILE: why". */
export function loadObjectsFiles(files: readonly string[]): LoadedObjects {
  const into = emptyObjects();
  for (const f of files) {
    try {
      loadObjectsFile(f, into);
    } catch (err) {
      throw new Error(`${f}: ${readProblem(err)}`);
    }
  }
  return into;
}
