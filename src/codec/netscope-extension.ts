// netscope's own per-flow data (process, byte counters) in Hubble JSON. It is written
// as an extra `"netscope":{...}` member of the flow: an unknown field, which the
// hubble CLI skips (it retries protojson with DiscardUnknown and warns once), while a
// google.protobuf.Any in `extensions` with a type hubble cannot resolve would make
// protojson reject the whole line. netscope reads both forms back.
import type { NetscopeExtension } from '../model/flow.ts';

/** The Any type URL accepted in `extensions` (read only). */
export const NETSCOPE_EXTENSION_TYPE = 'type.googleapis.com/netscope.v1.FlowExtension';

/** Wire order and kind of each field; uint64 fields are strings in protobuf JSON. */
export const NETSCOPE_EXTENSION_FIELDS: ReadonlyArray<readonly [keyof NetscopeExtension, 'u32' | 'u64' | 'string']> = [
  ['pid', 'u32'],
  ['comm', 'string'],
  ['bytes_sent', 'u64'],
  ['bytes_received', 'u64'],
  ['segments_sent', 'u64'],
  ['segments_received', 'u64'],
  ['srtt_us', 'u32'],
  ['connect_latency_ns', 'u64'],
  ['duration_ns', 'u64'],
  ['retransmits', 'u32'],
  ['response_latency_ns', 'u64'],
];

/** The extension's known fields from a JSON object (64-bit strings to numbers). */
export function readNetscopeFields(v: unknown): NetscopeExtension | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const raw = v as Record<string, unknown>;
  const ext: NetscopeExtension = {};
  for (const [name, kind] of NETSCOPE_EXTENSION_FIELDS) {
    const x = raw[name];
    if (x === undefined || x === null) continue;
    if (kind === 'string') {
      if (typeof x === 'string') (ext as Record<string, unknown>)[name] = x;
    } else {
      const n = typeof x === 'number' ? x : typeof x === 'string' ? Number(x) : Number.NaN;
      if (Number.isFinite(n)) (ext as Record<string, unknown>)[name] = n;
    }
  }
  return ext;
}

/** The extension carried by an `extensions` Any value, or undefined if it is someone else's. */
export function readNetscopeAny(any: unknown): NetscopeExtension | undefined {
  if (any === null || typeof any !== 'object') return undefined;
  if ((any as Record<string, unknown>)['@type'] !== NETSCOPE_EXTENSION_TYPE) return undefined;
  return readNetscopeFields(any);
}

/** The `"netscope"` member's JSON text (fields in wire order, zero values left out). */
export function writeNetscopeExtension(ext: NetscopeExtension): string {
  const parts: string[] = [];
  for (const [name, kind] of NETSCOPE_EXTENSION_FIELDS) {
    const v = ext[name];
    if (v === undefined || v === 0 || v === '') continue;
    if (kind === 'string') parts.push('"' + name + '":' + JSON.stringify(v));
    else if (kind === 'u64') parts.push('"' + name + '":"' + v + '"');
    else parts.push('"' + name + '":' + v);
  }
  return '{' + parts.join(',') + '}';
}
