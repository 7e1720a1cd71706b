// Port matching for the three policy APIs: Kubernetes NetworkPolicyPort (protocol
// default TCP, numeric or named port, endPort), Cilium PortProtocol (port as a string,
// protocol default ANY) and AdminNetworkPolicyPort (portNumber / namedPort / portRange).
// Named ports resolve through the destination pod's container ports; a destination
// that is not a pod has no named ports.
import { checkFields, objectAt, type IssuePath, type Issues } from './issues.ts';
import type { PolicyPod, Protocol } from './types.ts';

export interface PortMatcher {
  text: string;
  match(port: number, protocol: Protocol, dst: PolicyPod | undefined): boolean;
}

const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

function namedPort(dst: PolicyPod | undefined, name: string, protocol: Protocol): number {
  if (!dst) return -1;
  for (const p of dst.ports) if (p.name === name && (p.protocol || 'TCP') === protocol) return p.port;
  return -1;
}

function checkProtocol(v: unknown, path: IssuePath, issues: Issues, allowed: readonly string[], dflt: Protocol): Protocol {
  if (v === undefined || v === null || v === '') return dflt;
  if (typeof v !== 'string' || !allowed.includes(v)) {
    issues.error(path, `unsupported protocol ${JSON.stringify(v)} (want ${allowed.join(', ')})`);
    return dflt;
  }
  return v as Protocol;
}

function validPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** networking.k8s.io/v1 NetworkPolicyPort. */
export function compileK8sPort(raw: unknown, path: IssuePath, issues: Issues): PortMatcher {
  const o = objectAt(raw, path, issues) ?? {};
  checkFields(o, ['protocol', 'port', 'endPort'], path, issues);
  const protocol = checkProtocol(o.protocol, [...path, 'protocol'], issues, ['TCP', 'UDP', 'SCTP'], 'TCP');
  const port = o.port;
  const endPort = o.endPort;
  if (endPort !== undefined && endPort !== null) {
    if (!validPort(endPort)) issues.error([...path, 'endPort'], `endPort must be a port number 1-65535, got ${JSON.stringify(endPort)}`);
    else if (typeof port !== 'number') issues.error([...path, 'endPort'], 'endPort needs a numeric port');
    else if (endPort < port) issues.error([...path, 'endPort'], `endPort ${endPort} is below port ${port}`);
  }
  if (port === undefined || port === null) {
    return { text: `any/${protocol}`, match: (_p, proto) => proto === protocol };
  }
  if (typeof port === 'string') {
    if (/^[0-9]+$/.test(port)) {
      // The API takes an IntOrString: "80" arrives as a string in some manifests.
      const n = Number(port);
      if (!validPort(n)) issues.error([...path, 'port'], `port ${port} is out of range 1-65535`);
      return { text: `${n}/${protocol}`, match: (p, proto) => proto === protocol && p === n };
    }
    if (!IANA_SVC_NAME.test(port)) issues.error([...path, 'port'], `invalid named port "${port}" (want a lowercase IANA service name of at most 15 characters)`);
    return { text: `${port}/${protocol}`, match: (p, proto, dst) => proto === protocol && namedPort(dst, port, protocol) === p };
  }
  if (!validPort(port)) {
    issues.error([...path, 'port'], `port must be 1-65535 or a name, got ${JSON.stringify(port)}`);
    return { text: '?', match: () => false };
  }
  if (typeof endPort === 'number') {
    return { text: `${port}-${endPort}/${protocol}`, match: (p, proto) => proto === protocol && p >= port && p <= endPort };
  }
  return { text: `${port}/${protocol}`, match: (p, proto) => proto === protocol && p === port };
}

