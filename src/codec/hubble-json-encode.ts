// SourceEvent -> Hubble JSON export line, byte for byte what `hubble observe -o jsonpb`
// prints: protobuf JSON with proto field names in declaration order, zero values left
// out (except wrapper types such as is_reply), 64-bit integers as strings, timestamps
// in UTC with 0/3/6/9 fractional digits, and <, >, & escaped as Go's encoding/json does.
//
// This runs once per printed flow (`observe -o json` at 100k+ flows/s), so it is written
// for speed: each object is one string grown by concatenation (V8 makes these cheap rope
// nodes, flattened once when the line is written), strings that need no escaping (nearly
// all of them: names, labels, enum values) are quoted without JSON.stringify and kept
// for the next flow that has them, and a flow's timestamp is re-cut without a regular
// expression when its second repeats.
// Members are appended as `,"key":value`; the first one of an object replaces the comma
// with `{` (see `add`), so no object needs a builder, an array or a join.
import type {
  DNS,
  Endpoint,
  Flow,
  HTTP,
  Kafka,
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
 * Anything but printable ASCII that JSON and Go write as themselves: control characters,
 * `"`, `\`, Go's HTML escapes, and all non-ASCII (where JSON.stringify decides about lone
 * surrogates). Strings without any are quoted as they are; the rest go the slow, exact way.
 */
const NEEDS_ESCAPE = /[\x00-\x1f"\\<>&\x7f-\uffff]/;

/** A string as Go-escaped JSON. */
function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? goHtmlEscape(JSON.stringify(s)) : '"' + s + '"';
}

// Names, labels, namespaces, enum values and addresses repeat from flow to flow: their
// JSON is kept, so most strings cost one Map lookup instead of a scan. Bounded; emptied
// when full (a cluster with more distinct names than this only loses the shortcut).
// Strings unique to a flow (its uuid, long URLs) bypass it so they cannot crowd it out.
const QUOTED = new Map<string, string>();
const QUOTED_MAX = 8192;
const QUOTED_MAX_LENGTH = 120;

function quoteCached(s: string): string {
  let q = QUOTED.get(s);
  if (q === undefined) {
    q = quote(s);
    if (s.length <= QUOTED_MAX_LENGTH) {
      if (QUOTED.size >= QUOTED_MAX) QUOTED.clear();
      QUOTED.set(s, q);
    }
  }
  return q;
}

/** Any other value a decoded line may carry where a message expected something else. */
function anyJson(v: unknown): string {
  return goHtmlEscape(JSON.stringify(v));
}

/** A number as JSON; anything else a decoded line put there is written as escaped JSON. */
function numberJson(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? '' + v : anyJson(v ?? null);
}

// The member writers: `s` is the object so far ('' before its first member), `k` the
// member's `,"name":`. null (protojson's "not set", which a decoded line may carry) is
// left out like undefined; values of an unexpected type come out as valid, escaped JSON.

function add(s: string, k: string, json: string): string {
  return s === '' ? '{' + k.substring(1) + json : s + k + json;
}

function close(s: string): string {
  return s === '' ? '{}' : s + '}';
}

function str(s: string, k: string, v: string | undefined): string {
  if (v === undefined || v === null || v === '') return s;
  return add(s, k, typeof v === 'string' ? quoteCached(v) : anyJson(v));
}

/** A string field unique to each flow (its uuid): not worth caching. */
function uniqueStr(s: string, k: string, v: string | undefined): string {
  if (v === undefined || v === null || v === '') return s;
  return add(s, k, typeof v === 'string' ? quote(v) : anyJson(v));
}

/** An enum: left out when absent or the zero value. */
function enm(s: string, k: string, v: string | undefined, zero: string): string {
  if (v === undefined || v === null || v === zero) return s;
  return add(s, k, typeof v === 'string' ? quoteCached(v) : anyJson(v));
}

function num(s: string, k: string, v: number | undefined): string {
  if (v === undefined || v === null || v === 0) return s;
  return add(s, k, numberJson(v));
}

function u64(s: string, k: string, v: number | undefined): string {
  if (v === undefined || v === null || v === 0) return s;
  return add(s, k, typeof v === 'number' ? '"' + v + '"' : anyJson(v));
}

function bool(s: string, k: string, v: boolean | undefined): string {
  return v === true ? add(s, k, 'true') : s;
}

/** A wrapper type (BoolValue, Int32Value): written whenever present, even if zero. */
function wrapped(s: string, k: string, v: boolean | number | undefined): string {
  if (v === undefined || v === null) return s;
  return add(s, k, typeof v === 'boolean' ? (v ? 'true' : 'false') : numberJson(v));
}

function strs(s: string, k: string, v: string[] | undefined): string {
  if (!Array.isArray(v) || v.length === 0) return s;
  let json = '[';
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    // A hole or a non-string: JSON.stringify's spelling of the whole array.
    if (typeof x !== 'string') return add(s, k, anyJson(v));
    json += i === 0 ? quoteCached(x) : ',' + quoteCached(x);
  }
  return add(s, k, json + ']');
}

function list<T>(s: string, k: string, v: T[] | undefined, each: (x: T) => string): string {
  if (!Array.isArray(v) || v.length === 0) return s;
  let json = '[';
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (i > 0) json += ',';
    json += x !== null && typeof x === 'object' ? each(x as T) : anyJson(x ?? null);
  }
  return add(s, k, json + ']');
}

function sub<T>(s: string, k: string, v: T | undefined | null, write: (x: T) => string): string {
  return v === undefined || v === null ? s : add(s, k, write(v));
}

// Timestamps: protojson's spelling, with the last second seen in the UTC form kept so the
// next flow of that second (the usual case) is only checked for its fraction and `Z`.
let lastSecond = '';
let lastTimeIn = '';
let lastTimeOut: string | undefined;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Whether s[from..to) is all '0' (an empty range is). */
function zeros(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) !== 48) return false;
  return true;
}

/**
 * `s` (whose first 19 characters are lastSecond) re-cut like canonicalTimestamp, or
 * undefined to take the slow way. The fraction is cut to 0, 3, 6 or 9 digits as
 * protoFraction does; when it already has that many (the usual case) `s` is returned as is.
 */
function sameSecond(s: string): string | undefined {
  const n = s.length;
  if (s.charCodeAt(n - 1) !== 90 /* Z */) return undefined;
  if (n === 20) return s;
  if (s.charCodeAt(19) !== 46 /* . */ || n > 30 || n < 22) return undefined;
  for (let i = 20; i < n - 1; i++) if (!isDigit(s.charCodeAt(i))) return undefined;
  const digits = n - 21;
  // Digits the fraction keeps: the padded nanoseconds are written down to the last
  // non-zero group of three.
  const end = n - 1;
  const keep = !zeros(s, 26, end) ? 9 : !zeros(s, 23, Math.min(26, end)) ? 6 : !zeros(s, 20, Math.min(23, end)) ? 3 : 0;
  if (keep === digits) return s;
  if (keep === 0) return lastSecond + 'Z';
  if (keep < digits) return s.slice(0, 20 + keep) + 'Z';
  return s.slice(0, end) + '000000000'.slice(0, keep - digits) + 'Z';
}

const UTC_SECOND = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

function timeJson(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v === lastTimeIn) return lastTimeOut;
  let t: string | undefined;
  if (typeof v === 'string' && lastSecond !== '' && v.startsWith(lastSecond)) t = sameSecond(v);
  if (t === undefined) {
    t = canonicalTimestamp(v);
    // Only the UTC spelling keeps its own first 19 characters.
    if (t !== undefined && typeof v === 'string' && v.endsWith('Z') && UTC_SECOND.test(v) && t.startsWith(v.slice(0, 19))) {
      lastSecond = v.slice(0, 19);
    }
  }
  const out = t === undefined ? undefined : '"' + t + '"';
  if (typeof v === 'string') {
    lastTimeIn = v;
    lastTimeOut = out;
  }
  return out;
}

function time(s: string, k: string, v: string | undefined): string {
  const json = timeJson(v);
  return json === undefined ? s : add(s, k, json);
}

function workload(w: { name?: string; kind?: string }): string {
  return close(str(str('', ',"name":', w.name), ',"kind":', w.kind));
}

function endpoint(e: Endpoint): string {
  let s = num('', ',"ID":', e.ID);
  s = num(s, ',"identity":', e.identity);
  s = str(s, ',"cluster_name":', e.cluster_name);
  s = str(s, ',"namespace":', e.namespace);
  s = strs(s, ',"labels":', e.labels);
  s = str(s, ',"pod_name":', e.pod_name);
  s = list(s, ',"workloads":', e.workloads, workload);
  return close(s);
}

const TCP_FLAG_KEYS = TCP_FLAG_NAMES.map((n) => ',"' + n + '":');

export function tcpFlagsJson(f: TCPFlags): string {
  let s = '';
  for (let i = 0; i < TCP_FLAG_NAMES.length; i++) s = bool(s, TCP_FLAG_KEYS[i]!, f[TCP_FLAG_NAMES[i]!]);
  return close(s);
}

function ports(p: { source_port?: number; destination_port?: number }, flags?: TCPFlags): string {
  let s = num('', ',"source_port":', p.source_port);
  s = num(s, ',"destination_port":', p.destination_port);
  return close(sub(s, ',"flags":', flags, tcpFlagsJson));
}

function icmp(i: { type?: number; code?: number }): string {
  return close(num(num('', ',"type":', i.type), ',"code":', i.code));
}

function layer4(l: Layer4): string {
  if (l.TCP) return '{"TCP":' + ports(l.TCP, l.TCP.flags) + '}';
  if (l.UDP) return '{"UDP":' + ports(l.UDP) + '}';
  if (l.ICMPv4) return '{"ICMPv4":' + icmp(l.ICMPv4) + '}';
  if (l.ICMPv6) return '{"ICMPv6":' + icmp(l.ICMPv6) + '}';
  if (l.SCTP) return '{"SCTP":' + ports(l.SCTP) + '}';
  return '{}';
}

function dns(d: DNS): string {
  let s = str('', ',"query":', d.query);
  s = strs(s, ',"ips":', d.ips);
  s = num(s, ',"ttl":', d.ttl);
  s = strs(s, ',"cnames":', d.cnames);
  s = str(s, ',"observation_source":', d.observation_source);
  s = num(s, ',"rcode":', d.rcode);
  s = strs(s, ',"qtypes":', d.qtypes);
  s = strs(s, ',"rrtypes":', d.rrtypes);
  return close(s);
}

function header(h: { key?: string; value?: string }): string {
  return close(str(str('', ',"key":', h.key), ',"value":', h.value));
}

function http(h: HTTP): string {
  let s = num('', ',"code":', h.code);
  s = str(s, ',"method":', h.method);
  s = str(s, ',"url":', h.url);
  s = str(s, ',"protocol":', h.protocol);
  s = list(s, ',"headers":', h.headers, header);
  return close(s);
}

function kafka(k: Kafka): string {
  let s = num('', ',"error_code":', k.error_code);
  s = num(s, ',"api_version":', k.api_version);
  s = str(s, ',"api_key":', k.api_key);
  s = num(s, ',"correlation_id":', k.correlation_id);
  s = str(s, ',"topic":', k.topic);
  return close(s);
}

function layer7(l: Layer7): string {
  let s = enm('', ',"type":', l.type, 'UNKNOWN_L7_TYPE');
  s = u64(s, ',"latency_ns":', l.latency_ns);
  if (l.dns) s = add(s, ',"dns":', dns(l.dns));
  else if (l.http) s = add(s, ',"http":', http(l.http));
  else if (l.kafka) s = add(s, ',"kafka":', kafka(l.kafka));
  return close(s);
}

function service(v: Service): string {
  return close(str(str('', ',"name":', v.name), ',"namespace":', v.namespace));
}

function policy(p: Policy): string {
  let s = str('', ',"name":', p.name);
  s = str(s, ',"namespace":', p.namespace);
  s = strs(s, ',"labels":', p.labels);
  s = u64(s, ',"revision":', p.revision);
  s = str(s, ',"kind":', p.kind);
  return close(s);
}

function ethernet(e: NonNullable<Flow['ethernet']>): string {
  return close(str(str('', ',"source":', e.source), ',"destination":', e.destination));
}

function ip(v: NonNullable<Flow['IP']>): string {
  let s = str('', ',"source":', v.source);
  s = str(s, ',"source_xlated":', v.source_xlated);
  s = str(s, ',"destination":', v.destination);
  s = enm(s, ',"ipVersion":', v.ipVersion, 'IP_NOT_USED');
  s = bool(s, ',"encrypted":', v.encrypted);
  return close(s);
}

function eventType(e: NonNullable<Flow['event_type']>): string {
  return close(num(num('', ',"type":', e.type), ',"sub_type":', e.sub_type));
}

function networkInterface(i: NonNullable<Flow['interface']>): string {
  return close(str(num('', ',"index":', i.index), ',"name":', i.name));
}

/** writeNetscopeExtension quotes `comm` with JSON.stringify; Go's escapes are added here. */
function netscope(ext: NonNullable<Flow['netscope']>): string {
  return goHtmlEscape(writeNetscopeExtension(ext));
}

/** The `flow` object of a GetFlowsResponse. */
export function flowJson(f: Flow): string {
  let s = time('', ',"time":', f.time);
  s = uniqueStr(s, ',"uuid":', f.uuid);
  s = enm(s, ',"verdict":', f.verdict, 'VERDICT_UNKNOWN');
  s = num(s, ',"drop_reason":', f.drop_reason);
  s = enm(s, ',"auth_type":', f.auth_type, 'DISABLED');
  s = sub(s, ',"ethernet":', f.ethernet, ethernet);
  s = sub(s, ',"IP":', f.IP, ip);
  s = sub(s, ',"l4":', f.l4, layer4);
  s = sub(s, ',"source":', f.source, endpoint);
  s = sub(s, ',"destination":', f.destination, endpoint);
  s = enm(s, ',"Type":', f.Type, 'UNKNOWN_TYPE');
  s = str(s, ',"node_name":', f.node_name);
  s = strs(s, ',"node_labels":', f.node_labels);
  s = strs(s, ',"source_names":', f.source_names);
  s = strs(s, ',"destination_names":', f.destination_names);
  s = sub(s, ',"l7":', f.l7, layer7);
  s = bool(s, ',"reply":', f.reply);
  s = sub(s, ',"event_type":', f.event_type, eventType);
  s = sub(s, ',"source_service":', f.source_service, service);
  s = sub(s, ',"destination_service":', f.destination_service, service);
  s = enm(s, ',"traffic_direction":', f.traffic_direction, 'TRAFFIC_DIRECTION_UNKNOWN');
  s = num(s, ',"policy_match_type":', f.policy_match_type);
  s = enm(s, ',"trace_observation_point":', f.trace_observation_point, 'UNKNOWN_POINT');
  s = enm(s, ',"trace_reason":', f.trace_reason, 'TRACE_REASON_UNKNOWN');
  s = enm(s, ',"drop_reason_desc":', f.drop_reason_desc, 'DROP_REASON_UNKNOWN');
  s = wrapped(s, ',"is_reply":', f.is_reply);
  s = enm(s, ',"debug_capture_point":', f.debug_capture_point, 'DBG_CAPTURE_POINT_UNKNOWN');
  s = sub(s, ',"interface":', f.interface, networkInterface);
  s = num(s, ',"proxy_port":', f.proxy_port);
  s = u64(s, ',"socket_cookie":', f.socket_cookie);
  s = u64(s, ',"cgroup_id":', f.cgroup_id);
  s = str(s, ',"Summary":', f.Summary);
  s = list(s, ',"egress_allowed_by":', f.egress_allowed_by, policy);
  s = list(s, ',"ingress_allowed_by":', f.ingress_allowed_by, policy);
  s = list(s, ',"egress_denied_by":', f.egress_denied_by, policy);
  s = list(s, ',"ingress_denied_by":', f.ingress_denied_by, policy);
  s = strs(s, ',"policy_log":', f.policy_log);
  // Not a Hubble field: hubble skips it (see netscope-extension.ts), netscope reads it.
  s = sub(s, ',"netscope":', f.netscope, netscope);
  return close(s);
}

function lostJson(l: LostEvent): string {
  let s = enm('', ',"source":', l.source, 'UNKNOWN_LOST_EVENT_SOURCE');
  s = u64(s, ',"num_events_lost":', l.num_events_lost);
  s = wrapped(s, ',"cpu":', l.cpu);
  return close(s);
}

function nodeStatusJson(v: NodeStatusEvent): string {
  let s = enm('', ',"state_change":', v.state_change, 'UNKNOWN_NODE_STATE');
  s = strs(s, ',"node_names":', v.node_names);
  s = str(s, ',"message":', v.message);
  return close(s);
}

/**
 * One GetFlowsResponse line (without the newline), or undefined for events that are
 * not part of Hubble's stream (netscope's own connection status).
 */
export function encodeEvent(ev: SourceEvent): string | undefined {
  let s: string;
  switch (ev.kind) {
    case 'flow':
      s = str('{"flow":' + flowJson(ev.flow), ',"node_name":', ev.flow.node_name);
      return time(s, ',"time":', ev.flow.time) + '}';
    case 'lost':
      s = str('{"lost_events":' + lostJson(ev.lost), ',"node_name":', ev.node_name);
      return time(s, ',"time":', ev.time) + '}';
    case 'node-status':
      s = str('{"node_status":' + nodeStatusJson(ev.status), ',"node_name":', ev.node_name);
      return time(s, ',"time":', ev.time) + '}';
    default:
      return undefined;
  }
}
