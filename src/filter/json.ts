// FlowFilter as JSON the way hubble prints it (`--print-raw-filters`, the exporter's
// allowlist/denylist): protojson with proto field names, fields in declaration
// order, unset and zero values left out.
import type { FlowFilter, FilterSet, EventTypeFilter } from './flow-filter.ts';
import type { TCPFlags, Workload, HTTPHeader, NetworkInterface } from '../model/flow.ts';
import { TCP_FLAG_NAMES } from './hubble-names.ts';

/** FlowFilter fields in flow.proto declaration order (protojson's output order). */
export const FLOW_FILTER_FIELDS: readonly (keyof FlowFilter)[] = [
  'uuid',
  'source_ip',
  'source_ip_xlated',
  'source_pod',
  'source_fqdn',
  'source_label',
  'source_service',
  'source_workload',
  'source_cluster_name',
  'destination_ip',
  'destination_pod',
  'destination_fqdn',
  'destination_label',
  'destination_service',
  'destination_workload',
  'destination_cluster_name',
  'traffic_direction',
  'verdict',
  'drop_reason_desc',
  'interface',
  'event_type',
  'http_status_code',
  'protocol',
  'source_port',
  'destination_port',
  'reply',
  'dns_query',
  'source_identity',
  'destination_identity',
  'http_method',
  'http_path',
  'http_url',
  'http_header',
  'tcp_flags',
  'node_name',
  'node_labels',
  'ip_version',
  'trace_id',
  'encrypted',
];

function eventTypeJSON(e: EventTypeFilter): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (e.type) o.type = e.type;
  if (e.match_sub_type) o.match_sub_type = true;
  if (e.sub_type) o.sub_type = e.sub_type;
  return o;
}

function tcpFlagsJSON(f: TCPFlags): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const name of TCP_FLAG_NAMES) if (f[name]) o[name] = true;
  return o;
}

function workloadJSON(w: Workload): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (w.name) o.name = w.name;
  if (w.kind) o.kind = w.kind;
  return o;
}

function headerJSON(h: HTTPHeader): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (h.key) o.key = h.key;
  if (h.value) o.value = h.value;
  return o;
}

/** A plain object with hubble's JSON shape (key order included). */
export function flowFilterToObject(ff: FlowFilter): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const field of FLOW_FILTER_FIELDS) {
    const v = ff[field];
    if (!Array.isArray(v) || v.length === 0) continue;
    switch (field) {
      case 'event_type':
        o[field] = (v as EventTypeFilter[]).map(eventTypeJSON);
        break;
      case 'tcp_flags':
        o[field] = (v as TCPFlags[]).map(tcpFlagsJSON);
        break;
      case 'source_workload':
      case 'destination_workload':
        o[field] = (v as Workload[]).map(workloadJSON);
        break;
      case 'http_header':
        o[field] = (v as HTTPHeader[]).map(headerJSON);
        break;
      case 'interface':
        o[field] = (v as NetworkInterface[]).map((i) => ({ ...(i.index ? { index: i.index } : {}), ...(i.name ? { name: i.name } : {}) }));
        break;
      default:
        o[field] = v;
    }
  }
  return o;
}

/** `{"verdict":["DROPPED"]}` for --verdict DROPPED. */
export function flowFilterToJSON(ff: FlowFilter): string {
  return JSON.stringify(flowFilterToObject(ff));
}

function yamlSingleQuoted(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** What `hubble observe --print-raw-filters` prints for this set (YAML, one JSON filter per item). */
export function rawFiltersText(set: FilterSet): string {
  let out = '';
  if (set.allow.length > 0) {
    out += 'allowlist:\n';
    for (const ff of set.allow) out += `    - ${yamlSingleQuoted(flowFilterToJSON(ff))}\n`;
  }
  if (set.deny.length > 0) {
    out += 'denylist:\n';
    for (const ff of set.deny) out += `    - ${yamlSingleQuoted(flowFilterToJSON(ff))}\n`;
  }
  return out;
}
