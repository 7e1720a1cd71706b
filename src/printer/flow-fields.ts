// The pieces every text printer shows for a flow, computed the way hubble's printer
// does (hubble/pkg/printer): host names, identities, the TYPE text, the verdict and
// the summary. Every string taken from the flow goes through sanitize().
import type { Flow } from '../model/flow.ts';
import { sanitize } from '../model/sanitize.ts';
import type { Colorer } from './colors.ts';
import {
  MessageType,
  dropReasonText,
  policyMatchTypeText,
  reservedIdentityName,
  traceObservationPointText,
} from './monitor-names.ts';

/**
 * Text of a flow field for a terminal: sanitized, and a string even when a decoded
 * line put another type there.
 */
export function txt(v: unknown): string {
  return sanitize(typeof v === 'string' ? v : v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
}

export interface FieldOptions {
  /** Show pod / service / DNS names instead of IPs (hubble's --ip-translation; off with --numeric). */
  ipTranslation: boolean;
}

function ports(f: Flow): [string, string] {
  const l4 = f.l4;
  if (!l4) return ['', ''];
  const p = l4.TCP ?? l4.UDP ?? l4.SCTP;
  if (!p) return ['', ''];
  return [txt(p.source_port ?? 0), txt(p.destination_port ?? 0)];
}

function hostname(
  c: Colorer,
  opts: FieldOptions,
  ip: unknown,
  port: string,
  ns: unknown,
  pod: unknown,
  svc: unknown,
  names: unknown,
): string {
  let host = txt(ip);
  if (opts.ipTranslation) {
    const n = txt(ns);
    const p = txt(pod);
    const s = txt(svc);
    if (p !== '') host = n === '' ? p : n + '/' + p;
    else if (s !== '') host = n === '' ? s : n + '/' + s;
    else if (Array.isArray(names) && names.length > 0) host = names.map(txt).join(',');
  }
  if (port !== '' && port !== '0') {
    // net.JoinHostPort: brackets around hosts containing a colon (IPv6).
    return host.includes(':') ? '[' + host + ']:' + c.port(port) : host + ':' + c.port(port);
  }
  return host;
}

/** Source and destination as hubble shows them (`ns/pod:port`, service, names or IP). */
export function hostNames(f: Flow, c: Colorer, opts: FieldOptions): [string, string] {
  const ip = f.IP;
  if (!ip) {
    const eth = f.ethernet;
    if (eth) return [c.host(txt(eth.source)), c.host(txt(eth.destination))];
    return ['', ''];
  }
  let srcNs: unknown = f.source?.namespace;
  let dstNs: unknown = f.destination?.namespace;
  const srcPod: unknown = f.source?.pod_name;
  const dstPod: unknown = f.destination?.pod_name;
  let srcSvc: unknown;
  let dstSvc: unknown;
  if (f.source_service) {
    srcNs = f.source_service.namespace;
    srcSvc = f.source_service.name;
  }
  if (f.destination_service) {
    dstNs = f.destination_service.namespace;
    dstSvc = f.destination_service.name;
  }
  const [sp, dp] = ports(f);
  return [
    c.host(hostname(c, opts, ip.source, sp, srcNs, srcPod, srcSvc, f.source_names)),
    c.host(hostname(c, opts, ip.destination, dp, dstNs, dstPod, dstSvc, f.destination_names)),
  ];
}

function identity(c: Colorer, id: number): string {
  const reserved = reservedIdentityName(id);
  return c.identity(reserved !== undefined ? '(' + reserved + ')' : '(ID:' + txt(id) + ')');
}

export function securityIdentities(f: Flow, c: Colorer): [string, string] {
  return [identity(c, f.source?.identity ?? 0), identity(c, f.destination?.identity ?? 0)];
}

/** The TYPE text: `to-endpoint`, `Policy denied`, `dns-request `, `policy-verdict:L3-Only EGRESS`... */
export function flowType(f: Flow): string {
  const l7 = f.l7;
  if (l7) {
    let proto = 'l7';
    let type = txt(l7.type ?? 'UNKNOWN_L7_TYPE').toLowerCase();
    if (l7.http) proto = 'http';
    else if (l7.dns) {
      proto = 'dns';
      // Hubble appends the observation source even when empty, hence `dns-request `.
      type += ' ' + txt(l7.dns.observation_source);
    } else if (l7.kafka) proto = 'kafka';
    return proto + '-' + type;
  }
  const et = f.event_type;
  const type = et?.type ?? 0;
  const sub = et?.sub_type ?? 0;
  switch (type) {
    case MessageType.Trace:
      return traceObservationPointText(sub);
    case MessageType.Drop:
      return dropReasonText(sub);
    case MessageType.PolicyVerdict:
      return (
        'policy-verdict:' +
        policyMatchTypeText(f.policy_match_type ?? 0) +
        ' ' +
        txt(f.traffic_direction ?? 'TRAFFIC_DIRECTION_UNKNOWN')
      );
    case MessageType.Capture:
      return txt(f.debug_capture_point ?? 'DBG_CAPTURE_POINT_UNKNOWN');
    case MessageType.TraceSock:
      return sockXlatePoint(f);
    default:
      return 'UNKNOWN';
  }
}

// sock_xlate_point is not part of netscope's Flow model, but a decoded Hubble flow
// still carries it, so show it the way hubble does when it is there.
function sockXlatePoint(f: Flow): string {
  const p = (f as { sock_xlate_point?: unknown }).sock_xlate_point;
  switch (p) {
    case 'SOCK_XLATE_POINT_POST_DIRECTION_FWD':
      return 'post-xlate-fwd';
    case 'SOCK_XLATE_POINT_POST_DIRECTION_REV':
      return 'post-xlate-rev';
    case 'SOCK_XLATE_POINT_PRE_DIRECTION_FWD':
      return 'pre-xlate-fwd';
    case 'SOCK_XLATE_POINT_PRE_DIRECTION_REV':
      return 'pre-xlate-rev';
    default:
      return p === undefined ? 'SOCK_XLATE_POINT_UNKNOWN' : txt(p);
  }
}

/** The verdict text; policy-verdict events say ALLOWED / DENIED / AUDITED. */
export function verdictText(f: Flow, c: Colorer): string {
  const v = f.verdict ?? 'VERDICT_UNKNOWN';
  const policyVerdict = f.event_type?.type === MessageType.PolicyVerdict;
  switch (v) {
    case 'FORWARDED':
    case 'REDIRECTED':
      return c.verdictForwarded(policyVerdict ? 'ALLOWED' : v);
    case 'DROPPED':
    case 'ERROR':
      return c.verdictDropped(policyVerdict ? 'DENIED' : v);
    case 'AUDIT':
      return c.verdictOther(policyVerdict ? 'AUDITED' : v);
    case 'TRACED':
    case 'TRANSLATED':
      return c.verdictOther(v);
    default:
      return txt(v);
  }
}

/** The summary: the flow's Summary, plus the auth type when authentication applies. */
export function summaryText(f: Flow, c: Colorer): string {
  let s = txt(f.Summary);
  const auth = f.auth_type;
  if (auth !== undefined && auth !== 'DISABLED') {
    s += '; ' + (auth === 'TEST_ALWAYS_FAIL' ? c.authFailed(auth) : c.authEnabled(txt(auth)));
  }
  return s;
}
