// Per-node counters and states of a fan-in, and the one status line they make.
import type { SourceState } from '../model/source.ts';
import { delayText } from '../k8s/backoff.ts';

/** ` (+N more)` after the first of a list of nodes, or nothing when none are left out. */
export function moreNodes(leftOut: number): string {
  return leftOut > 0 ? ` (+${leftOut} more)` : '';
}

export type NodeState = 'connecting' | 'connected' | 'unavailable' | 'gone' | 'done';

export interface NodeStats {
  id: string;
  node: string;
  state: NodeState;
  flows: number;
  /** Flows that arrived after younger ones were released: shown out of order. */
  late: number;
  /** Replayed flows dropped (already shown). */
  duplicates: number;
  /** Events the node reported lost (its ring buffer, its queue). */
  lost: number;
  /** Times the stream failed or ended and was retried. */
  retries: number;
  lastError?: string;
  retryInMs?: number;
}

type Counter = 'flows' | 'late' | 'duplicates' | 'lost' | 'retries';
const COUNTERS: readonly Counter[] = ['flows', 'late', 'duplicates', 'lost', 'retries'];

export class FanInStats {
  /** Current streams (removed ones are retired into the totals, so churn cannot grow this). */
  readonly nodes = new Map<string, NodeStats>();
  /** Nodes known to have no stream at all (no agent pod there), filled in by discovery. */
  readonly missing = new Set<string>();
  readonly #retired: Record<Counter, number> = { flows: 0, late: 0, duplicates: 0, lost: 0, retries: 0 };

  total(field: Counter): number {
    let n = this.#retired[field];
    for (const s of this.nodes.values()) n += s[field];
    return n;
  }

  retire(id: string): void {
    const s = this.nodes.get(id);
    if (!s) return;
    for (const c of COUNTERS) this.#retired[c] += s[c];
    this.nodes.delete(id);
  }

  /** The aggregate status line: state and one line of text. */
  summary(): { state: SourceState; message: string } {
    const live = [...this.nodes.values()].filter((s) => s.state !== 'done');
    const connected = live.filter((s) => s.state === 'connected').length;
    const down = live.filter((s) => s.state === 'unavailable');
    const late = this.total('late');
    const parts = [`${connected}/${live.length + this.missing.size} nodes connected`];
    if (this.missing.size > 0) {
      const first = [...this.missing].sort()[0]!;
      parts.push(`${first}: no agent pod${moreNodes(this.missing.size - 1)}`);
    }
    if (down.length > 0) {
      const d = down[0]!;
      const retry = d.retryInMs !== undefined ? `, retry in ${delayText(d.retryInMs)}` : '';
      parts.push(`${d.node} unavailable: ${d.lastError ?? 'unknown error'}${retry}${moreNodes(down.length - 1)}`);
    }
    if (late > 0) parts.push(`${late} flows late (shown out of order)`);
    let state: SourceState;
    if (live.length > 0 && connected === live.length) state = this.missing.size > 0 ? 'warning' : 'connected';
    else if (down.length > 0) state = connected === 0 ? 'reconnecting' : 'warning';
    else if (this.missing.size > 0 && live.length === 0) state = 'warning';
    else state = live.length === 0 && this.nodes.size > 0 ? 'done' : 'connecting';
    return { state, message: parts.join('; ') };
  }
}
