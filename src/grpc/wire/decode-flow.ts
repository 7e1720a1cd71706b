// flow.Flow wire bytes -> netscope's model, without protobufjs' intermediate objects.
// The result is what flowFromProto (flow-mapping.ts) makes of protobufjs' decoding:
// zero values absent, enums as names (an unknown number is reported and left out),
// 64-bit integers as numbers. Each message is read into locals and built once at its
// end, so fields may come in any order, a repeated scalar's last value wins, and a
// message field that comes twice is merged (the earlier value seeds the locals), as the
// protobuf spec says; for a oneof the last member read wins. (protobufjs differs on
// the last two: it replaces a repeated message field, and keeps every oneof member.)
// Sub-messages: decode-parts.ts, decode-endpoint.ts, decode-layers.ts.
import type { Flow, NetscopeExtension, Policy } from '../../model/flow.ts';
import type { Timestamp } from '../../codec/timestamp.ts';
import { NETSCOPE_EXTENSION_FIELDS } from '../../codec/netscope-extension.ts';
import { endpoint } from './decode-endpoint.ts';
import { ip, layer4, layer7 } from './decode-layers.ts';
import { decodeTimestamp, decodeWrapped, enumName, ethernet, num, push, service, type UnknownEnum } from './decode-parts.ts';
import { ENUMS } from './enums.ts';
import * as F from './fields.ts';
import type { WireReader } from './reader.ts';
import { parseTime, timestampText } from './time.ts';

export type { UnknownEnum } from './decode-parts.ts';
export { decodeTimestamp, decodeWrapped } from './decode-parts.ts';

const VARINT = F.WT.VARINT;
const LEN = F.WT.LEN;

function eventType(r: WireReader, prev: Flow['event_type']): NonNullable<Flow['event_type']> {
  let type = prev?.type ?? 0;
  let sub = prev?.sub_type ?? 0;
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    if (n === F.CILIUM_EVENT_TYPE.type || n === F.CILIUM_EVENT_TYPE.sub_type) {
      if (wt !== VARINT) r.mismatch('CiliumEventType', n, wt);
      if (n === F.CILIUM_EVENT_TYPE.type) type = r.int32();
      else sub = r.int32();
    } else r.skip(wt, n);
  }
  r.leave(outer);
  const o: NonNullable<Flow['event_type']> = {};
  if (type) o.type = type;
  if (sub) o.sub_type = sub;
  return o;
}

function networkInterface(r: WireReader, prev: Flow['interface']): NonNullable<Flow['interface']> {
  let index = prev?.index ?? 0;
  let name = prev?.name ?? '';
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    if (n === F.NETWORK_INTERFACE.index) {
      if (wt !== VARINT) r.mismatch('NetworkInterface', n, wt);
      index = r.uint32();
    } else if (n === F.NETWORK_INTERFACE.name) {
      if (wt !== LEN) r.mismatch('NetworkInterface', n, wt);
      name = r.string();
    } else r.skip(wt, n);
  }
  r.leave(outer);
  const o: NonNullable<Flow['interface']> = {};
  if (index) o.index = index;
  if (name) o.name = name;
  return o;
}

function policy(r: WireReader): Policy {
  let name = '';
  let namespace = '';
  let labels: string[] | undefined;
  let revision = 0;
  let kind = '';
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    if (n === F.POLICY.revision) {
      if (wt !== VARINT) r.mismatch('Policy', n, wt);
      revision = r.uint64();
      continue;
    }
    if (n < F.POLICY.name || n > F.POLICY.kind) {
      r.skip(wt, n);
      continue;
    }
    if (wt !== LEN) r.mismatch('Policy', n, wt);
    const s = r.string();
    if (n === F.POLICY.name) name = s;
    else if (n === F.POLICY.namespace) namespace = s;
    else if (n === F.POLICY.labels) labels = push(labels, s);
    else kind = s;
  }
  r.leave(outer);
  const p: Policy = {};
  if (name) p.name = name;
  if (namespace) p.namespace = namespace;
  if (labels !== undefined) p.labels = labels;
  if (revision) p.revision = revision;
  if (kind) p.kind = kind;
  return p;
}

/** netscope.v1.FlowExtension fields by number: name and kind. */
const EXTENSION_BY_NUMBER: (readonly [keyof NetscopeExtension, 'u32' | 'u64' | 'string'])[] = [];
for (const [name, kind] of NETSCOPE_EXTENSION_FIELDS) EXTENSION_BY_NUMBER[F.FLOW_EXTENSION[name]] = [name, kind];

function extension(r: WireReader, prev: NetscopeExtension | undefined): NetscopeExtension {
  const x: Record<string, number | string> = { ...prev };
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    const f = EXTENSION_BY_NUMBER[n];
    if (f === undefined) {
      r.skip(wt, n);
      continue;
    }
    const [name, kind] = f;
    if (kind === 'string') {
      if (wt !== LEN) r.mismatch('FlowExtension', n, wt);
      const s = r.string();
      if (s !== '') x[name] = s;
      else if (name in x) delete x[name];
    } else {
      if (wt !== VARINT) r.mismatch('FlowExtension', n, wt);
      const v = kind === 'u32' ? r.uint32() : r.uint64();
      if (v !== 0) x[name] = v;
      else if (name in x) delete x[name];
    }
  }
  r.leave(outer);
  return x as NetscopeExtension;
}

