// A Hubble-Relay-like test server: observer.Observer on loopback, built from Cilium's
// api/v1 protos by hand (wire.ts), not from netscope's server or mapping. It keeps a
// scripted history, answers GetFlows (number, follow, since, a verdict whitelist and
// source_pod filter, which is all the tests need), streams what tests push (flows,
// node status, lost events), reports nodes (some UNAVAILABLE) and can drop every open
// stream mid-way, as a relay restart does.
import * as grpc from '@grpc/grpc-js';
import { messages, readFields, strings, uintField, uints, Writer, timestamp, type Field } from './wire.ts';

// Cilium enum values (flow.proto, relay.proto).
export const VERDICT = { FORWARDED: 1, DROPPED: 2 } as const;
export const NODE_STATE = { NODE_CONNECTED: 1, NODE_UNAVAILABLE: 2 } as const;
const POLICY_DENIED = 133;

export interface FakeFlow {
  timeMs: number;
  uuid: string;
  verdict: keyof typeof VERDICT;
  src: { ns: string; pod: string; ip: string; identity: number };
  dst: { ns: string; pod: string; ip: string; identity: number };
  dport: number;
  node: string;
}

export interface FakeNode {
  name: string;
  state: keyof typeof NODE_STATE;
  address: string;
  version: string;
  seen: number;
}

export interface DecodedRequest {
  number: bigint;
  first: boolean;
  follow: boolean;
  sinceMs?: number;
  whitelistVerdicts: number[][];
  whitelistSourcePods: string[][];
}

function endpoint(e: FakeFlow['src']): Writer {
  return new Writer()
    .uint(2, e.identity) // identity
    .string(3, e.ns) // namespace
    .string(4, `k8s:io.kubernetes.pod.namespace=${e.ns}`) // labels
    .string(5, e.pod); // pod_name
}

/** flow.Flow, field numbers from Cilium's flow.proto. */
export function encodeFlow(f: FakeFlow): Writer {
  const w = new Writer()
    .message(1, timestamp(f.timeMs)) // time
    .uint(2, VERDICT[f.verdict]) // verdict
    .message(5, new Writer().string(1, f.src.ip).string(2, f.dst.ip).uint(3, 1)) // IP {source, destination, ipVersion=IPv4}
    .message(6, new Writer().message(1, new Writer().uint(1, 40000).uint(2, f.dport).message(3, new Writer().uint(2, true)))) // l4 {TCP {ports, flags {SYN}}}
    .message(8, endpoint(f.src)) // source
    .message(9, endpoint(f.dst)) // destination
    .uint(10, 1) // Type = L3_L4
    .string(11, f.node) // node_name
    .uint(22, 2) // traffic_direction = EGRESS
    .message(26, new Writer().uint(1, false)) // is_reply = BoolValue{false}
    .string(34, f.uuid); // uuid
  if (f.verdict === 'DROPPED') w.uint(25, POLICY_DENIED); // drop_reason_desc
  return w;
}

export function response(field: 1 | 2 | 3, body: Writer, node: string, timeMs: number): Buffer {
  return new Writer().message(field, body).string(1000, node).message(1001, timestamp(timeMs)).finish();
}

function tsMs(m: Map<number, Field[]>): number {
  return Number(uintField(m, 1) ?? 0n) * 1000 + Number(uintField(m, 2) ?? 0n) / 1e6;
}

export function decodeRequest(b: Buffer): DecodedRequest {
  const m = readFields(b);
  const since = messages(m, 7)[0];
  const wl = messages(m, 6);
  return {
    number: uintField(m, 1) ?? 0n,
    first: (uintField(m, 9) ?? 0n) === 1n,
    follow: (uintField(m, 3) ?? 0n) === 1n,
    sinceMs: since ? tsMs(since) : undefined,
    whitelistVerdicts: wl.map((f) => uints(f, 5).map(Number)),
    whitelistSourcePods: wl.map((f) => strings(f, 2)),
  };
}

function matches(f: FakeFlow, req: DecodedRequest): boolean {
  if (req.sinceMs !== undefined && f.timeMs < req.sinceMs) return false;
  if (req.whitelistVerdicts.length === 0) return true;
  return req.whitelistVerdicts.some((verdicts, i) => {
    const pods = req.whitelistSourcePods[i] ?? [];
    const okVerdict = verdicts.length === 0 || verdicts.includes(VERDICT[f.verdict]);
    const okPod = pods.length === 0 || pods.some((p) => `${f.src.ns}/${f.src.pod}`.startsWith(p));
    return okVerdict && okPod;
  });
}

export interface FakeRelay {
  address: string;
  requests: DecodedRequest[];
  history: FakeFlow[];
  push(f: FakeFlow): void;
  pushNodeStatus(state: keyof typeof NODE_STATE, names: string[], message: string): void;
  pushLost(n: number): void;
  /** Ends every open GetFlows stream with UNAVAILABLE, as a relay going away does. */
  dropStreams(): void;
  openStreams(): number;
  close(): Promise<void>;
}

