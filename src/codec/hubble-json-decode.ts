// Hubble JSON export -> SourceEvent. One line is one observer.GetFlowsResponse in
// protobuf JSON with the proto field names, which is already the shape of our Flow:
// JSON.parse plus a light fix-up in place (64-bit strings to numbers, enums given as
// numbers to names, netscope's extension unpacked). Unknown fields are ignored.
import type { Flow, LostEvent, NodeStatusEvent } from '../model/flow.ts';
import type { SourceEvent } from '../model/source.ts';
import {
  AUTH_TYPE_NAMES,
  DEBUG_CAPTURE_POINT_NAMES,
  DROP_REASON_NAMES,
  FLOW_TYPE_NAMES,
  IP_VERSION_NAMES,
  L7_FLOW_TYPE_NAMES,
  LOST_EVENT_SOURCE_NAMES,
  NODE_STATE_NAMES,
  TRACE_OBSERVATION_POINT_NAMES,
  TRACE_REASON_NAMES,
  TRAFFIC_DIRECTION_NAMES,
  VERDICT_NAMES,
  type EnumTable,
} from '../model/enum-names.ts';
import { readNetscopeAny, readNetscopeFields } from './netscope-extension.ts';
import { checkFlowShape, checkLostShape, checkNodeStatusShape, isObj, type Obj } from './shape.ts';
import { isTimestamp } from './timestamp.ts';

/** A line that is not a Hubble GetFlowsResponse; the message says what is wrong. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

/**
 * Decodes one line. Returns undefined for responses netscope has no use for
 * (agent or debug events, empty responses); throws DecodeError for anything else
 * that is not a GetFlowsResponse.
 */
export function decodeHubbleLine(line: string): SourceEvent | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (err) {
    throw new DecodeError(`invalid JSON (${shortJsonError(err)})`);
  }
  if (!isObj(v)) throw new DecodeError('invalid GetFlowsResponse (expected a JSON object)');
  return decodeResponse(v);
}

function shortJsonError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.length > 120 ? msg.slice(0, 117) + '...' : msg;
}

/** Decodes an already parsed GetFlowsResponse object (mutated in place). */
export function decodeResponse(v: Obj): SourceEvent | undefined {
  const flow = v.flow;
  if (flow !== undefined && flow !== null) {
    if (!isObj(flow)) throw new DecodeError('field flow: expected an object');
    return { kind: 'flow', flow: decodeFlow(flow, v) };
  }
  const outerNode = optString(v.node_name, 'node_name');
  const outerTime = optTime(v.time, 'time');
  const lost = v.lost_events;
  if (lost !== undefined && lost !== null) {
    if (!isObj(lost)) throw new DecodeError('field lost_events: expected an object');
    return { kind: 'lost', lost: decodeLost(lost), node_name: outerNode, time: outerTime };
  }
  const status = v.node_status;
  if (status !== undefined && status !== null) {
    if (!isObj(status)) throw new DecodeError('field node_status: expected an object');
    return { kind: 'node-status', status: decodeNodeStatus(status), node_name: outerNode, time: outerTime };
  }
  if ('agent_event' in v || 'debug_event' in v || Object.keys(v).every((k) => k === 'node_name' || k === 'time')) {
    return undefined;
  }
  throw new DecodeError('not a Hubble GetFlowsResponse (no flow, lost_events or node_status)');
}

function optString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new DecodeError(`field ${field}: expected a string`);
  return v;
}

function optTime(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !isTimestamp(v)) {
    throw new DecodeError(`field ${field}: invalid RFC 3339 timestamp ${JSON.stringify(v)}`);
  }
  return v;
}

function enumName(o: Obj, key: string, table: EnumTable, field: string): void {
  const v = o[key];
  if (typeof v === 'number') {
    const name = table[v];
    if (name === undefined) throw new DecodeError(`field ${field}: unknown enum value ${v}`);
    o[key] = name;
  } else if (v === null) {
    delete o[key];
  }
}

function u64(o: Obj, key: string, field: string): void {
  const v = o[key];
  if (typeof v === 'string') {
    const n = Number(v);
    if (v === '' || !Number.isFinite(n)) throw new DecodeError(`field ${field}: invalid integer ${JSON.stringify(v)}`);
    o[key] = n;
  } else if (v === null) {
    delete o[key];
  }
}

// Enum fields given as numbers (or null) need the slow path; names pass untouched.
const needsEnumFix = (v: unknown): boolean => v !== undefined && typeof v !== 'string';

