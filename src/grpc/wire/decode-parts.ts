// Pieces every wire decoder file shares: enum names with unknown-number reporting,
// repeated-field appends, google.protobuf Timestamp and wrappers, and the small
// two-string messages (Ethernet, Service, Workload, HTTPHeader).
import type { Flow, HTTPHeader, Workload } from '../../model/flow.ts';
import type { Timestamp } from '../../codec/timestamp.ts';
import type { EnumTable } from './enums.ts';
import * as F from './fields.ts';
import type { WireReader } from './reader.ts';

/** Told about an enum number this build does not know; the field is then left out. */
export type UnknownEnum = (field: string, value: number) => void;

const VARINT = F.WT.VARINT;
const LEN = F.WT.LEN;

export function enumName(t: EnumTable, v: number, field: string, onUnknown: UnknownEnum): string | undefined {
  if (v === 0) return undefined;
  const name = t.names[v];
  if (name === undefined) onUnknown(field, v);
  return name;
}

/** Appends to a repeated field's list (a merged message's list was copied when its locals were seeded). */
export function push<T>(list: T[] | undefined, v: T): T[] {
  if (list === undefined) return [v];
  list.push(v);
  return list;
}

export function decodeTimestamp(r: WireReader, prev: Timestamp | undefined): Timestamp {
  let seconds = prev ? prev.seconds : 0;
  let nanos = prev ? prev.nanos : 0;
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    switch (t >>> 3) {
      case F.TIMESTAMP.seconds:
        if (wt !== VARINT) r.mismatch('Timestamp', 1, wt);
        seconds = r.int64();
        break;
      case F.TIMESTAMP.nanos:
        if (wt !== VARINT) r.mismatch('Timestamp', 2, wt);
        nanos = r.int32();
        break;
      default:
        r.skip(wt, t >>> 3);
    }
  }
  r.leave(outer);
  return { seconds, nanos };
}

/** google.protobuf.BoolValue / Int32Value: the wrapped value (false/0 when absent). */
export function decodeWrapped(r: WireReader, prev: number): number {
  let v = prev;
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    if (t >>> 3 === F.WRAPPER.value) {
      if ((t & 7) !== VARINT) r.mismatch('wrapper', 1, t & 7);
      v = r.int32();
    } else r.skip(t & 7, t >>> 3);
  }
  r.leave(outer);
  return v;
}

// pair()'s result, read right after the call: module-level, so the per-flow hot path
// makes no tuple arrays.
let first = '';
let second = '';

/** A message of two strings (fields 1 and 2): Ethernet, Service, Workload, HTTPHeader; the result in first/second. */
function pair(r: WireReader, name: string, prevA: string | undefined, prevB: string | undefined): void {
  let a = prevA ?? '';
  let b = prevB ?? '';
  const outer = r.enter();
  while (r.pos < r.limit) {
    const t = r.tag();
    const wt = t & 7;
    const n = t >>> 3;
    if (n === 1 || n === 2) {
      if (wt !== LEN) r.mismatch(name, n, wt);
      if (n === 1) a = r.string();
      else b = r.string();
    } else r.skip(wt, n);
  }
  r.leave(outer);
  first = a;
  second = b;
}

export function ethernet(r: WireReader, prev: Flow['ethernet']): NonNullable<Flow['ethernet']> {
  pair(r, 'Ethernet', prev?.source, prev?.destination);
  const a = first;
  const b = second;
  const o: NonNullable<Flow['ethernet']> = {};
  if (a) o.source = a;
  if (b) o.destination = b;
  return o;
}

export function service(r: WireReader, prev: { name?: string; namespace?: string } | undefined): { name?: string; namespace?: string } {
  pair(r, 'Service', prev?.name, prev?.namespace);
  const a = first;
  const b = second;
  const o: { name?: string; namespace?: string } = {};
  if (a) o.name = a;
  if (b) o.namespace = b;
  return o;
}

export function workload(r: WireReader): Workload {
  pair(r, 'Workload', undefined, undefined);
  const a = first;
  const b = second;
  const o: Workload = {};
  if (a) o.name = a;
  if (b) o.kind = b;
  return o;
}

export function header(r: WireReader): HTTPHeader {
  pair(r, 'HTTPHeader', undefined, undefined);
  const a = first;
  const b = second;
  const o: HTTPHeader = {};
  if (a) o.key = a;
  if (b) o.value = b;
  return o;
}

/** An enum name from a model value being merged back to its number (0 when absent). */
export function num(t: EnumTable, name: string | undefined): number {
  return name === undefined ? 0 : (t.numbers.get(name) ?? 0);
}

