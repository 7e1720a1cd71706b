// netscope's own per-flow data travels in Hubble's `extensions` slot (a
// google.protobuf.Any), so Hubble tools skip it and netscope reads it back.
import type { NetscopeExtension } from '../model/flow.ts';

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
];

/** The extension carried by an `extensions` value, or undefined if it is someone else's. */
export function readNetscopeExtension(any: unknown): NetscopeExtension | undefined {
  if (any === null || typeof any !== 'object') return undefined;
  const raw = any as Record<string, unknown>;
  if (raw['@type'] !== NETSCOPE_EXTENSION_TYPE) return undefined;
  const ext: NetscopeExtension = {};
  for (const [name, kind] of NETSCOPE_EXTENSION_FIELDS) {
    const v = raw[name];
    if (v === undefined || v === null) continue;
    if (kind === 'string') {
      if (typeof v === 'string') (ext as Record<string, unknown>)[name] = v;
    } else {
      const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
      if (Number.isFinite(n)) (ext as Record<string, unknown>)[name] = n;
    }
  }
  return ext;
}

/** The `extensions` JSON text for a netscope extension (fields in wire order). */
export function writeNetscopeExtension(ext: NetscopeExtension): string {
  let out = '{"@type":"' + NETSCOPE_EXTENSION_TYPE + '"';
  for (const [name, kind] of NETSCOPE_EXTENSION_FIELDS) {
    const v = ext[name];
    if (v === undefined || v === 0 || v === '') continue;
    if (kind === 'string') out += ',"' + name + '":' + JSON.stringify(v);
    else if (kind === 'u64') out += ',"' + name + '":"' + v + '"';
    else out += ',"' + name + '":' + v;
  }
  return out + '}';
}
