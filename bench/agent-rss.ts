// The node agent's memory at 5,000 pods (issue 23: RSS under 150 MB with the default ring):
//   node bench/agent-rss.ts [--seconds 20] [--binary dist/netscope] [--node-flags '...'] [--heap-snapshot] [--no-cluster | --in-cluster] [--buffer-size N] [--heap-growing-percent N]   (root)
// `netscope agent` in cluster mode (--kubeconfig) against the fake API server holding
// bench/k8s-model.ts's cluster (5,000 pods of ~6 KB JSON, 1,000 services and
// EndpointSlices, 500 NetworkPolicies, 50 nodes and namespaces; served from a child
// process; two of its pods have the lab's addresses, so every flow is named from the
// model), its eBPF collector fed by the lab's TCP_CRR load (bench/crr-lab.ts) until the
// ring holds its default 16,383 flows, and then for --seconds more. Prints the agent's
// RSS (node; its loader child separately) once the model is loaded, once the ring is
// full and its peak (VmHWM). --heap-snapshot: a heap snapshot at the end (SIGUSR2),
// summarised by constructor, to see where the memory goes. --binary: run the single
// executable (npm run build:binary) instead of the checkout (whose Node strips TypeScript
// at load, with memory of its own; it runs with bin/node-flags, as bin/netscope does);
// --node-flags: more V8/Node flags for the checkout's agent,
// to try heap settings; --no-cluster: the agent without Kubernetes (what the flows and
// the ring cost without the model); --in-cluster: the agent as in a pod, with a service
// account (token, CA; HTTPS, bearer token) and KUBERNETES_SERVICE_HOST/PORT instead of a
// kubeconfig, which is the path that does not load @kubernetes/client-node;
// --buffer-size: the agent's ring size (default its default); --heap-growing-percent:
// passed to the agent (its V8 old-generation growth step; default V8's).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createObserverClient } from '../src/grpc/client.ts';
import { DEFAULT_BUFFER_SIZE } from '../src/grpc/server.ts';
import { tempDir, writeKubeconfig } from '../test/fake-apiserver/kubeconfig.ts';
import { REPO_ROOT } from '../test/lab/lab.ts';
import { runAsync } from './collector-attach.ts';
import { startCrrLab } from './crr-lab.ts';
import { nodeFlags } from '../scripts/node-flags.ts';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
};
const SECONDS = Number(arg('--seconds', '20'));
const SNAPSHOT = process.argv.includes('--heap-snapshot');
const BINARY = arg('--binary', '');
const NODE_FLAGS = arg('--node-flags', '').split(' ').filter(Boolean);
const NO_CLUSTER = process.argv.includes('--no-cluster');
const IN_CLUSTER = process.argv.includes('--in-cluster');
const RING = Number(arg('--buffer-size', String(DEFAULT_BUFFER_SIZE)));
const GROWING = arg('--heap-growing-percent', '');
const NODE = process.execPath;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number): string => (kb / 1024).toFixed(1);

/**
 * VmRSS, VmHWM and RssAnon of a process, in KiB. RSS counts the executable's pages that
 * were read (file-backed, shared, reclaimable: ~60 MB of the single binary); RssAnon is
 * the process's own memory.
 */
function memKb(pid: number): { rss: number; hwm: number; anon: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0);
  return { rss: field('VmRSS'), hwm: field('VmHWM'), anon: field('RssAnon') };
}

/**
 * The process's RSS by mapping, largest first: the executable's file-backed pages, the
 * anonymous mappings (V8's heap pages and malloc arenas have no name) and the rest.
 */
function rssByMapping(pid: number): string {
  const by = new Map<string, number>();
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      name = head[1] === '' ? '(anonymous)' : head[1]!.replace(/^.*\//, '');
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) by.set(name, (by.get(name) ?? 0) + Number(rss[1]));
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([n, kb]) => `${n} ${mb(kb)} MB`).join(', ');
}

/** utime + stime of a process (all its threads), in us. */
function cpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 1e4;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

