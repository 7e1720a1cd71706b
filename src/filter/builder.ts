// Builds a FilterSet from command-line flags the way `hubble observe` does
// (hubble/cmd/observe/flows_filter.go): every flag updates two filters, "left"
// and "right", which end up ORed. "Either side" flags (--pod, --ip, --label...)
// put the source field into left and the destination field into right; one-sided
// and plain flags go into both. Namespaces are applied at build time to pod and
// service names. `--not` sends the next flag to a second pair (the deny list).
import type { FlowFilter, FilterSet } from './flow-filter.ts';
import { FilterError, quote } from './errors.ts';
import { splitFlag, type FilterFlag } from './flags.ts';
import * as V from './values.ts';
import { flowFilterToJSON } from './json.ts';
import { parseRawFilter } from './raw-filter.ts';
import { compileFlowFilter } from './compile.ts';

type ListField = {
  [K in keyof FlowFilter]-?: NonNullable<FlowFilter[K]> extends Array<unknown> ? K : never;
}[keyof FlowFilter];
type Item<K extends ListField> = NonNullable<FlowFilter[K]> extends Array<infer T> ? T : never;

function push<K extends ListField>(ff: FlowFilter, field: K, value: Item<K>): void {
  const list = (ff[field] ?? []) as Item<K>[];
  list.push(value);
  (ff as Record<string, unknown>)[field] = list;
}

// Flags Hubble refuses to combine (hubble's table). --namespace is applied to the
// source of one filter and the destination of the other, so with a one-sided pod
// or service flag it would give odd results; hence the conflicts. --all-namespaces
// here means "no namespace restriction" and only conflicts with namespace flags.
const CONFLICTS: readonly (readonly string[])[] = [
  ['from-fqdn', 'from-ip', 'ip', 'fqdn', 'from-namespace', 'namespace'],
  ['from-fqdn', 'from-ip', 'ip', 'fqdn', 'from-pod', 'pod'],
  ['to-fqdn', 'to-ip', 'ip', 'fqdn', 'to-namespace', 'namespace'],
  ['to-fqdn', 'to-ip', 'ip', 'fqdn', 'to-pod', 'pod'],
  ['to-pod', 'namespace', 'all-namespaces'],
  ['from-pod', 'namespace', 'all-namespaces'],
  ['to-service', 'namespace', 'all-namespaces'],
  ['from-service', 'namespace', 'all-namespaces'],
  ['all-namespaces', 'namespace'],
  ['all-namespaces', 'from-namespace'],
  ['all-namespaces', 'to-namespace'],
  ['label', 'from-label'],
  ['label', 'to-label'],
  ['service', 'from-service'],
  ['service', 'to-service'],
  ['port', 'to-port'],
  ['port', 'from-port'],
  ['identity', 'to-identity'],
  ['identity', 'from-identity'],
  ['workload', 'to-workload'],
  ['workload', 'from-workload'],
  ['cluster', 'to-cluster'],
  ['cluster', 'from-cluster'],
  ['encrypted', 'unencrypted'],
];

// Flags that locate an endpoint by address: a default namespace does not apply to them.
const ADDRESS_FLAGS = ['ip', 'from-ip', 'to-ip', 'fqdn', 'from-fqdn', 'to-fqdn'];
const NAME_FLAGS = ['pod', 'from-pod', 'to-pod', 'service', 'from-service', 'to-service'];

class Tracker {
  left: FlowFilter | undefined;
  right: FlowFilter | undefined;
  ns: string[] = [];
  srcNs: string[] = [];
  dstNs: string[] = [];
  allNamespaces = false;
  changed: string[] = [];

  applyLeft(update: (ff: FlowFilter) => void): void {
    this.left ??= {};
    update(this.left);
  }
  applyRight(update: (ff: FlowFilter) => void): void {
    this.right ??= {};
    update(this.right);
  }
  apply(update: (ff: FlowFilter) => void): void {
    this.applyLeft(update);
    this.applyRight(update);
  }
  /** Either-side flag: source field on the left, destination field on the right. */
  sides<S extends ListField, D extends ListField>(src: S, dst: D, value: Item<S> & Item<D>): void {
    this.applyLeft((ff) => push(ff, src, value));
    this.applyRight((ff) => push(ff, dst, value));
  }
  both<K extends ListField>(field: K, value: Item<K>): void {
    this.apply((ff) => push(ff, field, value));
  }