function revisions(list: unknown, key: string): void {
  if (!Array.isArray(list)) return;
  for (const p of list) if (isObj(p) && p.revision !== undefined) u64(p, 'revision', `flow.${key}.revision`);
}

function decodeFlow(f: Obj, outer: Obj): Flow {
  if (f.time === undefined || f.time === null) {
    // Hubble always sets both; an exporter that only set the outer one still has a time.
    if (typeof outer.time === 'string') f.time = outer.time;
  }
  if (f.time !== undefined) f.time = optTime(f.time, 'flow.time');
  if (f.node_name === undefined && typeof outer.node_name === 'string') f.node_name = outer.node_name;

  if (needsEnumFix(f.verdict)) enumName(f, 'verdict', VERDICT_NAMES, 'flow.verdict');
  if (needsEnumFix(f.auth_type)) enumName(f, 'auth_type', AUTH_TYPE_NAMES, 'flow.auth_type');
  if (needsEnumFix(f.Type)) enumName(f, 'Type', FLOW_TYPE_NAMES, 'flow.Type');
  if (needsEnumFix(f.traffic_direction)) enumName(f, 'traffic_direction', TRAFFIC_DIRECTION_NAMES, 'flow.traffic_direction');
  if (needsEnumFix(f.trace_observation_point)) {
    enumName(f, 'trace_observation_point', TRACE_OBSERVATION_POINT_NAMES, 'flow.trace_observation_point');
  }
  if (needsEnumFix(f.trace_reason)) enumName(f, 'trace_reason', TRACE_REASON_NAMES, 'flow.trace_reason');
  if (needsEnumFix(f.drop_reason_desc)) enumName(f, 'drop_reason_desc', DROP_REASON_NAMES, 'flow.drop_reason_desc');
  if (needsEnumFix(f.debug_capture_point)) enumName(f, 'debug_capture_point', DEBUG_CAPTURE_POINT_NAMES, 'flow.debug_capture_point');
  if (f.socket_cookie !== undefined) u64(f, 'socket_cookie', 'flow.socket_cookie');
  if (f.cgroup_id !== undefined) u64(f, 'cgroup_id', 'flow.cgroup_id');

  const ip = f.IP;
  if (isObj(ip)) {
    if (needsEnumFix(ip.ipVersion)) enumName(ip, 'ipVersion', IP_VERSION_NAMES, 'flow.IP.ipVersion');
  } else if (ip !== undefined && ip !== null) throw new DecodeError('field flow.IP: expected an object');

  const l7 = f.l7;
  if (isObj(l7)) {
    if (needsEnumFix(l7.type)) enumName(l7, 'type', L7_FLOW_TYPE_NAMES, 'flow.l7.type');
    if (l7.latency_ns !== undefined) u64(l7, 'latency_ns', 'flow.l7.latency_ns');
  }
  if (f.egress_allowed_by !== undefined) revisions(f.egress_allowed_by, 'egress_allowed_by');
  if (f.ingress_allowed_by !== undefined) revisions(f.ingress_allowed_by, 'ingress_allowed_by');
  if (f.egress_denied_by !== undefined) revisions(f.egress_denied_by, 'egress_denied_by');
  if (f.ingress_denied_by !== undefined) revisions(f.ingress_denied_by, 'ingress_denied_by');
  if (f.netscope !== undefined) {
    const ns = readNetscopeFields(f.netscope);
    if (ns === undefined) delete f.netscope;
    else f.netscope = ns;
  }
  const ext = f.extensions;
  if (ext !== undefined) {
    const ns = readNetscopeAny(ext);
    if (ns !== undefined) {
      f.netscope ??= ns;
      delete f.extensions;
    }
  }
  const bad = checkFlowShape(f);
  if (bad !== undefined) throw new DecodeError(`field ${bad}`);
  return f as Flow;
}

function decodeLost(l: Obj): LostEvent {
  enumName(l, 'source', LOST_EVENT_SOURCE_NAMES, 'lost_events.source');
  u64(l, 'num_events_lost', 'lost_events.num_events_lost');
  const bad = checkLostShape(l);
  if (bad !== undefined) throw new DecodeError(`field ${bad}`);
  return l as LostEvent;
}

function decodeNodeStatus(s: Obj): NodeStatusEvent {
  enumName(s, 'state_change', NODE_STATE_NAMES, 'node_status.state_change');
  const bad = checkNodeStatusShape(s);
  if (bad !== undefined) throw new DecodeError(`field ${bad}`);
  return s as NodeStatusEvent;
}
