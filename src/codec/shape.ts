// The JSON types of the Hubble fields netscope reads, checked right after JSON.parse,
// so that a line with, say, a number where a pod name belongs is rejected naming the
// field (as protojson rejects it) instead of upsetting a filter or printer later.
// Only fields present are looked at and unknown fields are ignored; null is accepted
// (protojson reads it as "not set"). Written out by hand with plain property reads
// and no allocation on the good path (the field path is built only for an error):
// this runs for every line, so it has to cost little next to JSON.parse.

export type Obj = Record<string, unknown>;
/** undefined when fine, else the path below the checked object and the problem: `.pod_name: expected a string`. */
type Check = string | undefined;

const str = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';
const num = (v: unknown): boolean => v === undefined || v === null || typeof v === 'number';
const bool = (v: unknown): boolean => v === undefined || v === null || typeof v === 'boolean';

function strs(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}

/** A JSON object (not null, not an array). */
export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An optional message field. */
function sub(v: unknown, key: string, each: (o: Obj) => Check): Check {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) return key + ': expected an object';
  const bad = each(v);
  return bad === undefined ? undefined : key + bad;
}

/** A repeated message field. */
function list(v: unknown, key: string, each: (o: Obj) => Check): Check {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return key + ': expected a list';
  for (let i = 0; i < v.length; i++) {
    const item: unknown = v[i];
    if (!isObj(item)) return `${key}[${i}]: expected an object`;
    const bad = each(item);
    if (bad !== undefined) return `${key}[${i}]${bad}`;
  }
  return undefined;
}

const S = ': expected a string';
const N = ': expected a number';
const B = ': expected true or false';
const SS = ': expected a list of strings';

function ports(o: Obj): Check {
  if (!num(o.source_port)) return '.source_port' + N;
  if (!num(o.destination_port)) return '.destination_port' + N;
  return undefined;
}

function tcpFlags(f: Obj): Check {
  if (!bool(f.FIN)) return '.FIN' + B;
  if (!bool(f.SYN)) return '.SYN' + B;
  if (!bool(f.RST)) return '.RST' + B;
  if (!bool(f.PSH)) return '.PSH' + B;
  if (!bool(f.ACK)) return '.ACK' + B;
  if (!bool(f.URG)) return '.URG' + B;
  if (!bool(f.ECE)) return '.ECE' + B;
  if (!bool(f.CWR)) return '.CWR' + B;
  if (!bool(f.NS)) return '.NS' + B;
  return undefined;
}

function tcp(o: Obj): Check {
  return ports(o) ?? sub(o.flags, '.flags', tcpFlags);
}

function icmp(o: Obj): Check {
  if (!num(o.type)) return '.type' + N;
  if (!num(o.code)) return '.code' + N;
  return undefined;
}

function layer4(o: Obj): Check {
  return sub(o.TCP, '.TCP', tcp) ?? sub(o.UDP, '.UDP', ports) ?? sub(o.ICMPv4, '.ICMPv4', icmp) ?? sub(o.ICMPv6, '.ICMPv6', icmp) ?? sub(o.SCTP, '.SCTP', ports);
}

function workload(o: Obj): Check {
  if (!str(o.name)) return '.name' + S;
  if (!str(o.kind)) return '.kind' + S;
  return undefined;
}

function endpoint(o: Obj): Check {
  if (!num(o.ID)) return '.ID' + N;
  if (!num(o.identity)) return '.identity' + N;
  if (!str(o.cluster_name)) return '.cluster_name' + S;
  if (!str(o.namespace)) return '.namespace' + S;
  if (!strs(o.labels)) return '.labels' + SS;
  if (!str(o.pod_name)) return '.pod_name' + S;
  return list(o.workloads, '.workloads', workload);
}

function ethernet(o: Obj): Check {
  if (!str(o.source)) return '.source' + S;
  if (!str(o.destination)) return '.destination' + S;
  return undefined;
}

function ip(o: Obj): Check {
  if (!str(o.source)) return '.source' + S;
  if (!str(o.source_xlated)) return '.source_xlated' + S;
  if (!str(o.destination)) return '.destination' + S;
  if (!str(o.ipVersion)) return '.ipVersion' + S;
  if (!bool(o.encrypted)) return '.encrypted' + B;
  return undefined;
}

function eventType(o: Obj): Check {
  if (!num(o.type)) return '.type' + N;
  if (!num(o.sub_type)) return '.sub_type' + N;
  return undefined;
}

function networkInterface(o: Obj): Check {
  if (!num(o.index)) return '.index' + N;
  if (!str(o.name)) return '.name' + S;
  return undefined;
}

function service(o: Obj): Check {
  if (!str(o.name)) return '.name' + S;
  if (!str(o.namespace)) return '.namespace' + S;
  return undefined;
}

function policy(o: Obj): Check {
  if (!str(o.name)) return '.name' + S;
  if (!str(o.namespace)) return '.namespace' + S;
  if (!strs(o.labels)) return '.labels' + SS;
  if (!num(o.revision)) return '.revision' + N;
  if (!str(o.kind)) return '.kind' + S;
  return undefined;
}