  track(name: string): void {
    if (!this.changed.includes(name)) this.changed.push(name);
    for (const group of CONFLICTS) {
      if (!group.includes(name)) continue;
      for (const other of group) {
        if (other !== name && this.changed.includes(other)) {
          throw new FilterError(`filters --${other} and --${name} cannot be combined`);
        }
      }
    }
  }
}

function namespaceOf(name: string): string {
  const slash = name.indexOf('/');
  return slash < 0 ? '' : name.slice(0, slash);
}

function checkNamespaceConflicts(t: Tracker, ff: FlowFilter | undefined): void {
  if (!ff) return;
  const check = (nss: string[], flag: string, names: string[] | undefined): void => {
    for (const ns of nss) {
      for (const name of names ?? []) {
        const nn = namespaceOf(name);
        if (nn !== '' && nn !== ns) {
          throw new FilterError(`namespace conflict: --${flag} ${quote(ns)} does not contain ${quote(name)}`);
        }
      }
    }
  };
  for (const names of [ff.source_pod, ff.source_service, ff.destination_pod, ff.destination_service]) check(t.ns, 'namespace', names);
  for (const names of [ff.source_pod, ff.source_service]) check(t.srcNs, 'from-namespace', names);
  for (const names of [ff.destination_pod, ff.destination_service]) check(t.dstNs, 'to-namespace', names);
  const consistent = (pods: string[] | undefined, services: string[] | undefined): void => {
    for (const pod of pods ?? []) {
      const podNs = namespaceOf(pod);
      if (podNs === '') continue;
      for (const svc of services ?? []) {
        if (namespaceOf(svc) !== podNs) {
          throw new FilterError(`namespace conflict: service ${quote(svc)} is not in the namespace of pod ${quote(pod)}`);
        }
      }
    }
  };
  consistent(ff.source_pod, ff.source_service);
  consistent(ff.destination_pod, ff.destination_service);
}

function addNamespaces(names: string[] | undefined, nss: string[]): string[] | undefined {
  if (!names || names.length === 0 || nss.length === 0) return names;
  const out: string[] = [];
  for (const name of names) {
    if (name.includes('/')) out.push(name);
    else for (const ns of nss) out.push(`${ns}/${name}`);
  }
  return out;
}

function applySrc(nss: string[], ff: FlowFilter): void {
  if (!ff.source_pod?.length && !ff.source_service?.length) ff.source_pod = [''];
  ff.source_pod = addNamespaces(ff.source_pod, nss);
  const svc = addNamespaces(ff.source_service, nss);
  if (svc) ff.source_service = svc;
}

function applyDst(nss: string[], ff: FlowFilter): void {
  if (!ff.destination_pod?.length && !ff.destination_service?.length) ff.destination_pod = [''];
  ff.destination_pod = addNamespaces(ff.destination_pod, nss);
  const svc = addNamespaces(ff.destination_service, nss);
  if (svc) ff.destination_service = svc;
}

function clone(ff: FlowFilter | undefined): FlowFilter {
  return ff ? (structuredClone(ff) as FlowFilter) : {};
}

