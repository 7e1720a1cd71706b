// flow.Endpoint wire bytes -> the model's Endpoint, with a cache of repeated endpoints.
import type { Endpoint } from '../../model/flow.ts';
import { push, workload } from './decode-parts.ts';
import * as F from './fields.ts';
import type { WireReader } from './reader.ts';

const VARINT = F.WT.VARINT;
const LEN = F.WT.LEN;

// Endpoints repeat from flow to flow byte for byte (the same pod talks again and again),
// so a decoded one is kept by its bytes and handed out as a copy when they come again:
// one native compare instead of decoding a dozen strings. A slot holds the latest
// endpoint that hashed there; only the first occurrence in a flow (no merge) is cached.
const ENDPOINT_SLOTS = 1024; // a power of two
const ENDPOINT_MAX_BYTES = 2048;
const endpointBytes: (Buffer | undefined)[] = new Array<Buffer | undefined>(ENDPOINT_SLOTS).fill(undefined);
const endpointValues: (Endpoint | undefined)[] = new Array<Endpoint | undefined>(ENDPOINT_SLOTS).fill(undefined);

function endpointSlot(b: Buffer, start: number, end: number): number {
  const len = end - start;
  let h = Math.imul(len, 0x9e3779b1);
  // The head holds ID and identity; the tail pod name's suffix, workloads, cluster name.
  const head = Math.min(end, start + 10);
  for (let p = start; p < head; p++) h = Math.imul(h ^ b[p]!, 0x01000193);
  for (let p = Math.max(head, end - 24); p < end; p++) h = Math.imul(h ^ b[p]!, 0x01000193);
  return (h ^ (h >>> 13)) & (ENDPOINT_SLOTS - 1);
}

function copyEndpoint(e: Endpoint): Endpoint {
  const c: Endpoint = { ...e };
  if (e.labels !== undefined) c.labels = e.labels.slice();
  if (e.workloads !== undefined) c.workloads = e.workloads.map((w) => ({ ...w }));
  return c;
}

export function endpoint(r: WireReader, prev: Endpoint | undefined): Endpoint {
  if (prev !== undefined) return endpointFields(r, r.span(), prev);
  const end = r.span();
  const start = r.pos;
  const len = end - start;
  if (len > ENDPOINT_MAX_BYTES) return endpointFields(r, end, undefined);
  const b = r.buf;
  const slot = endpointSlot(b, start, end);
  const known = endpointBytes[slot];
  if (known !== undefined && known.length === len && b.compare(known, 0, len, start, end) === 0) {
    r.pos = end;
    return copyEndpoint(endpointValues[slot]!);
  }
  const e = endpointFields(r, end, undefined);
  endpointBytes[slot] = Buffer.from(b.subarray(start, end));
  endpointValues[slot] = copyEndpoint(e);
  return e;
}

/** Endpoint's fields up to end (from r.span()). */
function endpointFields(r: WireReader, end: number, prev: Endpoint | undefined): Endpoint {
  let id = prev?.ID ?? 0;
  let identity = prev?.identity ?? 0;
  let cluster = prev?.cluster_name ?? '';
  let namespace = prev?.namespace ?? '';
  let labels = prev?.labels?.slice();
  let pod = prev?.pod_name ?? '';
  let workloads = prev?.workloads?.slice();
  const outer = r.narrow(end);
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    switch (n) {
      case F.ENDPOINT.ID:
        if (wt !== VARINT) r.mismatch('Endpoint', n, wt);
        id = r.uint32();
        break;
      case F.ENDPOINT.identity:
        if (wt !== VARINT) r.mismatch('Endpoint', n, wt);
        identity = r.uint32();
        break;
      case F.ENDPOINT.namespace:
        if (wt !== LEN) r.mismatch('Endpoint', n, wt);
        namespace = r.string();
        break;
      case F.ENDPOINT.labels:
        if (wt !== LEN) r.mismatch('Endpoint', n, wt);
        labels = push(labels, r.string());
        break;
      case F.ENDPOINT.pod_name:
        if (wt !== LEN) r.mismatch('Endpoint', n, wt);
        pod = r.string();
        break;
      case F.ENDPOINT.workloads:
        if (wt !== LEN) r.mismatch('Endpoint', n, wt);
        workloads = push(workloads, workload(r));
        break;
      case F.ENDPOINT.cluster_name:
        if (wt !== LEN) r.mismatch('Endpoint', n, wt);
        cluster = r.string();
        break;
      default:
        r.skip(wt, n);
    }
  }
  r.leave(outer);
  const e: Endpoint = {};
  if (id) e.ID = id;
  if (identity) e.identity = identity;
  if (cluster) e.cluster_name = cluster;
  if (namespace) e.namespace = namespace;
  if (labels !== undefined) e.labels = labels;
  if (pod) e.pod_name = pod;
  if (workloads !== undefined) e.workloads = workloads;
  return e;
}

