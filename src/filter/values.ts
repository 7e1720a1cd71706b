// Parsing and validation of single flag values into FlowFilter field values. Each
// function throws FilterError naming the flag and the value; nothing here touches
// flows. Accepted spellings follow `hubble observe`.
import { VERDICTS } from '../model/flow.ts';
import type { Verdict, TrafficDirection, IPVersion, TCPFlags, Workload, HTTPHeader } from '../model/flow.ts';
import type { EventTypeFilter } from './flow-filter.ts';
import { invalid } from './errors.ts';
import { EVENT_TYPE_NAMES, TRACE_SUBTYPE_NAMES, RESERVED_IDENTITIES, PROTOCOLS, TCP_FLAG_NAMES } from './hubble-names.ts';
import { fqdnPatternSource, nodeNamePatternError } from './patterns.ts';
import { parseIPPrefix } from './ip-match.ts';
import { parseSelector } from './label-selector.ts';
import { goRegExp } from './go-regexp.ts';

export function parseVerdict(flag: string, v: string): Verdict {
  const up = v.toUpperCase();
  if ((VERDICTS as readonly string[]).includes(up)) return up as Verdict;
  throw invalid(flag, v, `want one of ${VERDICTS.filter((x) => x !== 'VERDICT_UNKNOWN').join(', ')}`);
}

export function parseDropReason(flag: string, v: string): string {
  const up = v.toUpperCase();
  if (/^[A-Z][A-Z0-9_]*$/.test(up)) return up;
  throw invalid(flag, v, 'want a drop reason name such as POLICY_DENIED');
}

/** `[namespace/]name-prefix`, or `namespace/` for a whole namespace. */
export function parseNamespacedName(flag: string, v: string): string {
  if (v === '') throw invalid(flag, v, 'want [namespace/]name');
  const parts = v.split('/');
  if (parts.length > 2) throw invalid(flag, v, 'want [namespace/]name (one slash at most)');
  if (parts.length === 2 && parts[0] === '') throw invalid(flag, v, 'namespace before "/" is empty');
  return v;
}

export function parseNamespace(flag: string, v: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v)) throw invalid(flag, v, 'want a Kubernetes namespace name');
  return v;
}

export function parseIP(flag: string, v: string): string {
  const p = parseIPPrefix(v);
  if (typeof p === 'string') throw invalid(flag, v, p);
  return v;
}

export function parseLabelSelector(flag: string, v: string): string {
  try {
    parseSelector(v);
  } catch (err) {
    throw invalid(flag, v, (err as Error).message);
  }
  return v;
}

export function parseFqdn(flag: string, v: string): string {
  const src = fqdnPatternSource(v);
  if (typeof src !== 'string') throw invalid(flag, v, src.error);
  return v;
}

export function parseNodeName(flag: string, v: string): string {
  const err = nodeNamePatternError(v);
  if (err !== undefined) throw invalid(flag, v, err);
  return v;
}

/** `kind/name`, `name`, or `kind/` (any workload of that kind). */
export function parseWorkload(flag: string, v: string): Workload {
  if (v === '' || v === '/') throw invalid(flag, v, 'want [kind/]name, e.g. Deployment/frontend');
  const slash = v.indexOf('/');
  if (slash < 0) return { name: v };
  if (v.indexOf('/', slash + 1) >= 0) throw invalid(flag, v, 'want [kind/]name (one slash at most)');
  const kind = v.slice(0, slash);
  const name = v.slice(slash + 1);
  const w: Workload = {};
  if (name !== '') w.name = name;
  if (kind !== '') w.kind = kind;
  return w;
}

export function parseIdentity(flag: string, v: string): number {
  if (/^[0-9]+$/.test(v)) {
    const n = Number(v);
    if (n <= 0xffffffff) return n;
  }
  const name = v.startsWith('reserved:') ? v.slice('reserved:'.length) : v;
  const id = RESERVED_IDENTITIES[name];
  if (id !== undefined) return id;
  throw invalid(flag, v, `want a numeric identity or one of ${Object.keys(RESERVED_IDENTITIES).join(', ')}`);
}

export function parsePort(flag: string, v: string): string {
  if (/^[0-9]{1,5}$/.test(v) && Number(v) <= 65535) return String(Number(v));
  throw invalid(flag, v, 'want a port number 0-65535');
}

export function parseProtocol(flag: string, v: string): string {
  const low = v.toLowerCase();
  if ((PROTOCOLS as readonly string[]).includes(low)) return low;
  throw invalid(flag, v, `want one of ${PROTOCOLS.join(', ')}`);
}

