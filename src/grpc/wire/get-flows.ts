// observer.GetFlowsResponse <-> SourceEvent on the per-flow hot path (the server's and
// agent's encoding, the client's decoding), straight between bytes and the model.
// Equivalent to flow-mapping.ts + protobufjs (the reference the tests hold it to):
// encodeGetFlowsResponse gives the bytes encodeResponse(eventToResponse(ev)) gives, with
// the node name filled in as the server does; decodeGetFlowsResponse gives what
// eventFromResponse(T.GetFlowsResponse.decode(bytes)) gives.
import type { LostEvent, NodeStatusEvent } from '../../model/flow.ts';
import type { SourceEvent } from '../../model/source.ts';
import type { Timestamp } from '../../codec/timestamp.ts';
import { decodeFlow, decodeTimestamp, decodeWrapped, type UnknownEnum } from './decode-flow.ts';
import { encodeFlow, encodeLost, encodeNodeStatus, encodeTime } from './encode-flow.ts';
import { encodeLazyFlowResponse } from './encode-lazy.ts';
import { ENUMS } from './enums.ts';
import * as F from './fields.ts';
import { WireReader } from './reader.ts';
import { timestampText } from './time.ts';
import { WireWriter } from './writer.ts';

export { WireError } from './reader.ts';
export type { UnknownEnum } from './decode-flow.ts';

const VARINT = F.WT.VARINT;
const LEN = F.WT.LEN;

// One writer for every call: encoding is synchronous; each result is its own slice of a slab.
const writer = new WireWriter();

/**
 * A flow, lost-events or node-status event as GetFlowsResponse bytes. node_name (of the
 * response, and of the flow) defaults to nodeName when the event has none or an empty one.
 */
export function encodeGetFlowsResponse(ev: SourceEvent, nodeName: string): Buffer {
  const w = writer;
  w.reset();
  switch (ev.kind) {
    case 'flow':
      if (encodeLazyFlowResponse(w, ev.flow, nodeName)) break; // the collector's flows, from their records
      encodeFlow(w, F.GET_FLOWS_RESPONSE.flow, ev.flow, nodeName);
      tail(w, ev.flow.node_name || nodeName, ev.flow.time);
      break;
    case 'node-status':
      encodeNodeStatus(w, F.GET_FLOWS_RESPONSE.node_status, ev.status);
      tail(w, ev.node_name || nodeName, ev.time);
      break;
    case 'lost':
      encodeLost(w, F.GET_FLOWS_RESPONSE.lost_events, ev.lost);
      tail(w, ev.node_name || nodeName, ev.time);
      break;
    default:
      throw new Error(`a ${ev.kind} event is netscope's own and is not sent in a GetFlowsResponse`);
  }
  return w.finish();
}

function tail(w: WireWriter, nodeName: string, time: string | undefined): void {
  w.tag(F.GET_FLOWS_RESPONSE.node_name, LEN);
  w.string(nodeName);
  encodeTime(w, F.GET_FLOWS_RESPONSE.time, time);
}

const ignoreUnknown: UnknownEnum = () => {};

function lost(r: WireReader, prev: LostEvent | undefined, onUnknown: UnknownEnum): LostEvent {
  let source = prev?.source === undefined ? 0 : (ENUMS.lostSource.numbers.get(prev.source) ?? 0);
  let count = prev?.num_events_lost ?? 0;
  let cpu = prev?.cpu;
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    switch (n) {
      case F.LOST_EVENT.source:
        if (wt !== VARINT) r.mismatch('LostEvent', n, wt);
        source = r.int32();
        break;
      case F.LOST_EVENT.num_events_lost:
        if (wt !== VARINT) r.mismatch('LostEvent', n, wt);
        count = r.uint64();
        break;
      case F.LOST_EVENT.cpu:
        if (wt !== LEN) r.mismatch('LostEvent', n, wt);
        cpu = decodeWrapped(r, cpu ?? 0);
        break;
      default:
        r.skip(wt, n);
    }
  }
  r.leave(outer);
  const l: LostEvent = {};
  if (source !== 0) {
    const name = ENUMS.lostSource.names[source];
    if (name === undefined) onUnknown('lost_events.source', source);
    else l.source = name;
  }
  if (count) l.num_events_lost = count;
  if (cpu !== undefined) l.cpu = cpu;
  return l;
}

