// SourceEvent -> Hubble JSON export line, byte for byte what `hubble observe -o jsonpb`
// prints: protobuf JSON with proto field names in declaration order, zero values left
// out (except wrapper types such as is_reply), 64-bit integers as strings, timestamps
// in UTC with 0/3/6/9 fractional digits, and <, >, & escaped as Go's encoding/json does.
import type {
  Endpoint,
  Flow,
  HTTP,
  Kafka,
  DNS,
  Layer4,
  Layer7,
  LostEvent,
  NodeStatusEvent,
  Policy,
  Service,
  TCPFlags,
} from '../model/flow.ts';
import { TCP_FLAG_NAMES } from '../model/flow.ts';
import type { SourceEvent } from '../model/source.ts';
import { writeNetscopeExtension } from './netscope-extension.ts';
import { canonicalTimestamp } from './timestamp.ts';

/** A number as JSON; anything else a decoded line put there is written as escaped JSON. */
function numberJson(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : JSON.stringify(v ?? null);
}

/**
 * Accumulates `"key":value` pairs of one JSON object. null (protojson's "not set",
 * which a decoded line may carry) is left out like undefined; values of an unexpected
 * type come out as valid, escaped JSON.
 */
class Obj {
  private parts: string[] = [];
  str(key: string, v: string | undefined): this {
    if (v !== undefined && v !== null && v !== '') this.parts.push('"' + key + '":' + JSON.stringify(v));
    return this;
  }
  /** An enum: left out when absent or the zero value. */
  enm(key: string, v: string | undefined, zero: string): this {
    if (v !== undefined && v !== null && v !== zero) this.parts.push('"' + key + '":' + JSON.stringify(v));
    return this;
  }
  num(key: string, v: number | undefined): this {
    if (v !== undefined && v !== null && v !== 0) this.parts.push('"' + key + '":' + numberJson(v));
    return this;
  }
  u64(key: string, v: number | undefined): this {
    if (v !== undefined && v !== null && v !== 0) {
      this.parts.push('"' + key + '":' + (typeof v === 'number' ? '"' + v + '"' : JSON.stringify(v ?? null)));
    }
    return this;
  }
  bool(key: string, v: boolean | undefined): this {
    if (v === true) this.parts.push('"' + key + '":true');
    return this;
  }
  /** A wrapper type (BoolValue, Int32Value): written whenever present, even if zero. */
  wrapped(key: string, v: boolean | number | undefined): this {
    if (v !== undefined && v !== null) this.parts.push('"' + key + '":' + (typeof v === 'boolean' ? v : numberJson(v)));
    return this;
  }
  strs(key: string, v: string[] | undefined): this {
    if (Array.isArray(v) && v.length > 0) this.parts.push('"' + key + '":' + JSON.stringify(v));
    return this;
  }
  raw(key: string, json: string | undefined): this {
    if (json !== undefined) this.parts.push('"' + key + '":' + json);
    return this;
  }
  list<T>(key: string, v: T[] | undefined, each: (x: T) => string): this {
    if (Array.isArray(v) && v.length > 0) {
      const items = v.map((x) => (x !== null && typeof x === 'object' ? each(x) : JSON.stringify(x ?? null)));
      this.parts.push('"' + key + '":[' + items.join(',') + ']');
    }
    return this;
  }
  done(): string {
    return '{' + this.parts.join(',') + '}';
  }
}

function msg<T>(v: T | undefined | null, write: (x: T) => string): string | undefined {
  return v === undefined || v === null ? undefined : write(v);
}

function time(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = canonicalTimestamp(v);
  return t === undefined ? undefined : JSON.stringify(t);
}

function endpoint(e: Endpoint): string {
  return new Obj()
    .num('ID', e.ID)
    .num('identity', e.identity)
    .str('cluster_name', e.cluster_name)
    .str('namespace', e.namespace)
    .strs('labels', e.labels)
    .str('pod_name', e.pod_name)
    .list('workloads', e.workloads, (w) => new Obj().str('name', w.name).str('kind', w.kind).done())
    .done();
}

