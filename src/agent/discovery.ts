// Finding the node agents from a jump host: list+watch the agent DaemonSet's pods (its
// namespace, its labels) through the API server and keep one fan-in stream per pod. A
// pod deleted, rescheduled or recreated removes / adds its node's stream. How a stream
// reaches its pod is injected (`connect`): gRPC over the API server's pod port-forward
// in the product, a fake in tests.
import { Observable, Subject } from 'rxjs';
import type { Source, SourceEvent, SourceState } from '../model/source.ts';
import { sanitize } from '../model/sanitize.ts';
import { asArray, asObject, asString, asStringMap, readMeta, type Json, type JsonObject } from '../k8s/raw.ts';
import { Reflector, type ReflectorStatus } from '../k8s/reflector.ts';
import { RESOURCE_TYPES } from '../k8s/resources.ts';
import type { ApiTransport } from '../k8s/transport.ts';
import type { BackoffOptions } from '../k8s/backoff.ts';
import { fanIn, FanInStats, type FanInOptions, type ResumeFrom, type TargetChange } from '../streams/fan-in.ts';
import { AGENT_LABELS, AGENT_CONTAINER, DEFAULT_NAMESPACE } from './manifest.ts';
import { agentServerName } from './server-name.ts';

/** One agent pod to read from. */
export interface AgentTarget {
  /** `namespace/pod`. */
  id: string;
  uid: string;
  namespace: string;
  pod: string;
  node: string;
  podIP: string;
  /**
   * The TLS server name the agent serves (its command line: --tls-server-name, else
   * `<node>.<cluster>.hubble-grpc.cilium.io`), undefined when it serves plaintext.
   */
  tlsServerName?: string;
}

export type AgentConnector = (target: AgentTarget, resume: ResumeFrom) => Observable<SourceEvent>;

export interface AgentSourceOptions {
  transport: ApiTransport;
  /** Where the DaemonSet runs (default: the manifests' namespace). */
  namespace?: string;
  /** Its pods' labels (default: the manifests' AGENT_LABELS). */
  labels?: Readonly<Record<string, string>>;
  connect: AgentConnector;
  fanIn?: Partial<FanInOptions>;
  /**
   * Also watch the nodes, to report a node without an agent pod (default true). Needs
   * list/watch on nodes; without it (forbidden) such nodes are simply not reported.
   */
  watchNodes?: boolean;
  /**
   * One-shot (`observe` without --follow): read the pods listed first, then stop
   * watching; the source completes once every node's stream has ended.
   */
  once?: boolean;
  /** Backoff of the pod list/watch itself. */
  backoff?: BackoffOptions;
  recheckMs?: number;
}