function policies(list: Policy[] | undefined, r: WireReader): Policy[] {
  return push(list, policy(r));
}

/** flow.Flow (a length-delimited field at the reader's position) as a model Flow; prev is an earlier value to merge into. */
export function decodeFlow(r: WireReader, prev: Flow | undefined, onUnknown: UnknownEnum): Flow {
  const p: Flow = prev ?? NO_FLOW;
  let time: Timestamp | undefined;
  let timeText = p.time;
  let uuid = p.uuid ?? '';
  let verdict = num(ENUMS.verdict, p.verdict);
  let dropReason = p.drop_reason ?? 0;
  let authType = num(ENUMS.authType, p.auth_type);
  let eth = p.ethernet;
  let ipv = p.IP;
  let l4 = p.l4;
  let source = p.source;
  let destination = p.destination;
  let type = num(ENUMS.flowType, p.Type);
  let nodeName = p.node_name ?? '';
  let nodeLabels = p.node_labels?.slice();
  let sourceNames = p.source_names?.slice();
  let destinationNames = p.destination_names?.slice();
  let l7 = p.l7;
  let reply = p.reply ?? false;
  let evType = p.event_type;
  let sourceService = p.source_service;
  let destinationService = p.destination_service;
  let direction = num(ENUMS.direction, p.traffic_direction);
  let matchType = p.policy_match_type ?? 0;
  let obsPoint = num(ENUMS.obsPoint, p.trace_observation_point);
  let traceReason = num(ENUMS.traceReason, p.trace_reason);
  let dropDesc = num(ENUMS.dropReason, p.drop_reason_desc);
  let isReply: number | undefined = p.is_reply === undefined ? undefined : p.is_reply ? 1 : 0;
  let debugPoint = num(ENUMS.debugPoint, p.debug_capture_point);
  let itf = p.interface;
  let proxyPort = p.proxy_port ?? 0;
  let cookie = p.socket_cookie ?? 0;
  let cgroup = p.cgroup_id ?? 0;
  let summary = p.Summary ?? '';
  let egressAllowed = p.egress_allowed_by?.slice();
  let ingressAllowed = p.ingress_allowed_by?.slice();
  let egressDenied = p.egress_denied_by?.slice();
  let ingressDenied = p.ingress_denied_by?.slice();
  let policyLog = p.policy_log?.slice();
  let ext = p.netscope;
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    // Varint fields, then length-delimited ones; the wire type is checked once per group.
    switch (n) {
      case F.FLOW.verdict:
      case F.FLOW.drop_reason:
      case F.FLOW.Type:
      case F.FLOW.reply:
      case F.FLOW.traffic_direction:
      case F.FLOW.policy_match_type:
      case F.FLOW.trace_observation_point:
      case F.FLOW.drop_reason_desc:
      case F.FLOW.debug_capture_point:
      case F.FLOW.proxy_port:
      case F.FLOW.socket_cookie:
      case F.FLOW.cgroup_id:
      case F.FLOW.auth_type:
      case F.FLOW.trace_reason:
        if (wt !== VARINT) r.mismatch('Flow', n, wt);
        switch (n) {
          case F.FLOW.verdict:
            verdict = r.int32();
            break;
          case F.FLOW.drop_reason:
            dropReason = r.uint32();
            break;
          case F.FLOW.Type:
            type = r.int32();
            break;
          case F.FLOW.reply:
            reply = r.bool();
            break;
          case F.FLOW.traffic_direction:
            direction = r.int32();
            break;
          case F.FLOW.policy_match_type:
            matchType = r.uint32();
            break;
          case F.FLOW.trace_observation_point:
            obsPoint = r.int32();
            break;
          case F.FLOW.drop_reason_desc:
            dropDesc = r.int32();
            break;
          case F.FLOW.debug_capture_point:
            debugPoint = r.int32();
            break;
          case F.FLOW.proxy_port:
            proxyPort = r.uint32();
            break;
          case F.FLOW.socket_cookie:
            cookie = r.uint64();
            break;
          case F.FLOW.cgroup_id:
            cgroup = r.uint64();
            break;
          case F.FLOW.auth_type:
            authType = r.int32();
            break;
          default:
            traceReason = r.int32();
        }
        break;
      case F.FLOW.time:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        time = decodeTimestamp(r, time ?? (timeText === undefined ? undefined : parseTime(timeText)));
        timeText = undefined;
        break;
      case F.FLOW.uuid:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        uuid = r.uniqueString();
        break;
      case F.FLOW.ethernet:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        eth = ethernet(r, eth);
        break;
      case F.FLOW.IP:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        ipv = ip(r, ipv, onUnknown);
        break;
      case F.FLOW.l4:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        l4 = layer4(r, l4);
        break;
      case F.FLOW.source:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        source = endpoint(r, source);
        break;
      case F.FLOW.destination:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        destination = endpoint(r, destination);
        break;
      case F.FLOW.node_name:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        nodeName = r.string();
        break;
      case F.FLOW.source_names:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        sourceNames = push(sourceNames, r.string());
        break;
      case F.FLOW.destination_names:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        destinationNames = push(destinationNames, r.string());
        break;
      case F.FLOW.l7:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        l7 = layer7(r, l7, onUnknown);
        break;
      case F.FLOW.event_type:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        evType = eventType(r, evType);
        break;
      case F.FLOW.source_service:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        sourceService = service(r, sourceService);
        break;
      case F.FLOW.destination_service:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        destinationService = service(r, destinationService);
        break;
      case F.FLOW.is_reply:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        isReply = decodeWrapped(r, isReply ?? 0);
        break;
      case F.FLOW.interface:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        itf = networkInterface(r, itf);
        break;
      case F.FLOW.node_labels:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        nodeLabels = push(nodeLabels, r.string());
        break;
      case F.FLOW.egress_allowed_by:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        egressAllowed = policies(egressAllowed, r);
        break;
      case F.FLOW.ingress_allowed_by:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        ingressAllowed = policies(ingressAllowed, r);
        break;
      case F.FLOW.egress_denied_by:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        egressDenied = policies(egressDenied, r);
        break;
      case F.FLOW.ingress_denied_by:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        ingressDenied = policies(ingressDenied, r);
        break;
      case F.FLOW.policy_log:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        policyLog = push(policyLog, r.string());
        break;
      case F.FLOW.Summary:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        summary = r.uniqueString();
        break;
      case F.FLOW.netscope:
        if (wt !== LEN) r.mismatch('Flow', n, wt);
        ext = extension(r, ext);
        break;
      default:
        r.skip(wt, n);
    }
  }
  r.leave(outer);
  // Built in flowFromProto's order, so both give objects of the same shape.
  const f: Flow = {};
  if (time !== undefined) f.time = timestampText(time.seconds, time.nanos);
  else if (timeText !== undefined) f.time = timeText;
  if (uuid) f.uuid = uuid;
  let e: string | undefined;
  if ((e = enumName(ENUMS.verdict, verdict, 'flow.verdict', onUnknown))) f.verdict = e as Flow['verdict'];
  if (dropReason) f.drop_reason = dropReason;
  if ((e = enumName(ENUMS.authType, authType, 'flow.auth_type', onUnknown))) f.auth_type = e;
  if (eth !== undefined) f.ethernet = eth;
  if (ipv !== undefined) f.IP = ipv;
  if (l4 !== undefined) f.l4 = l4;
  if (source !== undefined) f.source = source;
  if (destination !== undefined) f.destination = destination;
  if ((e = enumName(ENUMS.flowType, type, 'flow.Type', onUnknown))) f.Type = e as Flow['Type'];
  if (nodeName) f.node_name = nodeName;
  if (nodeLabels !== undefined) f.node_labels = nodeLabels;
  if (sourceNames !== undefined) f.source_names = sourceNames;
  if (destinationNames !== undefined) f.destination_names = destinationNames;
  if (l7 !== undefined) f.l7 = l7;
  if (reply) f.reply = true;
  if (evType !== undefined) f.event_type = evType;
  if (sourceService !== undefined) f.source_service = sourceService;
  if (destinationService !== undefined) f.destination_service = destinationService;
  if ((e = enumName(ENUMS.direction, direction, 'flow.traffic_direction', onUnknown))) f.traffic_direction = e as Flow['traffic_direction'];
  if (matchType) f.policy_match_type = matchType;
  if ((e = enumName(ENUMS.obsPoint, obsPoint, 'flow.trace_observation_point', onUnknown))) {
    f.trace_observation_point = e as Flow['trace_observation_point'];
  }
  if ((e = enumName(ENUMS.traceReason, traceReason, 'flow.trace_reason', onUnknown))) f.trace_reason = e;
  if ((e = enumName(ENUMS.dropReason, dropDesc, 'flow.drop_reason_desc', onUnknown))) f.drop_reason_desc = e;
  if (isReply !== undefined) f.is_reply = isReply !== 0;
  if ((e = enumName(ENUMS.debugPoint, debugPoint, 'flow.debug_capture_point', onUnknown))) f.debug_capture_point = e;
  if (itf !== undefined) f.interface = itf;
  if (proxyPort) f.proxy_port = proxyPort;
  if (cookie) f.socket_cookie = cookie;
  if (cgroup) f.cgroup_id = cgroup;
  if (summary) f.Summary = summary;
  if (egressAllowed !== undefined) f.egress_allowed_by = egressAllowed;
  if (ingressAllowed !== undefined) f.ingress_allowed_by = ingressAllowed;
  if (egressDenied !== undefined) f.egress_denied_by = egressDenied;
  if (ingressDenied !== undefined) f.ingress_denied_by = ingressDenied;
  if (policyLog !== undefined) f.policy_log = policyLog;
  if (ext !== undefined) f.netscope = ext;
  return f;
}

/** What a flow's locals start from when there is nothing to merge with (one shape for every call). */
const NO_FLOW: Flow = Object.freeze({});