/** The filters of one tracker; `defaultNs` is applied as described on FilterBuilderOptions. */
function materialize(t: Tracker, defaultNs: string | undefined): FlowFilter[] {
  let ns = t.ns;
  let qualifyBare: string | undefined;
  if (defaultNs !== undefined && !t.allNamespaces && t.ns.length + t.srcNs.length + t.dstNs.length === 0) {
    if (t.changed.some((f) => ADDRESS_FLAGS.includes(f))) {
      // an address says where the endpoint is; a namespace would contradict it
    } else if (t.changed.some((f) => NAME_FLAGS.includes(f))) {
      qualifyBare = defaultNs;
    } else {
      ns = [defaultNs];
    }
  }
  if (!t.left && !t.right && ns.length === 0 && t.srcNs.length === 0 && t.dstNs.length === 0) return [];
  const left = clone(t.left);
  const right = clone(t.right);
  if (qualifyBare !== undefined) {
    for (const ff of [left, right]) {
      for (const field of ['source_pod', 'destination_pod', 'source_service', 'destination_service'] as const) {
        const q = addNamespaces(ff[field], [qualifyBare]);
        if (q) ff[field] = q;
      }
    }
  }
  if (t.dstNs.length > 0) {
    applyDst(t.dstNs, left);
    applyDst(t.dstNs, right);
  }
  if (t.srcNs.length > 0) {
    applySrc(t.srcNs, left);
    applySrc(t.srcNs, right);
  }
  if (ns.length > 0) {
    applySrc(ns, left);
    applyDst(ns, right);
  }
  if (flowFilterToJSON(left) === flowFilterToJSON(right)) return [left];
  return [left, right];
}

// Hubble refuses HTTP filters combined with an event type filter that excludes L7.
function checkHttpWithType(ff: FlowFilter): void {
  if (!ff.event_type?.length) return;
  if (ff.event_type.some((t) => t.type === 129 || !t.type)) return;
  const http: [keyof FlowFilter, string][] = [
    ['http_status_code', 'http-status'],
    ['http_method', 'http-method'],
    ['http_path', 'http-path'],
    ['http_url', 'http-url'],
    ['http_header', 'http-header'],
  ];
  for (const [field, flag] of http) {
    if (ff[field] !== undefined) throw new FilterError(`filter --${flag} needs --type l7 (or no --type), not another event type`);
  }
}

export interface FilterBuilderOptions {
  /**
   * A namespace to assume when the flags name none (the TUI's `-n`, the kube
   * context's namespace). Applied only to the allow list, and not when
   * --all-namespaces, --namespace, --from-namespace or --to-namespace is given:
   * - with --pod/--service style flags it qualifies bare names (instead of "default");
   * - with --ip/--fqdn style flags it is ignored (the address locates the endpoint);
   * - otherwise it restricts flows to those with either side in that namespace.
   */
  defaultNamespace?: string;
}

export class FilterBuilder {
  private readonly allow = new Tracker();
  private readonly deny = new Tracker();
  private negateNext = false;
  private readonly defaultNamespace: string | undefined;
  private readonly rawAllow: FlowFilter[] = [];
  private readonly rawDeny: FlowFilter[] = [];

  constructor(options: FilterBuilderOptions = {}) {
    this.defaultNamespace = options.defaultNamespace;
  }

  /** True once --all-namespaces/-A was given. */
  get allNamespaces(): boolean {
    return this.allow.allNamespaces;
  }

  /**
   * Parses one filter flag at argv[i] (value in argv[i+1] or after `=`) and
   * returns the index after what it consumed. Throws FilterError.
   */
  consume(argv: readonly string[], i: number): number {
    const arg = argv[i];
    if (arg === undefined) throw new FilterError('missing filter flag');
    const split = splitFlag(arg);
    if (!split) {
      throw new FilterError(arg.startsWith('-') ? `unknown flag ${quote(arg)}` : `unexpected argument ${quote(arg)} (filters are flags, e.g. --pod ${sanitizeArg(arg)})`);
    }
    const { flag } = split;
    let value: string;
    let next = i + 1;
    if (flag.takesValue) {
      if (split.inline !== undefined) {
        value = split.inline;
      } else {
        const v = argv[i + 1];
        if (v === undefined) throw new FilterError(`flag --${flag.name} needs a value`);
        if (v.startsWith('-') && splitFlag(v) !== undefined) {
          throw new FilterError(`flag --${flag.name} needs a value (got the flag ${quote(v)})`);
        }
        value = v;
        next = i + 2;
      }
    } else {
      if (flag.name === 'not' && split.inline !== undefined) throw new FilterError('--not takes no value');
      value = split.inline === undefined ? 'true' : String(V.parseBool(flag.name, split.inline));
    }
    this.set(flag, value);
    return next;
  }