const raw = {
  requestSerialize: (b: Buffer) => b,
  requestDeserialize: (b: Buffer) => b,
  responseSerialize: (b: Buffer) => b,
  responseDeserialize: (b: Buffer) => b,
};

const SERVICE: grpc.ServiceDefinition = {
  GetFlows: { path: '/observer.Observer/GetFlows', requestStream: false, responseStream: true, ...raw },
  GetNodes: { path: '/observer.Observer/GetNodes', requestStream: false, responseStream: false, ...raw },
  ServerStatus: { path: '/observer.Observer/ServerStatus', requestStream: false, responseStream: false, ...raw },
};

export async function startFakeRelay(
  opts: { flows?: FakeFlow[]; nodes?: FakeNode[]; port?: number; /** Sent as they are after the history: bad input tests. */ rawResponses?: Buffer[] } = {},
): Promise<FakeRelay> {
  const history = [...(opts.flows ?? [])];
  const nodes = opts.nodes ?? [];
  const requests: DecodedRequest[] = [];
  const followers = new Set<{ call: grpc.ServerWritableStream<Buffer, Buffer>; req: DecodedRequest }>();
  const server = new grpc.Server();
  server.addService(SERVICE, {
    GetFlows: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      const req = decodeRequest(call.request);
      requests.push(req);
      let sel = history.filter((f) => matches(f, req));
      if (req.number > 0n && !req.first) sel = sel.slice(-Number(req.number));
      if (req.number > 0n && req.first) sel = sel.slice(0, Number(req.number));
      for (const f of sel) call.write(response(1, encodeFlow(f), f.node, f.timeMs));
      for (const b of opts.rawResponses ?? []) call.write(b);
      if (!req.follow) {
        call.end();
        return;
      }
      const entry = { call, req };
      followers.add(entry);
      call.on('cancelled', () => followers.delete(entry));
    },
    GetNodes: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const w = new Writer();
      for (const n of nodes) {
        w.message(
          1,
          new Writer()
            .string(1, n.name)
            .string(2, n.version)
            .string(3, n.address)
            .uint(4, NODE_STATE[n.state])
            .message(5, new Writer().uint(1, true).string(2, `${n.name}.default.hubble-grpc.cilium.io`))
            .uint(6, 3_600_000_000_000n)
            .uint(7, 100)
            .uint(8, 4095)
            .uint(9, n.seen),
        );
      }
      cb(null, w.finish());
    },
    ServerStatus: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const up = nodes.filter((n) => n.state === 'NODE_CONNECTED');
      const down = nodes.filter((n) => n.state !== 'NODE_CONNECTED');
      const w = new Writer()
        .uint(1, history.length)
        .uint(2, 4095 * nodes.length)
        .uint(3, nodes.reduce((a, n) => a + n.seen, 0))
        .uint(4, 3_600_000_000_000n)
        .message(5, new Writer().uint(1, up.length))
        .message(6, new Writer().uint(1, down.length))
        .string(8, '1.17.0');
      for (const n of down) w.string(7, n.name);
      cb(null, w.finish());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${opts.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const broadcast = (make: (req: DecodedRequest) => Buffer | undefined): void => {
    for (const { call, req } of followers) {
      const b = make(req);
      if (b !== undefined) call.write(b);
    }
  };
  return {
    address: `127.0.0.1:${port}`,
    requests,
    history,
    push: (f) => {
      history.push(f);
      broadcast((req) => (matches(f, req) ? response(1, encodeFlow(f), f.node, f.timeMs) : undefined));
    },
    pushNodeStatus: (state, names, message) => {
      const w = new Writer().uint(1, NODE_STATE[state]).string(3, message);
      for (const n of names) w.string(2, n);
      broadcast(() => response(2, w, '', Date.now()));
    },
    pushLost: (n) => broadcast(() => response(3, new Writer().uint(1, 3 /* HUBBLE_RING_BUFFER */).uint(2, n), '', Date.now())),
    dropStreams: () => {
      for (const { call } of followers) call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'relay shutting down' });
      followers.clear();
    },
    openStreams: () => followers.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const { call } of followers) call.end();
        followers.clear();
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000).unref();
      }),
  };
}

/** A flow for tests: `n` seconds after a fixed start, on node-1 unless told. */
export function fakeFlow(n: number, over: Partial<FakeFlow> = {}): FakeFlow {
  return {
    timeMs: Date.parse('2026-03-01T12:00:00Z') + n * 1000,
    uuid: `flow-${n}`,
    verdict: n % 3 === 0 ? 'DROPPED' : 'FORWARDED',
    src: { ns: 'shop', pod: `frontend-${n % 2}`, ip: '10.0.0.1', identity: 1001 },
    dst: { ns: 'shop', pod: 'cart-0', ip: '10.0.0.2', identity: 1002 },
    dport: 7070,
    node: 'node-1',
    ...over,
  };
}
