// One flow as short human text: endpoints, protocol and a summary. Shared by the flows
// pane and the detail view. Plain strings here; colouring and escaping happen in views.
import type { Endpoint, Flow } from '../model/flow.ts';

function port(flow: Flow, side: 'source' | 'destination'): number | undefined {
  const l4 = flow.l4;
  const k = side === 'source' ? 'source_port' : 'destination_port';
  return l4?.TCP?.[k] ?? l4?.UDP?.[k] ?? l4?.SCTP?.[k];
}

function reserved(ep: Endpoint | undefined): string | undefined {
  const l = ep?.labels?.find((x) => x.startsWith('reserved:'));
  return l?.slice('reserved:'.length);
}

/** `ns/pod:port`, else the DNS name / reserved identity / IP, with the port. */
export function endpointLabel(flow: Flow, side: 'source' | 'destination'): string {
  const ep = flow[side];
  let name: string;
  if (ep?.namespace && ep.pod_name) name = `${ep.namespace}/${ep.pod_name}`;
  else {
    const names = side === 'source' ? flow.source_names : flow.destination_names;
    const ip = side === 'source' ? flow.IP?.source : flow.IP?.destination;
    const r = reserved(ep);
    const svc = side === 'source' ? flow.source_service : flow.destination_service;
    const svcName = svc?.name ? `${svc.namespace ?? ep?.namespace ?? ''}/${svc.name}`.replace(/^\//, '') : undefined;
    // A service or DNS name says more than an IP; `world` says less than the IP it stands for.
    name = svcName ?? names?.[0] ?? (r && r !== 'world' ? r : undefined) ?? ip ?? r ?? '?';
  }
  const p = port(flow, side);
  return p === undefined ? name : `${name}:${p}`;
}

export function protocolOf(flow: Flow): string {
  const l7 = flow.l7;
  if (l7?.http) return 'HTTP';
  if (l7?.dns) return 'DNS';
  if (l7?.kafka) return 'Kafka';
  const l4 = flow.l4;
  if (l4?.TCP) return 'TCP';
  if (l4?.UDP) return 'UDP';
  if (l4?.ICMPv4) return 'ICMPv4';
  if (l4?.ICMPv6) return 'ICMPv6';
  if (l4?.SCTP) return 'SCTP';
  return flow.Type ?? '-';
}

const FLAG_ORDER = ['SYN', 'FIN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'] as const;

export function tcpFlags(flow: Flow): string {
  const f = flow.l4?.TCP?.flags;
  if (!f) return '';
  return FLAG_ORDER.filter((k) => f[k]).join(', ');
}

function ms(ns: number | undefined): string {
  if (ns === undefined) return '';
  const v = ns / 1e6;
  return v < 10 ? `${v.toFixed(2)}ms` : `${Math.round(v)}ms`;
}

/** TCP flags, HTTP method/path/status/latency, DNS query, drop reason: one line. */
export function flowSummary(flow: Flow): string {
  const parts: string[] = [];
  if (flow.verdict === 'DROPPED' || flow.verdict === 'ERROR') parts.push(flow.drop_reason_desc ?? (flow.drop_reason ? `drop reason ${flow.drop_reason}` : 'dropped'));
  const l7 = flow.l7;
  if (l7?.http) {
    const h = l7.http;
    const path = (() => {
      try {
        if (!h.url) return '';
        const u = new URL(h.url, 'http://x');
        return u.pathname + u.search;
      } catch {
        return h.url ?? '';
      }
    })();
    parts.push([h.method, path, h.code || undefined, ms(l7.latency_ns) || undefined].filter((x) => x !== undefined && x !== '').join(' '));
  } else if (l7?.dns) {
    const d = l7.dns;
    const q = `${(d.qtypes ?? ['?']).join(',')} ${d.query ?? ''}`.trim();
    if (l7.type === 'RESPONSE') parts.push(`${q} => ${(d.ips ?? []).join(',') || (d.rcode ? `rcode ${d.rcode}` : 'no answer')}${ms(l7.latency_ns) ? ' ' + ms(l7.latency_ns) : ''}`);
    else parts.push(`${q}?`);
  } else if (l7?.kafka) {
    parts.push(`${l7.kafka.api_key ?? ''} ${l7.kafka.topic ?? ''}`.trim());
  } else {
    const flags = tcpFlags(flow);
    if (flags) parts.push(flags);
    const icmp = flow.l4?.ICMPv4 ?? flow.l4?.ICMPv6;
    if (icmp) parts.push(`type ${icmp.type ?? 0} code ${icmp.code ?? 0}`);
    if (!flags && !icmp && flow.Summary) parts.push(flow.Summary);
    // A short connection's one request/response, folded into its close summary.
    const folded = flow.netscope?.response_latency_ns;
    if (folded !== undefined) parts.push(`response after ${ms(folded)}`);
  }
  return parts.filter(Boolean).join('  ');
}