// The cluster: bench/k8s-model.ts's fake API server, in its own process (not counted).
const dir = tempDir();
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const serviceAccount = join(dir, 'serviceaccount');
// The lab first: its two pods' addresses are given to two of the cluster's pods, so that
// the agent names every flow from the model, as an agent on a real node does.
const { lab, clientArgs } = await startCrrLab();
const labPods = `${lab.pod('client').ip},${lab.pod('server').ip}`;
const api = spawn(NODE, [join(REPO_ROOT, 'bench', 'k8s-model.ts'), '--serve', '--pod-ips', labPods, ...(IN_CLUSTER ? ['--service-account', serviceAccount] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
process.on('exit', () => api.kill());
const [url] = (await new Promise<string>((resolve) => createInterface({ input: api.stdout! }).once('line', resolve))).split(' ');
const apiUrl = new URL(url!);
const clusterEnv = IN_CLUSTER ? { KUBERNETES_SERVICE_HOST: apiUrl.hostname, KUBERNETES_SERVICE_PORT: apiUrl.port, NETSCOPE_SERVICE_ACCOUNT_DIR: serviceAccount, KUBECONFIG: '', HOME: dir } : {};
const kubeconfig = writeKubeconfig(dir, 'config', [{ name: 'bench', server: url! }]);

const PORT = 14245;
const snapshotFlags = SNAPSHOT ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`] : [];
const agentArgs = ['agent', ...(NO_CLUSTER ? ['--no-cluster'] : IN_CLUSTER ? [] : ['--kubeconfig', kubeconfig]), '--node-name', 'node-0', '--listen', `127.0.0.1:${PORT}`, '--health-listen', 'off', '--buffer-size', String(RING), ...(GROWING ? ['--heap-growing-percent', GROWING] : [])];
const agent: ChildProcess = BINARY
  ? spawn(BINARY, agentArgs, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...clusterEnv, NODE_OPTIONS: snapshotFlags.join(' ') } })
  : spawn(NODE, [...nodeFlags(REPO_ROOT), ...NODE_FLAGS, ...snapshotFlags, join(REPO_ROOT, 'src', 'cli', 'main.ts'), ...agentArgs], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...clusterEnv } });
console.log(`agent: ${BINARY || 'the checkout (node src/cli/main.ts)'}${NODE_FLAGS.length ? ` with ${NODE_FLAGS.join(' ')}` : ''}, ${NO_CLUSTER ? 'no cluster' : IN_CLUSTER ? 'in cluster (service account)' : 'with --kubeconfig'}${GROWING ? `, --heap-growing-percent ${GROWING}` : ''}`);
process.on('exit', () => agent.kill('SIGKILL'));
let stderr = '';
let servingKb = 0;
let modelLoadedKb = 0;
agent.stderr!.on('data', (d: Buffer) => {
  stderr += d.toString();
  if (servingKb === 0 && /serving Observer/.test(stderr)) servingKb = memKb(agent.pid!).rss;
  if (modelLoadedKb === 0 && /starting eBPF collector/.test(stderr)) modelLoadedKb = memKb(agent.pid!).rss;
});
const until = async (what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (agent.exitCode !== null) throw new Error(`the agent exited (${agent.exitCode}) before ${what}: ${stderr}`);
    if (Date.now() > end) throw new Error(`no ${what} in ${ms / 1000} s: ${stderr}`);
    await sleep(1000);
  }
};
await until('eBPF collector attached', () => /eBPF collector attached/.test(stderr), 60_000);

let peakKb = 0;
let loaderPeakKb = 0;
let anonPeakKb = 0;
const sampler = setInterval(() => {
  try {
    const m = memKb(agent.pid!);
    peakKb = Math.max(peakKb, m.rss);
    anonPeakKb = Math.max(anonPeakKb, m.anon);
    for (const c of childrenOf(agent.pid!)) loaderPeakKb = Math.max(loaderPeakKb, memKb(c).rss);
  } catch {
    // exiting
  }
}, 100);

const client = createObserverClient({ target: `127.0.0.1:${PORT}` });
const status = async (): Promise<{ numFlows: number; seen: number }> => {
  const s = await client.serverStatus();
  return { numFlows: Number(s.num_flows ?? 0), seen: Number(s.seen_flows ?? 0) };
};
// The model is loaded before the collector starts (its status line says so).
const modelKb = modelLoadedKb;
console.log(`RSS when serving starts ${mb(servingKb)} MB; ${NO_CLUSTER ? 'no cluster model (--no-cluster)' : 'with the 5,000-pod model loaded'}, before the collector: ${mb(modelKb)} MB`);

const t0 = Date.now();
const cpu0 = { us: cpuUs(agent.pid!), seen: (await status()).seen };
const loadRun = (async () => {
  let runs = 0;
  while (true) {
    await runAsync(clientArgs(2, 4));
    runs++;
    const s = await status();
    if (s.numFlows >= RING && Date.now() - t0 > SECONDS * 1000) return { runs, ...s };
  }
})();
await until('a full ring', async () => (await status()).numFlows >= RING, 300_000);
const fullKb = memKb(agent.pid!).rss;
const filledIn = (Date.now() - t0) / 1000;
console.log(`ring full (${RING} flows) after ${filledIn.toFixed(1)} s of load: RSS ${mb(fullKb)} MB`);
const done = await loadRun;
const endKb = memKb(agent.pid!);
const cpuPerFlow = (cpuUs(agent.pid!) - cpu0.us) / (done.seen - cpu0.seen);
clearInterval(sampler);
console.log(`after ${((Date.now() - t0) / 1000).toFixed(0)} s of load (${done.seen} flows seen, ${done.numFlows} held): RSS ${mb(endKb.rss)} MB, of which anonymous ${mb(endKb.anon)} MB (peak ${mb(anonPeakKb)} MB)`);
console.log(`peak RSS: ${mb(Math.max(peakKb, endKb.hwm))} MB (VmHWM ${mb(endKb.hwm)} MB, sampled ${mb(peakKb)} MB) (target < 150); loader child peak ${mb(loaderPeakKb)} MB`);
console.log(`agent CPU (node, all threads; not its loader) per flow seen under the load: ${cpuPerFlow.toFixed(2)} us`);
console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
console.log(`RSS by mapping now: ${rssByMapping(agent.pid!)}`);

if (SNAPSHOT) {
  agent.kill('SIGUSR2');
  const snapshotFile = (): string | undefined => readdirSync(dir).find((f) => f.endsWith('.heapsnapshot'));
  await until('a heap snapshot', () => snapshotFile() !== undefined, 120_000);
  const file = join(dir, snapshotFile()!);
  // Written as it is walked: complete once its size stops changing.
  let size = -1;
  await until('the heap snapshot written', () => {
    const now = statSync(file).size;
    const same = now === size && now > 0;
    size = now;
    return same;
  }, 120_000);
  summarise(JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot);
}
client.close();
agent.kill('SIGTERM');
await new Promise((r) => agent.once('exit', r));
process.exit(0);

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self sizes by (type, constructor name), largest first. */
function summarise(h: HeapSnapshot): void {
  const f = h.snapshot.meta.node_fields;
  const width = f.length;
  const [iType, iName, iSize] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size')];
  const types = h.snapshot.meta.node_types[0];
  const by = new Map<string, { bytes: number; count: number }>();
  let total = 0;
  for (let i = 0; i < h.nodes.length; i += width) {
    const type = types[h.nodes[i + iType]!]!;
    const name = type === 'object' || type === 'closure' ? h.strings[h.nodes[i + iName]!]! : `(${type})`;
    const size = h.nodes[i + iSize]!;
    total += size;
    const k = by.get(name) ?? { bytes: 0, count: 0 };
    k.bytes += size;
    k.count++;
    by.set(name, k);
  }
  console.log(`heap snapshot: ${(total / 1048576).toFixed(1)} MB in ${(h.nodes.length / width).toLocaleString('en-US')} objects; largest by type:`);
  for (const [name, { bytes, count }] of [...by].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 20)) {
    console.log(`  ${(bytes / 1048576).toFixed(1).padStart(6)} MB ${String(count).padStart(9)}  ${name.slice(0, 60)}`);
  }
}