  private set(flag: FilterFlag, value: string): void {
    const name = flag.name;
    if (name === 'not') {
      if (this.negateNext) throw new FilterError('consecutive --not: --not applies to the next filter flag only');
      this.negateNext = true;
      return;
    }
    const negated = this.negateNext;
    this.negateNext = false;
    const t = negated ? this.deny : this.allow;
    if (negated && (name === 'all-namespaces' || name === 'allowlist' || name === 'denylist')) {
      throw new FilterError(`--not cannot negate --${name}`);
    }
    if (name === 'allowlist' || name === 'denylist') {
      const ff = parseRawFilter(name, value);
      try {
        compileFlowFilter(ff); // validate values now, so the error names the flag
      } catch (err) {
        throw new FilterError(`invalid --${name} ${quote(value)}: ${(err as Error).message}`);
      }
      (name === 'allowlist' ? this.rawAllow : this.rawDeny).push(ff);
      return;
    }
    t.track(name);
    applyFlag(t, name, value);
    checkNamespaceConflicts(t, t.left);
    checkNamespaceConflicts(t, t.right);
  }

  /** The FilterSet so far. Throws FilterError for a dangling --not. Does not reset the builder. */
  build(): FilterSet {
    if (this.negateNext) throw new FilterError('--not at the end negates nothing: put a filter flag after it');
    // A default namespace would be ORed with raw allow filters and widen them: skip it then.
    const defaultNs = this.rawAllow.length > 0 ? undefined : this.defaultNamespace;
    const set: FilterSet = {
      allow: [...materialize(this.allow, defaultNs), ...this.rawAllow.map((ff) => clone(ff))],
      deny: [...materialize(this.deny, undefined), ...this.rawDeny.map((ff) => clone(ff))],
    };
    for (const ff of [...set.allow, ...set.deny]) checkHttpWithType(ff);
    return set;
  }
}

function sanitizeArg(arg: string): string {
  return quote(arg).slice(1, -1);
}

