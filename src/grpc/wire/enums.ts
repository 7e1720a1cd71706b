// Enum names <-> numbers for the wire codec, from the same .proto files protobufjs loads
// (schema.ts): names indexed by number for decoding, numbers by name for encoding.
import { enumNames, enumValues } from '../schema.ts';

export interface EnumTable {
  /** Name by number; undefined for numbers this build does not know. */
  names: readonly (string | undefined)[];
  /** Number by name. */
  numbers: ReadonlyMap<string, number>;
}

function table(fullName: string): EnumTable {
  const names: (string | undefined)[] = [];
  for (const [n, name] of Object.entries(enumNames(fullName))) names[Number(n)] = name;
  return { names, numbers: new Map(Object.entries(enumValues(fullName))) };
}

export const ENUMS = {
  verdict: table('flow.Verdict'),
  authType: table('flow.AuthType'),
  flowType: table('flow.FlowType'),
  direction: table('flow.TrafficDirection'),
  obsPoint: table('flow.TraceObservationPoint'),
  traceReason: table('flow.TraceReason'),
  dropReason: table('flow.DropReason'),
  debugPoint: table('flow.DebugCapturePoint'),
  ipVersion: table('flow.IPVersion'),
  l7Type: table('flow.L7FlowType'),
  lostSource: table('flow.LostEventSource'),
  nodeState: table('relay.NodeState'),
} as const;

/** The number to send for a model enum name; undefined (field left out) for the zero value or an unknown name. */
export function enumNumber(t: EnumTable, name: string | undefined): number | undefined {
  if (name === undefined) return undefined;
  const n = t.numbers.get(name);
  return n === 0 ? undefined : n;
}
