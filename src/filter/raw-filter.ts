// FlowFilter from hubble's raw JSON form (`--allowlist '{"verdict":["DROPPED"]}'`,
// the exporter's allowlist/denylist). Unknown fields and wrong types are errors:
// a silently ignored field would widen the filter.
import type { FlowFilter, EventTypeFilter } from './flow-filter.ts';
import { VERDICTS, TRAFFIC_DIRECTIONS, IP_VERSIONS } from '../model/flow.ts';
import type { TCPFlags } from '../model/flow.ts';
import { invalid, FilterError } from './errors.ts';
import { FLOW_FILTER_FIELDS } from './json.ts';
import { TCP_FLAG_NAMES } from './hubble-names.ts';

const STRING_FIELDS = new Set<keyof FlowFilter>([
  'uuid', 'source_ip', 'source_ip_xlated', 'source_pod', 'source_fqdn', 'source_label', 'source_service',
  'destination_ip', 'destination_pod', 'destination_fqdn', 'destination_label', 'destination_service',
  'drop_reason_desc', 'http_status_code', 'protocol', 'source_port', 'destination_port', 'dns_query',
  'http_method', 'http_path', 'http_url', 'node_name', 'node_labels', 'trace_id', 'source_cluster_name', 'destination_cluster_name',
]);
const ENUMS: Partial<Record<keyof FlowFilter, readonly string[]>> = {
  verdict: VERDICTS,
  traffic_direction: TRAFFIC_DIRECTIONS,
  ip_version: IP_VERSIONS,
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseRawFilter(flag: string, text: string): FlowFilter {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw invalid(flag, text, `not JSON (${(err as Error).message})`);
  }
  return toFlowFilter(obj, (reason) => invalid(flag, text, reason));
}

/**
 * A FlowFilter from a decoded message (e.g. what protobufjs gives the
 * agent's server): enums as names or numbers, unset fields as empty lists. Unknown
 * fields that carry a value are refused.
 */
export function flowFilterFromObject(obj: unknown): FlowFilter {
  return toFlowFilter(obj, (reason) => new FilterError(`invalid FlowFilter: ${reason}`));
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as object).every(isEmpty);
  return false;
}

function toFlowFilter(obj: unknown, fail: (reason: string) => FilterError): FlowFilter {
  if (!isObject(obj)) throw fail('want a JSON object such as {"verdict":["DROPPED"]}');
  const ff: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    const field = key as keyof FlowFilter;
    if (!FLOW_FILTER_FIELDS.includes(field)) {
      if (isEmpty(value)) continue;
      throw fail(`unknown field "${key}"`);
    }
    if (value === null || value === undefined) continue;
    if (!Array.isArray(value)) throw fail(`field "${key}" must be a list`);
    if (value.length === 0) continue;
    const bad = (): never => {
      throw fail(`field "${key}" has a value of the wrong type`);
    };
    if (STRING_FIELDS.has(field)) {
      if (!value.every((x) => typeof x === 'string')) bad();
      ff[key] = [...value];
    } else if (ENUMS[field]) {
      const names = ENUMS[field]!;
      ff[key] = value.map((x) => {
        if (typeof x === 'number' && Number.isInteger(x) && names[x] !== undefined) return names[x];
        if (typeof x === 'string' && names.includes(x)) return x;
        return bad();
      });
    } else if (field === 'reply' || field === 'encrypted') {
      if (!value.every((x) => typeof x === 'boolean')) bad();
      ff[key] = [...value];
    } else if (field === 'source_identity' || field === 'destination_identity') {
      if (!value.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) bad();
      ff[key] = [...value];
    } else if (field === 'event_type') {
      ff[key] = value.map((x): EventTypeFilter => {
        if (!isObject(x)) return bad();
        const e: EventTypeFilter = {};
        for (const [k, v] of Object.entries(x)) {
          if (k === 'type' && typeof v === 'number') e.type = v;
          else if (k === 'match_sub_type' && typeof v === 'boolean') e.match_sub_type = v;
          else if (k === 'sub_type' && typeof v === 'number') e.sub_type = v;
          else bad();
        }
        if (e.match_sub_type && e.sub_type === undefined) e.sub_type = 0;
        return e;
      });
    } else if (field === 'tcp_flags') {
      ff[key] = value.map((x): TCPFlags => {
        if (!isObject(x)) return bad();
        const t: TCPFlags = {};
        for (const [k, v] of Object.entries(x)) {
          if (!(TCP_FLAG_NAMES as readonly string[]).includes(k) || typeof v !== 'boolean') bad();
          if (v) t[k as keyof TCPFlags] = true;
        }
        return t;
      });
    } else if (field === 'interface') {
      ff[key] = value.map((x) => {
        if (!isObject(x)) return bad();
        const o: { index?: number; name?: string } = {};
        for (const [k, v] of Object.entries(x)) {
          if (k === 'index' && typeof v === 'number' && Number.isInteger(v) && v >= 0) {
            if (v > 0) o.index = v;
          } else if (k === 'name' && typeof v === 'string') {
            if (v !== '') o.name = v;
          } else bad();
        }
        return o;
      });
    } else if (field === 'source_workload' || field === 'destination_workload' || field === 'http_header') {
      const keys = field === 'http_header' ? ['key', 'value'] : ['name', 'kind'];
      ff[key] = value.map((x) => {
        if (!isObject(x)) return bad();
        const o: Record<string, string> = {};
        for (const [k, v] of Object.entries(x)) {
          if (!keys.includes(k) || typeof v !== 'string') bad();
          if (v !== '') o[k] = v as string;
        }
        return o;
      });
    }
  }
  return ff as FlowFilter;
}