/** `404` or a class prefix such as `5+` or `40+` (Hubble's http_status_code syntax). */
export function parseHttpStatus(flag: string, v: string): string {
  if (/^[1-5][0-9]{2}$/.test(v) || /^[1-5][0-9]?\+$/.test(v)) return v;
  throw invalid(flag, v, 'want a code like 404 or a class like 5+');
}

export function parseHttpMethod(flag: string, v: string): string {
  if (/^[A-Za-z]+$/.test(v)) return v.toUpperCase();
  throw invalid(flag, v, 'want an HTTP method such as GET');
}

export function parseHttpHeader(flag: string, v: string): HTTPHeader {
  const colon = v.indexOf(':');
  if (colon <= 0) throw invalid(flag, v, 'want name:value');
  return { key: v.slice(0, colon), value: v.slice(colon + 1) };
}

export function parseRegex(flag: string, v: string): string {
  if (v === '') throw invalid(flag, v, 'empty regular expression');
  try {
    goRegExp(v);
  } catch (err) {
    throw invalid(flag, v, `bad regular expression: ${(err as Error).message}`);
  }
  return v;
}

export function parseTcpFlags(flag: string, v: string): TCPFlags {
  const out: TCPFlags = {};
  for (const raw of v.split(',')) {
    const name = raw.trim().toUpperCase();
    if (!(TCP_FLAG_NAMES as readonly string[]).includes(name)) {
      throw invalid(flag, v, `unknown TCP flag ${JSON.stringify(raw.trim())} (want ${TCP_FLAG_NAMES.join(', ')}, comma-separated)`);
    }
    out[name as keyof TCPFlags] = true;
  }
  return out;
}

export function parseTrafficDirection(flag: string, v: string): TrafficDirection {
  const up = v.toUpperCase();
  if (up === 'INGRESS' || up === 'EGRESS') return up;
  throw invalid(flag, v, 'want ingress or egress');
}

export function parseIPVersion(flag: string, v: string): IPVersion {
  switch (v.toLowerCase()) {
    case '4':
    case 'v4':
    case 'ipv4':
    case 'ip4':
      return 'IPv4';
    case '6':
    case 'v6':
    case 'ipv6':
    case 'ip6':
      return 'IPv6';
  }
  throw invalid(flag, v, 'want 4 or 6 (or ipv4, ipv6)');
}

export function parseBool(flag: string, v: string): boolean {
  switch (v.toLowerCase()) {
    case 'true':
    case '1':
    case 't':
    case 'yes':
      return true;
    case 'false':
    case '0':
    case 'f':
    case 'no':
      return false;
  }
  throw invalid(flag, v, 'want true or false');
}

export function parseClusterName(flag: string, v: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v)) throw invalid(flag, v, 'want a cluster name (lower-case letters, digits, -)');
  return v;
}

export function parseInterface(flag: string, v: string): string {
  if (!/^[^\s/]{1,15}$/.test(v)) throw invalid(flag, v, 'want a network interface name such as eth0');
  return v;
}

export function parseUuid(flag: string, v: string): string {
  if (v.trim() === '') throw invalid(flag, v, 'empty uuid');
  return v;
}

/** `type` or `type:subtype`, names as in `hubble observe --type` (or numbers). */
export function parseEventType(flag: string, v: string): EventTypeFilter {
  const colon = v.indexOf(':');
  const typeText = colon < 0 ? v : v.slice(0, colon);
  const subText = colon < 0 ? undefined : v.slice(colon + 1);
  let type = EVENT_TYPE_NAMES[typeText.toLowerCase()];
  if (type === undefined) {
    if (!/^[0-9]{1,3}$/.test(typeText) || Number(typeText) > 255) {
      throw invalid(flag, v, `unknown event type ${JSON.stringify(typeText)} (want one of ${Object.keys(EVENT_TYPE_NAMES).join(', ')})`);
    }
    type = Number(typeText);
  }
  const out: EventTypeFilter = { type };
  if (subText !== undefined) {
    let sub = type === EVENT_TYPE_NAMES['trace'] ? TRACE_SUBTYPE_NAMES[subText.toLowerCase()] : undefined;
    if (sub === undefined) {
      if (!/^[0-9]{1,3}$/.test(subText) || Number(subText) > 255) {
        const hint = type === EVENT_TYPE_NAMES['trace'] ? ` (trace sub-types: ${Object.keys(TRACE_SUBTYPE_NAMES).join(', ')})` : ' (want a number)';
        throw invalid(flag, v, `unknown sub-type ${JSON.stringify(subText)}${hint}`);
      }
      sub = Number(subText);
    }
    out.match_sub_type = true;
    out.sub_type = sub;
  }
  return out;
}
