// CIDR blocks with exceptions (NetworkPolicy ipBlock, Cilium CIDRSet): parsed and
// checked once, matched against address strings. Reuses the filter's IP parsing.
import { compileIPMatcher, parseIPPrefix } from '../filter/ip-match.ts';
import type { IssuePath, Issues } from './issues.ts';

export interface CidrMatcher {
  text: string;
  match(ip: string): boolean;
}

function checkCidr(value: unknown, path: IssuePath, issues: Issues, requirePrefix: boolean): string | undefined {
  if (typeof value !== 'string' || value === '') {
    issues.error(path, `want a CIDR such as 10.0.0.0/8, got ${JSON.stringify(value)}`);
    return undefined;
  }
  if (requirePrefix && !value.includes('/')) {
    issues.error(path, `invalid CIDR "${value}": missing the prefix length (/32 for one address)`);
    return undefined;
  }
  const parsed = parseIPPrefix(value);
  if (typeof parsed === 'string') {
    issues.error(path, `invalid CIDR "${value}": ${parsed}`);
    return undefined;
  }
  return value;
}

/** `cidr` minus every block of `except`; the exceptions must lie inside it (the API requires it). */
export function compileCidr(cidr: unknown, except: unknown[] | undefined, path: IssuePath, exceptPath: IssuePath, issues: Issues, requirePrefix = true): CidrMatcher | undefined {
  const c = checkCidr(cidr, path, issues, requirePrefix);
  if (c === undefined) return undefined;
  const inside = compileIPMatcher([c]);
  const ex: string[] = [];
  (except ?? []).forEach((e, i) => {
    const v = checkCidr(e, [...exceptPath, i], issues, true);
    if (v === undefined) return;
    const base = v.slice(0, v.indexOf('/'));
    if (!inside(base)) issues.error([...exceptPath, i], `except ${v} is not inside ${c}`);
    else ex.push(v);
  });
  const out = ex.length > 0 ? compileIPMatcher(ex) : undefined;
  return {
    text: ex.length > 0 ? `${c} except ${ex.join(',')}` : c,
    match: (ip) => inside(ip) && !(out?.(ip) ?? false),
  };
}
