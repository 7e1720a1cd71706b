// The protobuf types of Hubble's API (and netscope's extension), built once from the
// .proto texts embedded in proto/schema.ts. protobufjs compiles an encoder and decoder
// per message on first use; 64-bit integers decode as plain numbers (Long is turned
// off: counters and nanoseconds stay below 2^53 in practice, and Flow holds numbers).
import protobuf from 'protobufjs';
import { PROTO_FILES } from './proto/schema.ts';

protobuf.util.Long = null as unknown as typeof protobuf.util.Long; // numbers, not Long objects
protobuf.configure();

const ORDER = ['netscope.proto', 'relay.proto', 'flow.proto', 'peer.proto', 'observer.proto'];

/** A Root with the named files parsed into it, plus the google well-known types they import. */
export function buildRoot(files: Readonly<Record<string, string>> = PROTO_FILES, order: readonly string[] = ORDER): protobuf.Root {
  const root = new protobuf.Root();
  for (const wk of ['google/protobuf/timestamp.proto', 'google/protobuf/wrappers.proto']) {
    const json = protobuf.common.get(wk);
    if (json === null) throw new Error(`protobufjs lacks ${wk}`);
    root.addJSON(json.nested as Record<string, protobuf.AnyNestedObject>);
  }
  for (const name of order) {
    const text = files[name];
    if (text === undefined) throw new Error(`missing proto file ${name}`);
    protobuf.parse(text, root, { keepCase: true });
  }
  root.resolveAll();
  return root;
}

const root = buildRoot();

export const T = {
  Flow: root.lookupType('flow.Flow'),
  FlowFilter: root.lookupType('flow.FlowFilter'),
  GetFlowsRequest: root.lookupType('observer.GetFlowsRequest'),
  GetFlowsResponse: root.lookupType('observer.GetFlowsResponse'),
  GetNodesRequest: root.lookupType('observer.GetNodesRequest'),
  GetNodesResponse: root.lookupType('observer.GetNodesResponse'),
  GetNamespacesRequest: root.lookupType('observer.GetNamespacesRequest'),
  GetNamespacesResponse: root.lookupType('observer.GetNamespacesResponse'),
  ServerStatusRequest: root.lookupType('observer.ServerStatusRequest'),
  ServerStatusResponse: root.lookupType('observer.ServerStatusResponse'),
  NotifyRequest: root.lookupType('peer.NotifyRequest'),
  ChangeNotification: root.lookupType('peer.ChangeNotification'),
} as const;

/** Enum values by number, for names in the model (e.g. flow.Verdict). */
export function enumNames(fullName: string): Readonly<Record<number, string>> {
  return root.lookupEnum(fullName).valuesById;
}

/** Enum numbers by name. */
export function enumValues(fullName: string): Readonly<Record<string, number>> {
  return root.lookupEnum(fullName).values;
}
