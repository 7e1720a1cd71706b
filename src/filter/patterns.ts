// FQDN and node-name patterns with `*` wildcards, compiled to anchored regexes the
// way Hubble does (pkg/hubble/filters/patterns.go): lower-cased, one trailing dot
// dropped, `*` matches any run of DNS characters including dots.
import { DEFAULT_CLUSTER } from './hubble-names.ts';

const FQDN_CHARS = '(?:[-0-9_a-z]+(?:\\.[-0-9_a-z]+)*)';

/** Returns the regex source for one FQDN pattern, or a reason it is invalid. */
export function fqdnPatternSource(pattern: string): string | { error: string } {
  let p = pattern.trim();
  if (p.endsWith('.')) p = p.slice(0, -1);
  p = p.toLowerCase();
  if (p === '') return { error: 'empty pattern' };
  if (p.endsWith('.')) return { error: 'more than one trailing dot' };
  let out = '';
  for (const ch of p) {
    if (ch === '.') out += '\\.';
    else if (ch === '*') out += '[-.0-9a-z]*';
    else if (ch === '-' || ch === '_' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z')) out += ch;
    else return { error: `character ${JSON.stringify(ch)} is not allowed (letters, digits, - _ . and *)` };
  }
  return out;
}

/** One regex matching any of the FQDN patterns (validated beforehand). */
export function compileFqdnPatterns(patterns: readonly string[]): RegExp {
  const parts = patterns.map((p) => {
    const src = fqdnPatternSource(p);
    if (typeof src !== 'string') throw new Error(`fqdn pattern ${JSON.stringify(p)}: ${src.error}`);
    return src;
  });
  return new RegExp(`^(?:${parts.join('|')})$`);
}

export interface NodeNamePattern {
  /** Matches the node part (after `cluster/`). */
  node: RegExp;
  /** Matches the cluster part. */
  cluster: RegExp;
  /** Whether the cluster part matches Cilium's default cluster (node names without `/`). */
  defaultCluster: boolean;
}

/** Validates a node-name pattern `[cluster/]node`; returns a reason when invalid. */
export function nodeNamePatternError(pattern: string): string | undefined {
  if (pattern === '') return 'empty pattern';
  const parts = pattern.split('/');
  if (parts.length > 2) return 'too many slashes (want [cluster/]node)';
  for (const part of parts) {
    if (part === '') continue;
    const src = fqdnPatternSource(part);
    if (typeof src !== 'string') return src.error;
  }
  return undefined;
}

export function compileNodeNamePattern(pattern: string): NodeNamePattern {
  const err = nodeNamePatternError(pattern);
  if (err !== undefined) throw new Error(`node name pattern ${JSON.stringify(pattern)}: ${err}`);
  const parts = pattern.split('/');
  const [clusterPart, nodePart] = parts.length === 2 ? [parts[0]!, parts[1]!] : ['', parts[0]!];
  const re = (part: string): RegExp =>
    new RegExp(`^(?:${part === '' ? FQDN_CHARS : (fqdnPatternSource(part) as string)})$`);
  const cluster = re(clusterPart);
  return { node: re(nodePart), cluster, defaultCluster: cluster.test(DEFAULT_CLUSTER) };
}

/** Node names in flows may carry `cluster/`; without it they belong to the default cluster. */
export function nodeNameMatches(p: NodeNamePattern, nodeName: string): boolean {
  const slash = nodeName.indexOf('/');
  if (slash < 0) return p.defaultCluster && p.node.test(nodeName);
  return p.cluster.test(nodeName.slice(0, slash)) && p.node.test(nodeName.slice(slash + 1));
}
