// The client side of bench/grpc-throughput.ts without printing: GetFlows from --server,
// every response decoded into a SourceEvent by the gRPC source (transport, framing,
// protobuf decode, mapping, de-duplication), counted. Prints one line of JSON: flows,
// wall seconds, CPU seconds (user + system) of this process from the first request on.
// (GetFlows as `observe --all` asks it.) Usage: node bench/grpc-receive.ts --server HOST:PORT [--window BYTES]
import { createGrpcSource } from '../src/sources/grpc.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const server = arg('--server');
if (server === undefined) {
  console.error('usage: node bench/grpc-receive.ts --server HOST:PORT [--window BYTES]');
  process.exit(2);
}
const window = arg('--window');
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
let flows = 0;
createGrpcSource({ server, filters: { allow: [], deny: [] }, follow: false, number: Number.MAX_SAFE_INTEGER, windowBytes: window ? Number(window) : undefined }).subscribe({
  next: (ev) => {
    if (ev.kind === 'flow') flows++;
  },
  error: (err: unknown) => {
    console.error(String(err));
    process.exit(1);
  },
  complete: () => {
    const c = process.cpuUsage(cpu0);
    console.log(JSON.stringify({ flows, wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (c.user + c.system) / 1e6 }));
  },
});
