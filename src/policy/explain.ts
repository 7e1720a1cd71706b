// Answers as text (the "why" in the TUI and `policy why`) and as JSON (`-o json`).
// Pure: values in, lines out; the caller sanitizes for the terminal.
import { peerText, refText, type Answer, type Query, type RuleHit, type SideAnswer } from './types.ts';

function hitLine(h: RuleHit): string {
  return `${h.policy.kind} ${refText(h.policy)} ${h.section}[${h.index}]: ${h.text}`;
}

function sideLines(title: string, s: SideAnswer): string[] {
  const out = [`${title}: ${s.verdict} - ${s.reason}`];
  if (s.isolatedBy.length > 0) out.push(`  selected by: ${s.isolatedBy.map((r) => `${r.kind} ${refText(r)}`).join(', ')}`);
  for (const h of s.rules) out.push(`  rule ${hitLine(h)}`);
  return out;
}

export function connectionText(q: Query): string {
  return `${peerText(q.from)} -> ${peerText(q.to)}${q.port > 0 ? `:${q.port}` : ''}/${q.protocol}`;
}

/** "why" as lines: the verdict, then the source's egress and the destination's ingress. */
export function explainLines(q: Query, a: Answer): string[] {
  return [
    `${connectionText(q)}: ${a.verdict.toUpperCase()}`,
    ...sideLines(`egress of ${peerText(q.from)}`, a.egress),
    ...sideLines(`ingress of ${peerText(q.to)}`, a.ingress),
  ];
}

/** The policies that decided: deniers when denied, else the allowing / undecidable rules' policies. */
export function decidingPolicies(a: Answer): string[] {
  const sides = [a.egress, a.ingress].filter((s) => s.verdict === a.verdict);
  const out = new Set<string>();
  for (const s of sides) {
    if (s.rules.length > 0) for (const h of s.rules) out.add(`${h.policy.kind === 'NetworkPolicy' ? '' : h.policy.kind + ' '}${refText(h.policy)}`);
    else for (const r of s.isolatedBy) out.add(`${r.kind === 'NetworkPolicy' ? '' : r.kind + ' '}${refText(r)}`);
  }
  return [...out];
}

function sideJson(s: SideAnswer): Record<string, unknown> {
  return {
    verdict: s.verdict,
    reason: s.reason,
    policies: s.isolatedBy.map((r) => ({ kind: r.kind, name: refText(r) })),
    rules: s.rules.map((h) => ({ policy: refText(h.policy), kind: h.policy.kind, section: h.section, index: h.index, rule: h.text, ...(h.action ? { action: h.action } : {}) })),
  };
}

export function answerJson(q: Query, a: Answer): Record<string, unknown> {
  return {
    verdict: a.verdict,
    from: peerText(q.from),
    to: peerText(q.to),
    port: q.port,
    protocol: q.protocol,
    egress: sideJson(a.egress),
    ingress: sideJson(a.ingress),
  };
}
