// The table of filter flags: names, short forms, whether they take a value, help
// text and what the TUI filter bar can complete for them. Names are without the
// leading dashes (`verdict` is typed `--verdict`, short `n` is typed `-n`).

export type Completion =
  | 'namespace'
  | 'pod'
  | 'service'
  | 'workload'
  | 'label'
  | 'verdict'
  | 'protocol'
  | 'node'
  | 'type'
  | 'direction'
  | 'drop-reason'
  | 'none';

import { VERDICTS, TRAFFIC_DIRECTIONS } from '../model/flow.ts';
import { EVENT_TYPE_NAMES, TRACE_SUBTYPE_NAMES, PROTOCOLS, DROP_REASONS } from './hubble-names.ts';

export interface FilterFlag {
  name: string;
  short?: string;
  takesValue: boolean;
  help: string;
  completes?: Completion;
}

export const FILTER_FLAGS: ReadonlyArray<FilterFlag> = [
  { name: 'not', takesValue: false, help: 'Negate the next filter flag (all negated flags form one deny filter, as in hubble)' },
  { name: 'namespace', short: 'n', takesValue: true, completes: 'namespace', help: 'Show flows with source or destination in this namespace' },
  { name: 'from-namespace', takesValue: true, completes: 'namespace', help: 'Show flows from this namespace' },
  { name: 'to-namespace', takesValue: true, completes: 'namespace', help: 'Show flows to this namespace' },
  { name: 'all-namespaces', short: 'A', takesValue: false, help: 'Show all flows in any Kubernetes namespace (no namespace restriction)' },
  { name: 'pod', takesValue: true, completes: 'pod', help: 'Show flows from or to pods with this [namespace/]name prefix' },
  { name: 'from-pod', takesValue: true, completes: 'pod', help: 'Show flows from pods with this [namespace/]name prefix' },
  { name: 'to-pod', takesValue: true, completes: 'pod', help: 'Show flows to pods with this [namespace/]name prefix' },
  { name: 'cluster', takesValue: true, completes: 'none', help: 'Show flows from or to endpoints in this cluster' },
  { name: 'from-cluster', takesValue: true, completes: 'none', help: 'Show flows from endpoints in this cluster' },
  { name: 'to-cluster', takesValue: true, completes: 'none', help: 'Show flows to endpoints in this cluster' },
  { name: 'ip', takesValue: true, completes: 'none', help: 'Show flows from or to this IP address or CIDR' },
  { name: 'from-ip', takesValue: true, completes: 'none', help: 'Show flows from this IP address or CIDR' },
  { name: 'to-ip', takesValue: true, completes: 'none', help: 'Show flows to this IP address or CIDR' },
  { name: 'snat-ip', takesValue: true, completes: 'none', help: 'Show flows whose source was translated (SNAT) to this IP or CIDR' },
  { name: 'ipv4', short: '4', takesValue: false, help: 'Show only IPv4 flows' },
  { name: 'ipv6', short: '6', takesValue: false, help: 'Show only IPv6 flows' },
  { name: 'ip-version', takesValue: true, completes: 'none', help: 'Show only flows of this IP version (4 or 6)' },
  { name: 'label', short: 'l', takesValue: true, completes: 'label', help: 'Show flows from or to endpoints matching this label selector' },
  { name: 'from-label', takesValue: true, completes: 'label', help: 'Show flows from endpoints matching this label selector' },
  { name: 'to-label', takesValue: true, completes: 'label', help: 'Show flows to endpoints matching this label selector' },
  { name: 'service', takesValue: true, completes: 'service', help: 'Show flows from or to this [namespace/]service' },
  { name: 'from-service', takesValue: true, completes: 'service', help: 'Show flows from this [namespace/]service' },
  { name: 'to-service', takesValue: true, completes: 'service', help: 'Show flows to this [namespace/]service' },
  { name: 'workload', takesValue: true, completes: 'workload', help: 'Show flows from or to this [kind/]workload' },
  { name: 'from-workload', takesValue: true, completes: 'workload', help: 'Show flows from this [kind/]workload' },
  { name: 'to-workload', takesValue: true, completes: 'workload', help: 'Show flows to this [kind/]workload' },
  { name: 'fqdn', takesValue: true, completes: 'none', help: 'Show flows from or to this FQDN pattern (* wildcards)' },
  { name: 'from-fqdn', takesValue: true, completes: 'none', help: 'Show flows from this FQDN pattern (* wildcards)' },
  { name: 'to-fqdn', takesValue: true, completes: 'none', help: 'Show flows to this FQDN pattern (* wildcards)' },
  { name: 'identity', takesValue: true, completes: 'none', help: 'Show flows from or to this security identity (number or reserved name)' },
  { name: 'from-identity', takesValue: true, completes: 'none', help: 'Show flows from this security identity' },
  { name: 'to-identity', takesValue: true, completes: 'none', help: 'Show flows to this security identity' },
  { name: 'port', takesValue: true, completes: 'none', help: 'Show flows with this L4 source or destination port' },
  { name: 'from-port', takesValue: true, completes: 'none', help: 'Show flows with this L4 source port' },
  { name: 'to-port', takesValue: true, completes: 'none', help: 'Show flows with this L4 destination port' },
  { name: 'protocol', takesValue: true, completes: 'protocol', help: 'Show flows of this protocol (tcp, udp, sctp, icmp, icmpv4, icmpv6, http, dns, kafka)' },
  { name: 'verdict', takesValue: true, completes: 'verdict', help: 'Show flows with this verdict (FORWARDED, DROPPED, ERROR, AUDIT, REDIRECTED, TRACED, TRANSLATED)' },
  { name: 'drop-reason-desc', takesValue: true, completes: 'drop-reason', help: 'Show dropped flows with this drop reason (e.g. POLICY_DENIED)' },
  { name: 'type', short: 't', takesValue: true, completes: 'type', help: 'Show flows of this event type[:subtype] (trace, drop, l7, policy-verdict, capture, debug, sock; e.g. trace:to-endpoint)' },
  { name: 'http-status', takesValue: true, completes: 'none', help: 'Show L7 flows with this HTTP status code or class (404, 5+)' },
  { name: 'http-method', takesValue: true, completes: 'none', help: 'Show L7 flows with this HTTP method' },
  { name: 'http-path', takesValue: true, completes: 'none', help: 'Show L7 flows whose HTTP URL path matches this regex' },
  { name: 'http-url', takesValue: true, completes: 'none', help: 'Show L7 flows whose HTTP URL matches this regex' },
  { name: 'http-header', takesValue: true, completes: 'none', help: 'Show L7 flows with this HTTP header (name:value)' },
  { name: 'dns-query', takesValue: true, completes: 'none', help: 'Show DNS flows whose query matches this regex' },
  { name: 'tcp-flags', takesValue: true, completes: 'none', help: 'Show TCP flows with all of these flags (e.g. SYN or SYN,ACK)' },
  { name: 'node-name', takesValue: true, completes: 'node', help: 'Show flows observed on this node ([cluster/]name, * wildcards)' },
  { name: 'node-label', takesValue: true, completes: 'label', help: 'Show flows observed on nodes matching this label selector' },
  { name: 'traffic-direction', takesValue: true, completes: 'direction', help: 'Show flows in this traffic direction (ingress or egress)' },
  { name: 'interface', takesValue: true, completes: 'none', help: 'Show flows observed on this network interface' },
  { name: 'encrypted', takesValue: false, help: 'Show only encrypted flows' },
  { name: 'unencrypted', takesValue: false, help: 'Show only unencrypted flows' },
  { name: 'reply', takesValue: false, help: 'Show only reply flows (--reply=false: only non-reply flows)' },
  { name: 'uuid', takesValue: true, completes: 'none', help: 'Show the flow with this UUID' },
  { name: 'allowlist', takesValue: true, completes: 'none', help: 'Add a raw FlowFilter in hubble JSON to the allow list (ORed with the flags\' filters)' },
  { name: 'denylist', takesValue: true, completes: 'none', help: 'Add a raw FlowFilter in hubble JSON to the deny list' },
];

