// The detail view of one flow (Enter in the flows pane): the answers first (verdict,
// drop reason, policies, L7, endpoints with labels, node), then every field of the flow
// flattened as `path: value`, so nothing the source sent is hidden.
import type { Endpoint, Flow, Policy } from '../model/flow.ts';
import { explainLines } from '../policy/explain.ts';
import type { PolicyNote } from '../streams/policy-annotate.ts';
import { endpointLabel, flowSummary, protocolOf } from './flow-format.ts';
import { esc } from './text.ts';
import type { Theme } from './theme.ts';
import { plainFlow } from '../model/plain-flow.ts';

function policies(list: Policy[] | undefined): string {
  return (list ?? []).map((p) => `${p.kind ?? 'Policy'} ${p.namespace ? p.namespace + '/' : ''}${p.name ?? '?'}`).join(', ');
}

function endpointLines(title: string, ep: Endpoint | undefined, label: string): string[] {
  const out = [`${title}: ${label}`];
  if (!ep) return out;
  if (ep.identity !== undefined) out.push(`  identity: ${ep.identity}`);
  if (ep.workloads?.length) out.push(`  workloads: ${ep.workloads.map((w) => `${w.kind ?? ''}/${w.name ?? ''}`).join(', ')}`);
  if (ep.labels?.length) out.push(`  labels: ${ep.labels.join(' ')}`);
  return out;
}

/** Flattens nested values into `a.b[0].c: value` lines, in the object's own key order. */
export function flatten(value: unknown, prefix = ''): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return [`${prefix}: [${value.map(String).join(', ')}]`];
    return value.flatMap((v, i) => flatten(v, `${prefix}[${i}]`));
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  return [`${prefix}: ${String(value)}`];
}

/** "why": the verdict the policies give this flow's connection, each side's reasons, disagreements. */
export function policyWhyLines(note: PolicyNote, theme: Theme): string[] {
  const l: string[] = [];
  const v = note.answer.verdict;
  const head = `expected: ${v.toUpperCase()}${note.decidedBy.length ? ` by ${note.decidedBy.join(', ')}` : ''}${note.query.reply ? ' (a reply: answered as its connection)' : ''}`;
  l.push(v === 'denied' ? theme.bad(esc(head)) : esc(head));
  if (note.mismatch) l.push(theme.bad(esc(`MISMATCH: ${note.mismatch}`)));
  if (note.hubble) l.push(esc(note.hubble));
  for (const s of explainLines(note.query, note.answer).slice(1)) l.push(esc(`  ${s}`));
  return l;
}

export function flowDetailLines(flow: Flow, theme: Theme, note?: PolicyNote): string[] {
  const l: string[] = [];
  const push = (s: string) => l.push(esc(s));
  l.push(theme.header('Flow'));
  push(`time: ${flow.time ?? '-'}`);
  l.push(`verdict: ${theme.verdict(flow.verdict, esc(flow.verdict ?? 'UNKNOWN'))}`);
  if (flow.verdict === 'DROPPED' || flow.drop_reason_desc) push(`drop reason: ${flow.drop_reason_desc ?? '-'} (${flow.drop_reason ?? 0})`);
  push(`protocol: ${protocolOf(flow)}   summary: ${flowSummary(flow) || '-'}`);
  push(`direction: ${flow.traffic_direction ?? '-'}   reply: ${flow.is_reply === undefined ? '<>' : String(flow.is_reply)}   node: ${flow.node_name ?? '-'}`);
  const pol: string[] = [];
  if (flow.ingress_denied_by?.length) pol.push(`ingress denied by ${policies(flow.ingress_denied_by)}`);
  if (flow.egress_denied_by?.length) pol.push(`egress denied by ${policies(flow.egress_denied_by)}`);
  if (flow.ingress_allowed_by?.length) pol.push(`ingress allowed by ${policies(flow.ingress_allowed_by)}`);
  if (flow.egress_allowed_by?.length) pol.push(`egress allowed by ${policies(flow.egress_allowed_by)}`);
  push(`policy match: ${pol.length ? pol.join('; ') : flow.policy_match_type ? `type ${flow.policy_match_type}` : '-'}`);
  for (const s of flow.policy_log ?? []) push(`policy log: ${s}`);
  if (note) {
    l.push(theme.header('Why (policies)'));
    l.push(...policyWhyLines(note, theme));
  }
  if (flow.l7) {
    const h = flow.l7.http;
    push(`l7: ${flow.l7.type ?? '-'} latency ${flow.l7.latency_ns !== undefined ? (flow.l7.latency_ns / 1e6).toFixed(3) + 'ms' : '-'}${h ? ` ${h.protocol ?? ''} ${h.method ?? ''} ${h.url ?? ''} ${h.code ?? ''}` : ''}${flow.l7.dns ? ` dns ${flow.l7.dns.query ?? ''}` : ''}`);
  }
  for (const s of endpointLines('source', flow.source, endpointLabel(flow, 'source'))) push(s);
  for (const s of endpointLines('destination', flow.destination, endpointLabel(flow, 'destination'))) push(s);
  if (flow.destination_service?.name) push(`destination service: ${flow.destination_service.namespace ?? ''}/${flow.destination_service.name}`);
  l.push('');
  l.push(theme.header('All fields'));
  for (const s of flatten(plainFlow(flow))) push(s); // a lazy flow's fields are not its own (model/plain-flow.ts)
  return l;
}
