import type { Observable } from 'rxjs';
import type { Flow, LostEvent, NodeStatusEvent } from './flow.ts';
import type { HubbleNode } from './node.ts';

/**
 * What every source emits, in order. Mirrors Hubble's GetFlowsResponse (flow |
 * node_status | lost_events) plus netscope's own connection status, so lost events
 * and errors travel in-band with the flows they interrupt and are never dropped.
 */
export type SourceEvent =
  | { kind: 'flow'; flow: Flow }
  | { kind: 'lost'; lost: LostEvent; node_name?: string; time?: string }
  | { kind: 'node-status'; status: NodeStatusEvent; node_name?: string; time?: string }
  /** The nodes behind a Hubble server (GetNodes), replacing what was known before. */
  | { kind: 'nodes'; source: string; nodes: HubbleNode[] }
  | {
      kind: 'status';
      /** Which source this is about, e.g. `demo`, `file:flows.jsonl`, `relay:localhost:4245`. */
      source: string;
      state: SourceState;
      /** One line, already fit for a terminal after sanitizing. */
      message?: string;
    };

export type SourceState = 'connecting' | 'connected' | 'reconnecting' | 'error' | 'warning' | 'done';

/** A source: cold Observable; subscribing starts it, unsubscribing stops it and frees its resources. */
export type Source = Observable<SourceEvent>;