function applyFlag(t: Tracker, name: string, v: string): void {
  const f = `${name}`;
  switch (name) {
    case 'namespace':
      t.ns.push(V.parseNamespace(f, v));
      return;
    case 'from-namespace':
      t.srcNs.push(V.parseNamespace(f, v));
      return;
    case 'to-namespace':
      t.dstNs.push(V.parseNamespace(f, v));
      return;
    case 'all-namespaces':
      if (v === 'true') t.allNamespaces = true;
      return;
    case 'pod':
      return t.sides('source_pod', 'destination_pod', V.parseNamespacedName(f, v));
    case 'from-pod':
      return t.both('source_pod', V.parseNamespacedName(f, v));
    case 'to-pod':
      return t.both('destination_pod', V.parseNamespacedName(f, v));
    case 'ip':
      return t.sides('source_ip', 'destination_ip', V.parseIP(f, v));
    case 'from-ip':
      return t.both('source_ip', V.parseIP(f, v));
    case 'to-ip':
      return t.both('destination_ip', V.parseIP(f, v));
    case 'snat-ip':
      return t.both('source_ip_xlated', V.parseIP(f, v));
    case 'ipv4':
      if (v === 'true') t.both('ip_version', 'IPv4');
      return;
    case 'ipv6':
      if (v === 'true') t.both('ip_version', 'IPv6');
      return;
    case 'ip-version':
      return t.both('ip_version', V.parseIPVersion(f, v));
    case 'label':
      return t.sides('source_label', 'destination_label', V.parseLabelSelector(f, v));
    case 'from-label':
      return t.both('source_label', V.parseLabelSelector(f, v));
    case 'to-label':
      return t.both('destination_label', V.parseLabelSelector(f, v));
    case 'service':
      return t.sides('source_service', 'destination_service', V.parseNamespacedName(f, v));
    case 'from-service':
      return t.both('source_service', V.parseNamespacedName(f, v));
    case 'to-service':
      return t.both('destination_service', V.parseNamespacedName(f, v));
    case 'workload': {
      const w = V.parseWorkload(f, v);
      t.applyLeft((ff) => push(ff, 'source_workload', w));
      t.applyRight((ff) => push(ff, 'destination_workload', { ...w }));
      return;
    }
    case 'from-workload': {
      const w = V.parseWorkload(f, v);
      t.apply((ff) => push(ff, 'source_workload', { ...w }));
      return;
    }
    case 'to-workload': {
      const w = V.parseWorkload(f, v);
      t.apply((ff) => push(ff, 'destination_workload', { ...w }));
      return;
    }
    case 'fqdn':
      return t.sides('source_fqdn', 'destination_fqdn', V.parseFqdn(f, v));
    case 'from-fqdn':
      return t.both('source_fqdn', V.parseFqdn(f, v));
    case 'to-fqdn':
      return t.both('destination_fqdn', V.parseFqdn(f, v));
    case 'identity':
      return t.sides('source_identity', 'destination_identity', V.parseIdentity(f, v));
    case 'from-identity':
      return t.both('source_identity', V.parseIdentity(f, v));
    case 'to-identity':
      return t.both('destination_identity', V.parseIdentity(f, v));
    case 'port':
      return t.sides('source_port', 'destination_port', V.parsePort(f, v));
    case 'from-port':
      return t.both('source_port', V.parsePort(f, v));
    case 'to-port':
      return t.both('destination_port', V.parsePort(f, v));
    case 'protocol':
      return t.both('protocol', V.parseProtocol(f, v));
    case 'verdict':
      return t.both('verdict', V.parseVerdict(f, v));
    case 'drop-reason-desc':
      return t.both('drop_reason_desc', V.parseDropReason(f, v));
    case 'type': {
      const et = V.parseEventType(f, v);
      t.apply((ff) => push(ff, 'event_type', { ...et }));
      return;
    }
    case 'http-status':
      return t.both('http_status_code', V.parseHttpStatus(f, v));
    case 'http-method':
      return t.both('http_method', V.parseHttpMethod(f, v));
    case 'http-path':
      return t.both('http_path', V.parseRegex(f, v));
    case 'http-url':
      return t.both('http_url', V.parseRegex(f, v));
    case 'http-header': {
      const h = V.parseHttpHeader(f, v);
      t.apply((ff) => push(ff, 'http_header', { ...h }));
      return;
    }
    case 'dns-query':
      return t.both('dns_query', V.parseRegex(f, v));
    case 'tcp-flags': {
      const fl = V.parseTcpFlags(f, v);
      t.apply((ff) => push(ff, 'tcp_flags', { ...fl }));
      return;
    }
    case 'node-name':
      return t.both('node_name', V.parseNodeName(f, v));
    case 'node-label':
      return t.both('node_labels', V.parseLabelSelector(f, v));
    case 'traffic-direction':
      return t.both('traffic_direction', V.parseTrafficDirection(f, v));
    case 'reply':
      return t.both('reply', v === 'true');
    case 'cluster':
      return t.sides('source_cluster_name', 'destination_cluster_name', V.parseClusterName(f, v));
    case 'from-cluster':
      return t.both('source_cluster_name', V.parseClusterName(f, v));
    case 'to-cluster':
      return t.both('destination_cluster_name', V.parseClusterName(f, v));
    case 'interface': {
      const name = V.parseInterface(f, v);
      t.apply((ff) => push(ff, 'interface', { name }));
      return;
    }
    case 'encrypted':
      if (v === 'true') t.both('encrypted', true);
      return;
    case 'unencrypted':
      if (v === 'true') t.both('encrypted', false);
      return;
    case 'uuid':
      return t.both('uuid', V.parseUuid(f, v));
  }
  throw new FilterError(`flag --${name} is not handled`);
}

/** Parses argv made only of filter flags. Throws FilterError (`unknown flag "--x"` for anything else). */
export function parseFilterArgs(argv: readonly string[], options: FilterBuilderOptions = {}): FilterSet {
  const b = new FilterBuilder(options);
  let i = 0;
  while (i < argv.length) i = b.consume(argv, i);
  return b.build();
}
