// gRPC method definitions for observer.Observer and peer.Peer, shared by the client and
// the server: paths from the protos, (de)serializers from protobufjs. Responses are
// encoded once and written as bytes (the server's ring keeps them), so the response
// serializer passes Buffers through. GetFlows responses are the per-flow hot path: the
// server encodes them with the wire codec (wire/get-flows.ts), and the client gets them
// as bytes, which its source decodes with the same codec (so a bad one is a warning
// naming the server, and unknown enum values reach the source's reporting).
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { T } from './schema.ts';

export type Msg = Record<string, unknown>;

/** Largest message either side accepts (grpc-js's default is 4 MiB, like Go's). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

function method(
  path: string,
  req: protobuf.Type,
  res: protobuf.Type,
  responseStream: boolean,
): MethodDefinition<Msg | Buffer, Msg | Buffer> {
  const ser = (type: protobuf.Type) => (v: Msg | Buffer): Buffer =>
    Buffer.isBuffer(v) ? v : Buffer.from(type.encode(v).finish());
  const de = (type: protobuf.Type) => (b: Buffer): Msg => type.decode(b) as unknown as Msg;
  return {
    path,
    originalName: path.slice(path.lastIndexOf('/') + 1),
    requestStream: false,
    responseStream,
    requestSerialize: ser(req),
    requestDeserialize: de(req),
    responseSerialize: ser(res),
    responseDeserialize: de(res),
  };
}

const getFlows = method('/observer.Observer/GetFlows', T.GetFlowsRequest, T.GetFlowsResponse, true);

export const OBSERVER_SERVICE = {
  GetFlows: { ...getFlows, responseDeserialize: (b: Buffer): Buffer => b },
  GetNodes: method('/observer.Observer/GetNodes', T.GetNodesRequest, T.GetNodesResponse, false),
  GetNamespaces: method('/observer.Observer/GetNamespaces', T.GetNamespacesRequest, T.GetNamespacesResponse, false),
  ServerStatus: method('/observer.Observer/ServerStatus', T.ServerStatusRequest, T.ServerStatusResponse, false),
} satisfies ServiceDefinition;

export const PEER_SERVICE = {
  Notify: method('/peer.Peer/Notify', T.NotifyRequest, T.ChangeNotification, true),
} satisfies ServiceDefinition;

/** Encodes a GetFlowsResponse object once, for every subscriber that will get it. */
export function encodeResponse(m: Msg): Buffer {
  const u8 = T.GetFlowsResponse.encode(m).finish();
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}