export function labelSelector(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The target a pod stands for, or undefined when it is not one to read (not scheduled, ending, other labels). */
export function podTarget(raw: Json, labels: Readonly<Record<string, string>>): AgentTarget | undefined {
  const meta = readMeta(raw);
  const m = asObject(asObject(raw).metadata);
  const spec = asObject(asObject(raw).spec);
  const status = asObject(asObject(raw).status);
  // The server filters by the selector; checked here too so a proxy that ignores it cannot add strangers.
  const have = asStringMap(m.labels);
  for (const [k, v] of Object.entries(labels)) if (have[k] !== v) return undefined;
  const node = asString(spec.nodeName);
  const phase = asString(status.phase);
  if (node === '' || asString(m.deletionTimestamp) !== '' || phase === 'Succeeded' || phase === 'Failed') return undefined;
  // A pod that is not ready (starting, crash-looping) is still a target: its stream fails
  // and retries, and its node shows as unavailable with the reason, rather than vanishing.
  const target: AgentTarget = { id: `${meta.namespace}/${meta.name}`, uid: meta.uid, namespace: meta.namespace, pod: meta.name, node, podIP: asString(status.podIP) };
  const serverName = agentServerName(agentCommandLine(spec), node);
  if (serverName !== undefined) target.tlsServerName = serverName;
  return target;
}

/** The agent container's command and args (the manifests' container name, else the first container). */
function agentCommandLine(spec: JsonObject): string[] {
  const containers = asArray(spec.containers).map(asObject);
  const c = containers.find((x) => x.name === AGENT_CONTAINER) ?? containers[0];
  if (c === undefined) return [];
  const strings = (v: Json | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return [...strings(c.command), ...strings(c.args)];
}

/** A node the DaemonSet would run on (its nodeSelector is `kubernetes.io/os: linux`), or undefined. */
export function agentNode(raw: Json): string | undefined {
  const m = readMeta(raw);
  const os = m.labels['kubernetes.io/os'];
  return m.name !== '' && (os === undefined || os === 'linux') ? m.name : undefined;
}

/** Nodes with no target (pure). */
export function nodesWithoutAgent(nodes: ReadonlySet<string>, targets: Iterable<AgentTarget>): Set<string> {
  const have = new Set<string>();
  for (const t of targets) have.add(t.node);
  return new Set([...nodes].filter((n) => !have.has(n)));
}

const same = (a: AgentTarget, b: AgentTarget): boolean => a.uid === b.uid && a.node === b.node;

/** Changes that turn the target set `from` into `to` (pure). */
export function diffTargets(from: ReadonlyMap<string, AgentTarget>, to: ReadonlyMap<string, AgentTarget>): ({ type: 'remove'; id: string } | { type: 'add'; target: AgentTarget })[] {
  const out: ({ type: 'remove'; id: string } | { type: 'add'; target: AgentTarget })[] = [];
  for (const [id, t] of from) {
    const next = to.get(id);
    if (!next || !same(t, next)) out.push({ type: 'remove', id });
  }
  for (const [id, t] of to) {
    const prev = from.get(id);
    if (!prev || !same(prev, t)) out.push({ type: 'add', target: t });
  }
  return out;
}

function statusFor(s: ReflectorStatus, namespace: string): { state: 'error' | 'reconnecting' | 'warning'; message: string } | undefined {
  const where = `agent pods in namespace ${namespace}`;
  switch (s.state) {
    case 'forbidden':
      return { state: 'error', message: `${where}: ${s.message ?? 'forbidden'}` };
    case 'error':
      return { state: 'reconnecting', message: `${where}: ${s.message ?? 'error'}${s.retryInMs !== undefined ? `; retrying in ${Math.ceil(s.retryInMs / 1000)}s` : ''}` };
    case 'polling':
      return { state: 'warning', message: `${where}: ${s.message ?? 'polling'}` };
    default:
      return undefined;
  }
}

/**
 * The agents as one Source: their flows merged in time order, per-node status, and
 * discovery's own problems (no pods, forbidden, API server unreachable) as status lines.
 */
export function createAgentSource(opts: AgentSourceOptions): Source {
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  const labels = opts.labels ?? AGENT_LABELS;
  const source = opts.fanIn?.source ?? 'agents';
  return new Observable<SourceEvent>((sub) => {
    const stats = opts.fanIn?.stats ?? new FanInStats();
    const changes = new Subject<TargetChange>();
    let targets = new Map<string, AgentTarget>();
    let problem = false;
    let onceDone = false;
    const emit = (diff: ReturnType<typeof diffTargets>): void => {
      for (const c of diff) {
        if (c.type === 'remove') changes.next(c);
        else {
          const t = c.target;
          changes.next({ type: 'add', target: { id: t.id, node: t.node, connect: (resume) => opts.connect(t, resume) } });
        }
      }
    };
    /** A full list: the set becomes `next`. */
    const apply = (next: Map<string, AgentTarget>): void => {
      const diff = diffTargets(targets, next);
      targets = next;
      emit(diff);
    };
    /** One pod changed (a watch event): O(1), whatever the number of nodes. */
    const applyOne = (id: string, t: AgentTarget | undefined): void => {
      const prev = targets.get(id);
      const diff = diffTargets(prev ? new Map([[id, prev]]) : new Map(), t ? new Map([[id, t]]) : new Map());
      if (t) targets.set(id, t);
      else targets.delete(id);
      emit(diff);
    };
    const status = (state: SourceState, message: string): void =>
      sub.next({ kind: 'status', source, state, message: sanitize(message) });
    const noAgents = (): void =>
      status('warning', `no netscope agent pods (${labelSelector(labels)}) in namespace ${namespace}: deploy them with \`netscope agent manifest | kubectl apply -f -\``);

    // Nodes without an agent pod, once both lists are in (else every node looks missing at start).
    let nodeNames: Set<string> | undefined;
    let podsListed = false;
    const updateMissing = (): void => {
      if (!podsListed || nodeNames === undefined) return;
      const next = nodesWithoutAgent(nodeNames, targets.values());
      let changed = false;
      for (const n of next) {
        if (stats.missing.has(n)) continue;
        changed = true;
        sub.next({ kind: 'node-status', node_name: n, time: new Date().toISOString(), status: { state_change: 'NODE_UNAVAILABLE', node_names: [n], message: 'no netscope agent pod on this node' } });
      }
      for (const n of [...stats.missing]) {
        if (next.has(n)) continue;
        changed = true;
        // Gone from the cluster: say so. Got an agent: its stream reports NODE_CONNECTED.
        if (!nodeNames.has(n)) sub.next({ kind: 'node-status', node_name: n, time: new Date().toISOString(), status: { state_change: 'NODE_GONE', node_names: [n] } });
      }
      stats.missing.clear();
      for (const n of next) stats.missing.add(n);
      // With no agents at all, the no-agents line (how to deploy) says more.
      if (changed && targets.size > 0) {
        const sum = stats.summary();
        status(sum.state, sum.message);
      }
    };

    const fanSub = fanIn(changes, { ...opts.fanIn, stats, source, ...(opts.once ? { follow: false } : {}) }).subscribe(sub);
    const reflector = new Reflector({
      transport: opts.transport,
      type: RESOURCE_TYPES.Pod,
      namespace,
      labelSelector: labelSelector(labels),
      backoff: opts.backoff,
      recheckMs: opts.recheckMs,
      sink: {
        compact: (raw) => podTarget(raw, labels),
        replace: (items) => {
          const next = new Map<string, AgentTarget>();
          for (const t of items as (AgentTarget | undefined)[]) if (t) next.set(t.id, t);
          apply(next);
          podsListed = true;
          updateMissing();
          if (opts.once && !onceDone) {
            onceDone = true;
            // (With no pods, the 'synced' status right after this says how to deploy them.)
            // No more targets: the fan-in completes when the listed nodes' streams end.
            queueMicrotask(() => {
              changes.complete();
              void reflector.stop();
              void nodeReflector?.stop();
            });
          }
        },
        upsert: (raw) => {
          const m = readMeta(raw);
          applyOne(`${m.namespace}/${m.name}`, podTarget(raw, labels));
          updateMissing();
          if (targets.size === 0) noAgents();
        },
        remove: (raw) => {
          const m = readMeta(raw);
          applyOne(`${m.namespace}/${m.name}`, undefined);
          updateMissing();
          if (targets.size === 0) noAgents();
        },
      },
      onStatus: (s) => {
        const p = statusFor(s, namespace);
        if (p) {
          problem = true;
          status(p.state, p.message);
          return;
        }
        if (s.state !== 'synced') return;
        if (targets.size === 0) noAgents();
        else if (problem) {
          // Back from a discovery problem: the nodes' own summary is the status again.
          const sum = stats.summary();
          status(sum.state, sum.message);
        }
        problem = false;
      },
    });
    const nodeReflector =
      opts.watchNodes === false
        ? undefined
        : new Reflector({
            transport: opts.transport,
            type: RESOURCE_TYPES.Node,
            backoff: opts.backoff,
            recheckMs: opts.recheckMs,
            sink: {
              compact: (raw) => agentNode(raw),
              replace: (items) => {
                nodeNames = new Set((items as (string | undefined)[]).filter((n): n is string => n !== undefined));
                updateMissing();
              },
              upsert: (raw) => {
                const n = agentNode(raw);
                const name = readMeta(raw).name;
                nodeNames ??= new Set();
                if (n) nodeNames.add(n);
                else nodeNames.delete(name);
                updateMissing();
              },
              remove: (raw) => {
                nodeNames?.delete(readMeta(raw).name);
                updateMissing();
              },
            },
            onStatus: (s) => {
              // Not allowed to see nodes: missing agents cannot be told, nothing else changes.
              if (s.state === 'forbidden') {
                nodeNames = undefined;
                stats.missing.clear();
              }
            },
          });
    reflector.start();
    nodeReflector?.start();
    return () => {
      fanSub.unsubscribe();
      changes.complete();
      void reflector.stop();
      void nodeReflector?.stop();
    };
  });
}