function dns(o: Obj): Check {
  if (!str(o.query)) return '.query' + S;
  if (!strs(o.ips)) return '.ips' + SS;
  if (!num(o.ttl)) return '.ttl' + N;
  if (!strs(o.cnames)) return '.cnames' + SS;
  if (!str(o.observation_source)) return '.observation_source' + S;
  if (!num(o.rcode)) return '.rcode' + N;
  if (!strs(o.qtypes)) return '.qtypes' + SS;
  if (!strs(o.rrtypes)) return '.rrtypes' + SS;
  return undefined;
}

function header(o: Obj): Check {
  if (!str(o.key)) return '.key' + S;
  if (!str(o.value)) return '.value' + S;
  return undefined;
}

function http(o: Obj): Check {
  if (!num(o.code)) return '.code' + N;
  if (!str(o.method)) return '.method' + S;
  if (!str(o.url)) return '.url' + S;
  if (!str(o.protocol)) return '.protocol' + S;
  return list(o.headers, '.headers', header);
}

function kafka(o: Obj): Check {
  if (!num(o.error_code)) return '.error_code' + N;
  if (!num(o.api_version)) return '.api_version' + N;
  if (!str(o.api_key)) return '.api_key' + S;
  if (!num(o.correlation_id)) return '.correlation_id' + N;
  if (!str(o.topic)) return '.topic' + S;
  return undefined;
}

function layer7(o: Obj): Check {
  if (!str(o.type)) return '.type' + S;
  if (!num(o.latency_ns)) return '.latency_ns' + N;
  return sub(o.dns, '.dns', dns) ?? sub(o.http, '.http', http) ?? sub(o.kafka, '.kafka', kafka);
}

function flow(f: Obj): Check {
  if (!str(f.uuid)) return '.uuid' + S;
  if (!str(f.verdict)) return '.verdict' + S;
  if (!num(f.drop_reason)) return '.drop_reason' + N;
  if (!str(f.auth_type)) return '.auth_type' + S;
  if (!str(f.Type)) return '.Type' + S;
  if (!str(f.node_name)) return '.node_name' + S;
  if (!strs(f.node_labels)) return '.node_labels' + SS;
  if (!strs(f.source_names)) return '.source_names' + SS;
  if (!strs(f.destination_names)) return '.destination_names' + SS;
  if (!bool(f.reply)) return '.reply' + B;
  if (!str(f.traffic_direction)) return '.traffic_direction' + S;
  if (!num(f.policy_match_type)) return '.policy_match_type' + N;
  if (!str(f.trace_observation_point)) return '.trace_observation_point' + S;
  if (!str(f.trace_reason)) return '.trace_reason' + S;
  if (!str(f.drop_reason_desc)) return '.drop_reason_desc' + S;
  if (!bool(f.is_reply)) return '.is_reply' + B;
  if (!str(f.debug_capture_point)) return '.debug_capture_point' + S;
  if (!num(f.proxy_port)) return '.proxy_port' + N;
  if (!num(f.socket_cookie)) return '.socket_cookie' + N;
  if (!num(f.cgroup_id)) return '.cgroup_id' + N;
  if (!str(f.Summary)) return '.Summary' + S;
  if (!strs(f.policy_log)) return '.policy_log' + SS;
  return (
    sub(f.ethernet, '.ethernet', ethernet) ??
    sub(f.IP, '.IP', ip) ??
    sub(f.l4, '.l4', layer4) ??
    sub(f.source, '.source', endpoint) ??
    sub(f.destination, '.destination', endpoint) ??
    sub(f.l7, '.l7', layer7) ??
    sub(f.event_type, '.event_type', eventType) ??
    sub(f.source_service, '.source_service', service) ??
    sub(f.destination_service, '.destination_service', service) ??
    sub(f.interface, '.interface', networkInterface) ??
    list(f.egress_allowed_by, '.egress_allowed_by', policy) ??
    list(f.ingress_allowed_by, '.ingress_allowed_by', policy) ??
    list(f.egress_denied_by, '.egress_denied_by', policy) ??
    list(f.ingress_denied_by, '.ingress_denied_by', policy)
  );
}

/** The first field of a flow with the wrong JSON type (`flow.source.pod_name: expected a string`). */
export function checkFlowShape(f: Obj): string | undefined {
  const bad = flow(f);
  return bad === undefined ? undefined : 'flow' + bad;
}

export function checkLostShape(l: Obj): string | undefined {
  if (!str(l.source)) return 'lost_events.source' + S;
  if (!num(l.num_events_lost)) return 'lost_events.num_events_lost' + N;
  if (!num(l.cpu)) return 'lost_events.cpu' + N;
  return undefined;
}

export function checkNodeStatusShape(s: Obj): string | undefined {
  if (!str(s.state_change)) return 'node_status.state_change' + S;
  if (!strs(s.node_names)) return 'node_status.node_names' + SS;
  if (!str(s.message)) return 'node_status.message' + S;
  return undefined;
}