export function tcpFlagsJson(f: TCPFlags): string {
  const o = new Obj();
  for (const k of TCP_FLAG_NAMES) o.bool(k, f[k]);
  return o.done();
}

function ports(p: { source_port?: number; destination_port?: number }, flags?: TCPFlags): string {
  return new Obj()
    .num('source_port', p.source_port)
    .num('destination_port', p.destination_port)
    .raw('flags', msg(flags, tcpFlagsJson))
    .done();
}

function layer4(l: Layer4): string {
  const o = new Obj();
  if (l.TCP) o.raw('TCP', ports(l.TCP, l.TCP.flags));
  else if (l.UDP) o.raw('UDP', ports(l.UDP));
  else if (l.ICMPv4) o.raw('ICMPv4', new Obj().num('type', l.ICMPv4.type).num('code', l.ICMPv4.code).done());
  else if (l.ICMPv6) o.raw('ICMPv6', new Obj().num('type', l.ICMPv6.type).num('code', l.ICMPv6.code).done());
  else if (l.SCTP) o.raw('SCTP', ports(l.SCTP));
  return o.done();
}

function dns(d: DNS): string {
  return new Obj()
    .str('query', d.query)
    .strs('ips', d.ips)
    .num('ttl', d.ttl)
    .strs('cnames', d.cnames)
    .str('observation_source', d.observation_source)
    .num('rcode', d.rcode)
    .strs('qtypes', d.qtypes)
    .strs('rrtypes', d.rrtypes)
    .done();
}

function http(h: HTTP): string {
  return new Obj()
    .num('code', h.code)
    .str('method', h.method)
    .str('url', h.url)
    .str('protocol', h.protocol)
    .list('headers', h.headers, (x) => new Obj().str('key', x.key).str('value', x.value).done())
    .done();
}

function kafka(k: Kafka): string {
  return new Obj()
    .num('error_code', k.error_code)
    .num('api_version', k.api_version)
    .str('api_key', k.api_key)
    .num('correlation_id', k.correlation_id)
    .str('topic', k.topic)
    .done();
}

function layer7(l: Layer7): string {
  const o = new Obj().enm('type', l.type, 'UNKNOWN_L7_TYPE').u64('latency_ns', l.latency_ns);
  if (l.dns) o.raw('dns', dns(l.dns));
  else if (l.http) o.raw('http', http(l.http));
  else if (l.kafka) o.raw('kafka', kafka(l.kafka));
  return o.done();
}

function service(s: Service): string {
  return new Obj().str('name', s.name).str('namespace', s.namespace).done();
}

function policy(p: Policy): string {
  return new Obj()
    .str('name', p.name)
    .str('namespace', p.namespace)
    .strs('labels', p.labels)
    .u64('revision', p.revision)
    .str('kind', p.kind)
    .done();
}

