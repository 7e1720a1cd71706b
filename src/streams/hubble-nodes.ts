// The Hubble nodes behind the source: GetNodes lists (a `nodes` event replaces the
// list) updated by node-status events in between (Hubble Relay's NODE_UNAVAILABLE,
// NODE_GONE...; the agent fan-in reports its agents the same way). Pure, O(nodes).
import type { HubbleNode } from '../model/node.ts';
import type { SourceEvent } from '../model/source.ts';

export interface NodeRow extends HubbleNode {
  /** The last node-status message about it (why it is unavailable). */
  message?: string;
}

export class HubbleNodes {
  private byName = new Map<string, NodeRow>();
  /** Bumped on every change. */
  version = 0;
  /** True once any list or status arrived (the view says "none yet" otherwise). */
  heard = false;

  /** Takes the events it cares about; returns true when it changed. */
  apply(ev: SourceEvent): boolean {
    if (ev.kind === 'nodes') {
      const next = new Map<string, NodeRow>();
      for (const n of ev.nodes) {
        const old = this.byName.get(n.name);
        // A message explains a bad state; it no longer applies once the node is connected.
        const message = n.state === 'NODE_CONNECTED' ? undefined : old?.message;
        next.set(n.name, message === undefined ? { ...n } : { ...n, message });
      }
      this.byName = next;
    } else if (ev.kind === 'node-status') {
      const state = ev.status.state_change;
      for (const name of ev.status.node_names ?? []) {
        const old = this.byName.get(name) ?? { name };
        this.byName.set(name, { ...old, state: state ?? old.state, message: ev.status.message || undefined });
      }
    } else return false;
    this.heard = true;
    this.version++;
    return true;
  }

  rows(): NodeRow[] {
    return [...this.byName.values()];
  }
}
