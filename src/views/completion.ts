// Tab completion for the filter bar: flag names, and after a flag that names cluster
// objects (namespace, pod, service, ...) the names seen in flows and the cluster.
import { FILTER_FLAGS, type Completion } from '../filter/flags.ts';
import { VERDICTS } from '../model/flow.ts';

export type NameSource = (kind: Completion) => Iterable<string>;

export interface Completed {
  text: string;
  cursor: number;
  /** Candidates when more than one matched (shown as a hint), else empty. */
  candidates: string[];
}

const STATIC: Partial<Record<Completion, readonly string[]>> = {
  verdict: VERDICTS.filter((v) => v !== 'VERDICT_UNKNOWN'),
  protocol: ['tcp', 'udp', 'sctp', 'icmp', 'icmpv4', 'icmpv6', 'http', 'dns', 'kafka'],
  direction: ['ingress', 'egress'],
};

function commonPrefix(words: string[]): string {
  if (words.length === 0) return '';
  let p = words[0];
  for (const w of words) while (!w.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** Completes the word before the cursor. */
export function complete(text: string, cursor: number, names: NameSource): Completed {
  const before = text.slice(0, cursor);
  const start = before.search(/\S*$/);
  const word = before.slice(start);
  const prev = before.slice(0, start).trim().split(/\s+/).pop() ?? '';
  let candidates: string[];
  if (word.startsWith('-')) {
    candidates = FILTER_FLAGS.map((f) => `--${f.name}`).filter((n) => n.startsWith(word));
  } else {
    const flag = FILTER_FLAGS.find((f) => `--${f.name}` === prev || (f.short !== undefined && `-${f.short}` === prev));
    const kind = flag?.completes;
    if (!flag || !flag.takesValue || !kind || kind === 'none') return { text, cursor, candidates: [] };
    const pool = new Set<string>([...(STATIC[kind] ?? []), ...names(kind)]);
    candidates = [...pool].filter((n) => n.startsWith(word) || n.toUpperCase().startsWith(word.toUpperCase())).sort();
  }
  if (candidates.length === 0) return { text, cursor, candidates: [] };
  const insert = candidates.length === 1 ? candidates[0] + ' ' : commonPrefix(candidates);
  const replaced = insert.length >= word.length ? insert : word;
  const next = before.slice(0, start) + replaced + text.slice(cursor);
  return { text: next, cursor: start + replaced.length, candidates: candidates.length === 1 ? [] : candidates };
}