/** The `flow` object of a GetFlowsResponse. */
export function flowJson(f: Flow): string {
  return new Obj()
    .raw('time', time(f.time))
    .str('uuid', f.uuid)
    .enm('verdict', f.verdict, 'VERDICT_UNKNOWN')
    .num('drop_reason', f.drop_reason)
    .enm('auth_type', f.auth_type, 'DISABLED')
    .raw('ethernet', msg(f.ethernet, (e) => new Obj().str('source', e.source).str('destination', e.destination).done()))
    .raw(
      'IP',
      msg(f.IP, (ip) =>
        new Obj()
          .str('source', ip.source)
          .str('source_xlated', ip.source_xlated)
          .str('destination', ip.destination)
          .enm('ipVersion', ip.ipVersion, 'IP_NOT_USED')
          .bool('encrypted', ip.encrypted)
          .done(),
      ),
    )
    .raw('l4', msg(f.l4, layer4))
    .raw('source', msg(f.source, endpoint))
    .raw('destination', msg(f.destination, endpoint))
    .enm('Type', f.Type, 'UNKNOWN_TYPE')
    .str('node_name', f.node_name)
    .strs('node_labels', f.node_labels)
    .strs('source_names', f.source_names)
    .strs('destination_names', f.destination_names)
    .raw('l7', msg(f.l7, layer7))
    .bool('reply', f.reply)
    .raw('event_type', msg(f.event_type, (e) => new Obj().num('type', e.type).num('sub_type', e.sub_type).done()))
    .raw('source_service', msg(f.source_service, service))
    .raw('destination_service', msg(f.destination_service, service))
    .enm('traffic_direction', f.traffic_direction, 'TRAFFIC_DIRECTION_UNKNOWN')
    .num('policy_match_type', f.policy_match_type)
    .enm('trace_observation_point', f.trace_observation_point, 'UNKNOWN_POINT')
    .enm('trace_reason', f.trace_reason, 'TRACE_REASON_UNKNOWN')
    .enm('drop_reason_desc', f.drop_reason_desc, 'DROP_REASON_UNKNOWN')
    .wrapped('is_reply', f.is_reply)
    .enm('debug_capture_point', f.debug_capture_point, 'DBG_CAPTURE_POINT_UNKNOWN')
    .raw('interface', msg(f.interface, (i) => new Obj().num('index', i.index).str('name', i.name).done()))
    .num('proxy_port', f.proxy_port)
    .u64('socket_cookie', f.socket_cookie)
    .u64('cgroup_id', f.cgroup_id)
    .str('Summary', f.Summary)
    .list('egress_allowed_by', f.egress_allowed_by, policy)
    .list('ingress_allowed_by', f.ingress_allowed_by, policy)
    .list('egress_denied_by', f.egress_denied_by, policy)
    .list('ingress_denied_by', f.ingress_denied_by, policy)
    .strs('policy_log', f.policy_log)
    // Not a Hubble field: hubble skips it (see netscope-extension.ts), netscope reads it.
    .raw('netscope', msg(f.netscope, writeNetscopeExtension))
    .done();
}

function lostJson(l: LostEvent): string {
  return new Obj()
    .enm('source', l.source, 'UNKNOWN_LOST_EVENT_SOURCE')
    .u64('num_events_lost', l.num_events_lost)
    .wrapped('cpu', l.cpu)
    .done();
}

function nodeStatusJson(s: NodeStatusEvent): string {
  return new Obj()
    .enm('state_change', s.state_change, 'UNKNOWN_NODE_STATE')
    .strs('node_names', s.node_names)
    .str('message', s.message)
    .done();
}

// Go's encoding/json (which hubble's printer goes through) escapes these in strings.
const GO_HTML_UNSAFE = /[<>&\u2028\u2029]/;
const GO_HTML_UNSAFE_G = /[<>&\u2028\u2029]/g;
const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** Applies Go encoding/json's HTML-safe escaping to JSON text. */
export function goHtmlEscape(json: string): string {
  return GO_HTML_UNSAFE.test(json) ? json.replace(GO_HTML_UNSAFE_G, (c) => GO_ESCAPES[c]!) : json;
}

/**
 * One GetFlowsResponse line (without the newline), or undefined for events that are
 * not part of Hubble's stream (netscope's own connection status).
 */
export function encodeEvent(ev: SourceEvent): string | undefined {
  let o: Obj;
  switch (ev.kind) {
    case 'flow':
      o = new Obj().raw('flow', flowJson(ev.flow)).str('node_name', ev.flow.node_name).raw('time', time(ev.flow.time));
      break;
    case 'lost':
      o = new Obj().raw('lost_events', lostJson(ev.lost)).str('node_name', ev.node_name).raw('time', time(ev.time));
      break;
    case 'node-status':
      o = new Obj()
        .raw('node_status', nodeStatusJson(ev.status))
        .str('node_name', ev.node_name)
        .raw('time', time(ev.time));
      break;
    default:
      return undefined;
  }
  return goHtmlEscape(o.done());
}
