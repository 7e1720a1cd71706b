// FlowFilter protobuf <-> the filter compiler's FlowFilter, so a GetFlowsRequest's
// whitelist/blacklist means exactly what the same flags mean to `netscope observe`:
// both sides go through src/filter (flowFilterFromObject refuses unknown fields and
// wrong types instead of silently widening a filter).
import type { FilterSet, FlowFilter } from '../filter/flow-filter.ts';
import { flowFilterFromObject, flowFilterToObject } from '../filter/index.ts';
import { T } from './schema.ts';

type Msg = Record<string, unknown>;

const TO_OBJECT = { enums: String, longs: Number, defaults: false, arrays: false } as const;

/** A decoded flow.FlowFilter as the compiler's FlowFilter; throws FilterError when it cannot be honoured. */
export function filterFromProto(m: Msg): FlowFilter {
  // toObject gives enum names (numbers this build does not know stay numbers and are refused).
  const obj = T.FlowFilter.toObject(m as never, TO_OBJECT);
  return flowFilterFromObject(obj);
}

/** The compiler's FlowFilter as a plain object for T.FlowFilter.encode (enum names to numbers). */
export function filterToProto(ff: FlowFilter): Msg {
  return T.FlowFilter.toObject(T.FlowFilter.fromObject(flowFilterToObject(ff)), { defaults: false }) as Msg;
}

export function filterSetFromRequest(req: { whitelist?: unknown; blacklist?: unknown }): FilterSet {
  const list = (v: unknown): Msg[] => (Array.isArray(v) ? (v as Msg[]) : []);
  return { allow: list(req.whitelist).map(filterFromProto), deny: list(req.blacklist).map(filterFromProto) };
}

export function filterSetToRequest(set: FilterSet): { whitelist: Msg[]; blacklist: Msg[] } {
  return { whitelist: set.allow.map(filterToProto), blacklist: set.deny.map(filterToProto) };
}