/** cilium.io/v2 PortProtocol. Protocol ANY (the default) matches TCP, UDP and SCTP. */
export function compileCiliumPort(raw: unknown, path: IssuePath, issues: Issues): PortMatcher {
  const o = objectAt(raw, path, issues) ?? {};
  checkFields(o, ['port', 'endPort', 'protocol'], path, issues);
  const protocol = checkProtocol(o.protocol, [...path, 'protocol'], issues, ['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPV6', 'ANY'], 'ANY');
  const protoOk = (proto: Protocol): boolean => (protocol === 'ANY' ? proto === 'TCP' || proto === 'UDP' || proto === 'SCTP' : proto === protocol);
  const portRaw = o.port === undefined || o.port === null ? '0' : String(o.port);
  const endPort = o.endPort;
  if (/^[0-9]+$/.test(portRaw)) {
    const n = Number(portRaw);
    if (n > 65535) issues.error([...path, 'port'], `port ${portRaw} is out of range 0-65535`);
    if (endPort !== undefined && !(typeof endPort === 'number' && endPort >= n && endPort <= 65535)) {
      issues.error([...path, 'endPort'], `endPort must be a port number from ${n} to 65535, got ${JSON.stringify(endPort)}`);
    }
    if (n === 0) return { text: `any/${protocol}`, match: (_p, proto) => protoOk(proto) };
    const end = typeof endPort === 'number' && endPort >= n ? endPort : n;
    return { text: `${n}${end !== n ? `-${end}` : ''}/${protocol}`, match: (p, proto) => protoOk(proto) && p >= n && p <= end };
  }
  if (!IANA_SVC_NAME.test(portRaw)) issues.error([...path, 'port'], `invalid port "${portRaw}" (want a number or a named port)`);
  return {
    text: `${portRaw}/${protocol}`,
    match: (p, proto, dst) => protoOk(proto) && namedPort(dst, portRaw, proto) === p,
  };
}

/** policy.networking.k8s.io/v1alpha1 AdminNetworkPolicyPort: exactly one of the three. */
export function compileAdminPort(raw: unknown, path: IssuePath, issues: Issues): PortMatcher {
  const o = objectAt(raw, path, issues) ?? {};
  checkFields(o, ['portNumber', 'namedPort', 'portRange'], path, issues);
  const set = ['portNumber', 'namedPort', 'portRange'].filter((k) => o[k] !== undefined);
  if (set.length !== 1) {
    issues.error(path, `exactly one of portNumber, namedPort, portRange must be set (got ${set.length})`);
    return { text: '?', match: () => false };
  }
  if (o.namedPort !== undefined) {
    const name = String(o.namedPort);
    if (!IANA_SVC_NAME.test(name)) issues.error([...path, 'namedPort'], `invalid named port "${name}"`);
    return { text: name, match: (p, proto, dst) => proto !== 'ICMP' && namedPort(dst, name, proto) === p };
  }
  if (o.portNumber !== undefined) {
    const pn = objectAt(o.portNumber, [...path, 'portNumber'], issues) ?? {};
    checkFields(pn, ['protocol', 'port'], [...path, 'portNumber'], issues);
    const protocol = checkProtocol(pn.protocol, [...path, 'portNumber', 'protocol'], issues, ['TCP', 'UDP', 'SCTP'], 'TCP');
    if (!validPort(pn.port)) issues.error([...path, 'portNumber', 'port'], `port must be 1-65535, got ${JSON.stringify(pn.port)}`);
    const port = pn.port as number;
    return { text: `${port}/${protocol}`, match: (p, proto) => proto === protocol && p === port };
  }
  const pr = objectAt(o.portRange, [...path, 'portRange'], issues) ?? {};
  checkFields(pr, ['protocol', 'start', 'end'], [...path, 'portRange'], issues);
  const protocol = checkProtocol(pr.protocol, [...path, 'portRange', 'protocol'], issues, ['TCP', 'UDP', 'SCTP'], 'TCP');
  if (!validPort(pr.start)) issues.error([...path, 'portRange', 'start'], `start must be 1-65535, got ${JSON.stringify(pr.start)}`);
  if (!validPort(pr.end) || (validPort(pr.start) && pr.end < pr.start)) issues.error([...path, 'portRange', 'end'], `end must be a port from start to 65535, got ${JSON.stringify(pr.end)}`);
  const start = pr.start as number;
  const end = pr.end as number;
  return { text: `${start}-${end}/${protocol}`, match: (p, proto) => proto === protocol && p >= start && p <= end };
}

/** Matches when `ports` is empty (no restriction) or any entry matches. */
export function anyPort(ports: readonly PortMatcher[], port: number, protocol: Protocol, dst: PolicyPod | undefined): boolean {
  if (ports.length === 0) return true;
  for (const m of ports) if (m.match(port, protocol, dst)) return true;
  return false;
}

export function portsText(ports: readonly PortMatcher[]): string {
  return ports.length === 0 ? 'any port' : ports.map((p) => p.text).join(',');
}