/** Fixed value lists for completion (names from the cluster come from elsewhere). */
export const FILTER_VALUE_CHOICES: Readonly<Partial<Record<Completion, readonly string[]>>> = {
  verdict: VERDICTS.filter((v) => v !== 'VERDICT_UNKNOWN'),
  protocol: PROTOCOLS,
  direction: TRAFFIC_DIRECTIONS.filter((d) => d !== 'TRAFFIC_DIRECTION_UNKNOWN').map((d) => d.toLowerCase()),
  'drop-reason': DROP_REASONS.filter((r) => r !== 'DROP_REASON_UNKNOWN'),
  type: [
    ...Object.keys(EVENT_TYPE_NAMES).filter((t) => t !== 'agent' && t !== 'recorder'),
    ...Object.keys(TRACE_SUBTYPE_NAMES).map((s) => `trace:${s}`),
  ],
};

const BY_NAME = new Map<string, FilterFlag>(FILTER_FLAGS.map((f) => [f.name, f]));
const BY_SHORT = new Map<string, FilterFlag>(FILTER_FLAGS.filter((f) => f.short).map((f) => [f.short!, f]));

export function flagByName(name: string): FilterFlag | undefined {
  return BY_NAME.get(name);
}

export interface SplitFlag {
  flag: FilterFlag;
  /** The value given with the flag itself (`--x=v`, `-nv`), if any. */
  inline?: string;
}

/** Recognises a filter flag in one argv word; undefined when it is not one. */
export function splitFlag(arg: string): SplitFlag | undefined {
  if (arg.startsWith('--')) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const flag = BY_NAME.get(name);
    if (!flag) return undefined;
    return eq < 0 ? { flag } : { flag, inline: arg.slice(eq + 1) };
  }
  if (arg.length >= 2 && arg[0] === '-') {
    const flag = BY_SHORT.get(arg[1]!);
    if (!flag) return undefined;
    if (arg.length === 2) return { flag };
    if (arg[2] === '=') return { flag, inline: arg.slice(3) };
    // pflag style `-nshop`; bool shorts stand alone.
    return flag.takesValue ? { flag, inline: arg.slice(2) } : undefined;
  }
  return undefined;
}

/** True for any argv word that is a filter flag: `--verdict`, `--verdict=DROPPED`, `-n`, `-nshop`, `--not`, `-A`. */
export function isFilterFlag(arg: string): boolean {
  return splitFlag(arg) !== undefined;
}

/** The aligned "Filters:" block for --help. */
export function filterHelp(): string {
  const rows = FILTER_FLAGS.map((f) => {
    const left = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.takesValue ? ' value' : ''}`;
    return { left, help: f.help };
  });
  const width = Math.max(...rows.map((r) => r.left.length));
  const lines = rows.map((r) => `  ${r.left.padEnd(width)}   ${r.help}`);
  return [
    'Filters (hubble semantics: different flags AND, repeated flags OR; --not excludes):',
    ...lines,
    '  Pod and service names are [namespace/]prefix; a bare name means namespace "default"',
    '  unless --namespace/--from-namespace/--to-namespace (or the default namespace) says otherwise.',
    '',
  ].join('\n');
}