function nodeStatus(r: WireReader, prev: NodeStatusEvent | undefined, onUnknown: UnknownEnum): NodeStatusEvent {
  let state = prev?.state_change === undefined ? 0 : (ENUMS.nodeState.numbers.get(prev.state_change) ?? 0);
  let names = prev?.node_names?.slice();
  let message = prev?.message ?? '';
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    switch (n) {
      case F.NODE_STATUS_EVENT.state_change:
        if (wt !== VARINT) r.mismatch('NodeStatusEvent', n, wt);
        state = r.int32();
        break;
      case F.NODE_STATUS_EVENT.node_names:
        if (wt !== LEN) r.mismatch('NodeStatusEvent', n, wt);
        (names ??= []).push(r.string());
        break;
      case F.NODE_STATUS_EVENT.message:
        if (wt !== LEN) r.mismatch('NodeStatusEvent', n, wt);
        message = r.string();
        break;
      default:
        r.skip(wt, n);
    }
  }
  r.leave(outer);
  const s: NodeStatusEvent = {};
  if (state !== 0) {
    const name = ENUMS.nodeState.names[state];
    if (name === undefined) onUnknown('node_status.state_change', state);
    else s.state_change = name;
  }
  if (names !== undefined) s.node_names = names;
  if (message) s.message = message;
  return s;
}

/**
 * GetFlowsResponse bytes as a SourceEvent; undefined when the response carries none of
 * flow, lost_events, node_status. Throws a WireError on malformed input.
 */
export function decodeGetFlowsResponse(bytes: Uint8Array, onUnknown: UnknownEnum = ignoreUnknown): SourceEvent | undefined {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new WireReader(buf); // not shared: onUnknown may decode another response
  // The response_types oneof: the member read last wins; the same member again is merged.
  let kind = 0;
  let flow: ReturnType<typeof decodeFlow> | undefined;
  let lostEv: LostEvent | undefined;
  let status: NodeStatusEvent | undefined;
  let nodeName = '';
  let time: Timestamp | undefined;
  try {
    while (r.pos < r.limit) {
      const t = r.tag();
      const wt = t & 7;
      const n = t >>> 3;
      switch (n) {
        case F.GET_FLOWS_RESPONSE.flow:
          if (wt !== LEN) r.mismatch('GetFlowsResponse', n, wt);
          flow = decodeFlow(r, kind === n ? flow : undefined, onUnknown);
          kind = n;
          break;
        case F.GET_FLOWS_RESPONSE.node_status:
          if (wt !== LEN) r.mismatch('GetFlowsResponse', n, wt);
          status = nodeStatus(r, kind === n ? status : undefined, onUnknown);
          kind = n;
          break;
        case F.GET_FLOWS_RESPONSE.lost_events:
          if (wt !== LEN) r.mismatch('GetFlowsResponse', n, wt);
          lostEv = lost(r, kind === n ? lostEv : undefined, onUnknown);
          kind = n;
          break;
        case F.GET_FLOWS_RESPONSE.node_name:
          if (wt !== LEN) r.mismatch('GetFlowsResponse', n, wt);
          nodeName = r.string();
          break;
        case F.GET_FLOWS_RESPONSE.time:
          if (wt !== LEN) r.mismatch('GetFlowsResponse', n, wt);
          time = decodeTimestamp(r, time);
          break;
        default:
          r.skip(wt, n);
      }
    }
  } catch (err) {
    if (err instanceof Error) err.message = `GetFlowsResponse: ${err.message}`;
    throw err;
  }
  const node = nodeName ? nodeName : undefined;
  switch (kind) {
    case F.GET_FLOWS_RESPONSE.flow: {
      const f = flow!;
      // Like the JSON codec: a flow without its own time or node takes the response's.
      if (f.time === undefined && time !== undefined) f.time = timestampText(time.seconds, time.nanos);
      if (f.node_name === undefined && node !== undefined) f.node_name = node;
      return { kind: 'flow', flow: f };
    }
    case F.GET_FLOWS_RESPONSE.lost_events:
      return { kind: 'lost', lost: lostEv!, node_name: node, time: time === undefined ? undefined : timestampText(time.seconds, time.nanos) };
    case F.GET_FLOWS_RESPONSE.node_status:
      return { kind: 'node-status', status: status!, node_name: node, time: time === undefined ? undefined : timestampText(time.seconds, time.nanos) };
    default:
      return undefined;
  }
}
