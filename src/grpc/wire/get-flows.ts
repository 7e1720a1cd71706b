// GetFlowsResponse bytes <-> SourceEvent, the one entry point the transport calls per
// message. This version goes through protobufjs' generated decoder and the mapping in
// flow-mapping.ts; a hand-written wire decoder can replace it behind the same signature.
import type { SourceEvent } from '../../model/source.ts';
import { eventFromResponse, eventToResponse, type UnknownEnum } from '../flow-mapping.ts';
import { T } from '../schema.ts';
import { encodeResponse, type Msg } from '../services.ts';

export function decodeGetFlowsResponse(bytes: Uint8Array, onUnknown?: UnknownEnum): SourceEvent | undefined {
  return eventFromResponse(T.GetFlowsResponse.decode(bytes) as unknown as Msg, onUnknown);
}

/** The response for an event, with `nodeName` where the event names no node (the server's own name). */
export function encodeGetFlowsResponse(ev: SourceEvent, nodeName: string): Buffer {
  const m = eventToResponse(ev);
  if (m === undefined) throw new Error(`a ${ev.kind} event has no GetFlowsResponse`);
  if (!m.node_name) m.node_name = nodeName;
  if (m.flow && !(m.flow as Msg).node_name) (m.flow as Msg).node_name = nodeName;
  return encodeResponse(m);
}
