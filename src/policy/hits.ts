// Live hits per policy: how many flows each policy allowed or denied, keyed by the
// policy's kind and qualified name (what the annotator counts and :netpol shows).
import { refText, type PolicyRef } from './types.ts';

export interface HitCount {
  allowed: number;
  denied: number;
}

export function hitKey(r: { kind: string; namespace: string; name: string }): string {
  return `${r.kind}|${refText(r as PolicyRef)}`;
}
