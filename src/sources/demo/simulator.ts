// The demo cluster's traffic, determined by (seed, rate, virtual time): users
// hit the frontend, requests fan out over Online Boutique's call graph, each
// hop becomes the flows Hubble would show (DNS lookups, TCP handshakes on
// keep-alive connections, data packets, L7 request/response with latency), and
// a debugging pod keeps getting its SYNs dropped by NetworkPolicy, and the
// kubelet probes every pod.
//
// advanceTo(t) processes every event before virtual time t and returns the flows
// with time < t, in time order. Nothing here reads a clock or sets a timer, so
// tests drive it on virtual time and index.ts drives it from the wall clock.

import type { Flow, HTTPHeader } from '../../model/flow.ts';
import {
  CLIENT_HEADERS,
  DENIED_ATTEMPTS,
  DNS_TTL_SECONDS,
  PROBE_HEADERS,
  PROBE_PATH,
  PROBES_PER_POD_PER_SECOND,
  SLOWDOWN,
  nextJourney,
  probeKind,
  type Call,
  type ProbeKind,
  type WorkloadSpec,
} from './boutique.ts';
import { buildCluster, isAllowed, policyFor, type DemoCluster, type DemoPod, type DemoService } from './cluster.ts';
import {
  Conversation,
  dnsRequestFlow,
  dnsResponseFlow,
  grpcErrorHeaders,
  httpRequestFlow,
  httpResponseFlow,
  policyDropFlow,
  policyVerdictFlow,
  traceFlow,
  type HttpRecord,
  type Peer,
} from './flow-factory.ts';
import { FlowQueue } from './flow-queue.ts';
import { rfc3339Nanos } from './flow-time.ts';
import { Rng, formatUuid, mix32 } from './prng.ts';

export interface SimulatorOptions {
  seed: number;
  namespace: string;
  /** Target flows per second of virtual time. */
  rate: number;
  /** Virtual start time, µs since the epoch. */
  startUs: number;
  /** From this virtual time on the slowdown service is degraded; +Infinity for never. */
  slowdownAtUs: number;
}

const SECOND = 1_000_000;
/**
 * Simulated users in loadgenerator to start with, each with its own keep-alive
 * HTTP/1.1 connection; more join when all are busy (HTTP/1.1 cannot multiplex).
 */
const LOADGEN_USERS = 8;
/**
 * Share of the flow budget spent on kubelet probes. A real cluster at this
 * demo's load spends about this much; at low rates probes are thinned with the
 * rest of the traffic, at high rates they cap at the real probe frequency.
 */
const PROBE_SHARE = 0.03;
const FLOWS_PER_PROBE = 10;
/** Linux SYN retransmits within `nc -w 5`: at 0 s, +1 s and +3 s. */
const SYN_RETRIES_US = [0, 1 * SECOND, 3 * SECOND];

interface ConnState {
  conv: Conversation;
  server: DemoPod;
  expiresUs: number;
}

export class DemoSimulator {
  readonly cluster: DemoCluster;
  readonly rate: number;
  readonly slowdownAtUs: number;
  private readonly rng: Rng;
  private readonly queue = new FlowQueue();
  private readonly seedMix: number;
  private readonly peers = new Map<DemoPod, Peer>();
  private readonly conns = new Map<string, ConnState>();
  private readonly dnsExpiry = new Map<string, number>();
  private readonly dnsService: DemoService;
  private readonly loadgen: DemoPod;
  private readonly toolbox: DemoPod;
  /** Every event before this virtual time has been processed. */
  private clockUs: number;
  private nextRootUs: number;
  private nextToolboxUs: number;
  /** Per loadgenerator user: when its current page request completes. */
  private readonly userBusyUntil: number[] = new Array<number>(LOADGEN_USERS).fill(Number.NEGATIVE_INFINITY);
  private readonly probed: { pod: DemoPod; kind: ProbeKind }[];
  private readonly probeGapUs: number;
  private nextProbeUs: number;
  private probeTurn = 0;
  private created = 0;
  /** Virtual time from which the flow budget is counted (moves when skipping ahead). */
  private rateBaseUs: number;
  private emitted = 0;
  private lastEmitUs = -1;
  private lastExtraNs = 0;

  constructor(opts: SimulatorOptions) {
    this.cluster = buildCluster(opts.seed, opts.namespace);
    this.rate = opts.rate;
    this.slowdownAtUs = opts.slowdownAtUs;
    this.rng = new Rng(opts.seed, 0x7f10);
    this.seedMix = mix32(opts.seed ^ 0x5bd1e995);
    this.clockUs = opts.startUs;
    this.nextRootUs = opts.startUs;
    this.rateBaseUs = opts.startUs;
    this.nextToolboxUs = opts.startUs + Math.round(this.rng.next() * 4 * SECOND);
    this.dnsService = mustGet(this.cluster.serviceByWorkload, 'coredns');
    this.loadgen = mustGet(this.cluster.podsByWorkload, 'loadgenerator')[0];
    this.toolbox = mustGet(this.cluster.podsByWorkload, 'toolbox')[0];
    this.probed = [];
    for (const pod of this.cluster.pods) {
      const kind = probeKind(pod.workload);
      if (kind !== undefined) this.probed.push({ pod, kind });
    }
    const probesPerSecond = Math.min((PROBE_SHARE * this.rate) / FLOWS_PER_PROBE, this.probed.length * PROBES_PER_POD_PER_SECOND);
    this.probeGapUs = SECOND / probesPerSecond;
    this.probeTurn = this.rng.int(this.probed.length);
    this.nextProbeUs = opts.startUs + Math.round(this.rng.next() * this.probeGapUs);
  }

  /** Virtual time up to which flows have been produced. */
  get nowUs(): number {
    return this.clockUs;
  }

  /** Flows already decided but lying in the future. */
  get pending(): number {
    return this.queue.size;
  }

  /**
   * Runs the simulation up to virtual time `us`; returns the flows with time
   * before `us` (ns digits included), in time order. Successive calls cover
   * back-to-back half-open intervals, so nothing is returned twice or lost.
   */
  advanceTo(us: number): Flow[] {
    for (;;) {
      // The earliest of the three event streams; ties go to user traffic.
      const root = this.nextRootUs;
      const tool = this.nextToolboxUs;
      const probe = this.nextProbeUs;
      if (root <= tool && root <= probe) {
        if (root >= us) break;
        this.userRequest(root);
      } else if (tool <= probe) {
        if (tool >= us) break;
        this.toolboxAttempt(tool);
      } else {
        if (probe >= us) break;
        this.kubeletProbe(probe);
      }
    }
    const out: Flow[] = [];
    this.queue.drainBefore(us, out, this.stamp);
    if (us > this.clockUs) this.clockUs = us;
    return out;
  }

  /**
   * Jumps to `us` without generating the traffic in between (the live driver
   * fell behind the wall clock). Returns roughly how many flows were skipped.
   */
  skipTo(us: number): number {
    let skipped = 0;
    if (this.nextRootUs < us) {
      skipped = Math.round(((us - this.nextRootUs) / SECOND) * this.rate);
      this.rateBaseUs += us - this.nextRootUs;
      this.nextRootUs = us;
    }
    if (this.nextToolboxUs < us) this.nextToolboxUs = us;
    if (this.nextProbeUs < us) this.nextProbeUs = us;
    // Flows already decided (responses in flight) still come out, on the next advance.
    if (us > this.clockUs) this.clockUs = us;
    return skipped;
  }

  // ---- emission ----------------------------------------------------------

  /** Gives a flow its time (ns digits increase within one µs) and a deterministic uuid. */
  private readonly stamp = (us: number, flow: Flow): void => {
    const n = this.emitted++;
    const h = mix32(n ^ this.seedMix);
    let extra = h % 500;
    if (us === this.lastEmitUs) extra = Math.min(999, this.lastExtraNs + 1 + (h % 7));
    this.lastEmitUs = us;
    this.lastExtraNs = extra;
    flow.time = rfc3339Nanos(us, extra);
    flow.uuid = formatUuid(h, mix32(h ^ 0x68e31da4), mix32(n + 0x1b873593), mix32(h + this.seedMix));
  };

  private push(us: number, flow: Flow): void {
    this.queue.push(us, this.created++, flow);
  }

  // ---- traffic -----------------------------------------------------------

  private userRequest(t: number): void {
    const journey = nextJourney(this.rng);
    const user = this.freeUser(t);
    this.userBusyUntil[user] = this.call(this.loadgen, journey, t, user).end;
    // The flows created so far (background traffic included) "pay" for virtual
    // time up to `earned`; the next user arrives around then, jittered so arrivals
    // are irregular, while the cumulative count keeps tracking the rate exactly.
    const earned = this.rateBaseUs + (this.created / this.rate) * SECOND;
    const gap = Math.max(0, earned - t);
    this.nextRootUs = t + Math.max(1, Math.round(gap * (0.5 + this.rng.next())));
  }

  /**
   * The toolbox pod's shell loop: `nc -z -w 5` to every denied target in
   * parallel, then `sleep 3`. Each SYN (first try, retransmits at +1 s and +3 s)
   * gets a policy verdict and a drop; each denied path shows drops every few
   * seconds, always within any 10 s window.
   */
  /** A loadgenerator user whose connection is idle at `t` (random among the idle ones). */
  private freeUser(t: number): number {
    const n = this.userBusyUntil.length;
    const start = this.rng.int(n);
    for (let i = 0; i < n; i++) {
      const u = (start + i) % n;
      if (this.userBusyUntil[u] <= t) return u;
    }
    this.userBusyUntil.push(t);
    return n;
  }

  private toolboxAttempt(t: number): void {
    for (const target of DENIED_ATTEMPTS) {
      const svc = mustGet(this.cluster.serviceByWorkload, target.to);
      const policy = policyFor(this.cluster, target.to);
      const start = this.resolve(this.toolbox, svc, t);
      const server = this.rng.pick(svc.backends);
      const conv = new Conversation(this.peer(this.toolbox), this.peer(server), this.ephemeralPort(), svc.targetPort, svc.ref);
      if (policy === undefined || isAllowed(this.cluster, 'toolbox', target.to)) continue;
      for (const offset of SYN_RETRIES_US) {
        this.push(start + offset, policyVerdictFlow(conv, policy.ref, false));
        this.push(start + offset, policyDropFlow(conv, policy.ref));
      }
    }
    // 5 s nc timeout + 3 s sleep + a little shell time; at very low rates the loop
    // is stretched so the few flows the rate allows are not all this pod's drops.
    const period = Math.max(8 * SECOND, (80 / this.rate) * SECOND);
    this.nextToolboxUs = t + period + this.rng.int(SECOND / 2);
  }

  /**
   * The kubelet on a pod's node probing it: a fresh connection from the node's
   * cilium_host address each time (the kubelet does not keep probes alive), one
   * health request for HTTP and gRPC probes, then the kubelet closes.
   */
  private kubeletProbe(t: number): void {
    const { pod, kind } = this.probed[this.probeTurn++ % this.probed.length];
    const host: Peer = { endpoint: pod.node.hostEndpoint, ip: pod.node.ciliumHostIP, node: pod.node.name };
    const port = pod.workload.containerPort ?? 0;
    const conv = new Conversation(host, this.peer(pod), this.ephemeralPort(), port, undefined);
    const rtt = this.rng.logNormal(40, 0.3);
    this.push(t, traceFlow(conv, false, 'SYN'));
    this.push(t + Math.round(rtt / 2), traceFlow(conv, true, 'SYN_ACK'));
    this.push(t + Math.round(rtt), traceFlow(conv, false, 'ACK'));
    let s = t + Math.round(rtt) + 20;
    if (kind !== 'tcp') {
      const http: HttpRecord =
        kind === 'http'
          ? { method: 'GET', url: `http://${pod.ip}:${port}${PROBE_PATH.http}`, protocol: 'HTTP/1.1', headers: PROBE_HEADERS.http }
          : { method: 'POST', url: `http://${pod.ip}:${port}${PROBE_PATH.grpc}`, protocol: 'HTTP/2', headers: PROBE_HEADERS.grpc };
      this.push(s, traceFlow(conv, false, 'ACK_PSH'));
      const reqAt = s + 15 + this.rng.int(30);
      this.push(reqAt, httpRequestFlow(conv, http));
      const respAt = Math.round(reqAt + rtt / 2 + this.rng.logNormal(250, 0.4));
      this.push(respAt, httpResponseFlow(conv, http, 200, (respAt - reqAt) * 1000 + this.rng.int(1000)));
      this.push(respAt + 10, traceFlow(conv, true, 'ACK_PSH'));
      s = Math.round(respAt + rtt / 2 + 30);
    }
    this.push(s, traceFlow(conv, false, 'ACK_FIN'));
    this.push(s + Math.round(rtt / 2), traceFlow(conv, true, 'ACK_FIN'));
    this.push(s + Math.round(rtt), traceFlow(conv, false, 'ACK'));
    this.nextProbeUs = t + Math.max(1, Math.round(this.probeGapUs * (0.5 + this.rng.next())));
  }

  /**
   * One request from `caller` to `call.service` starting at `t`, with everything
   * it causes; returns when the caller has the response and whether it failed.
   */
  private call(caller: DemoPod, call: Call, t: number, slot = 0): { end: number; failed: boolean } {
    const svc = mustGet(this.cluster.serviceByWorkload, call.service);
    t = this.resolve(caller, svc, t);
    const opened = this.connection(caller, svc, slot, t);
    const { conv, server } = opened.state;
    t = opened.t;
    const rtt = this.rtt(caller, server);
    const wl = svc.workload;
    const l7 = wl.protocol === 'grpc' || wl.protocol === 'http';

    this.push(t, traceFlow(conv, false, 'ACK_PSH'));
    const reqAt = t + 15 + this.rng.int(30);
    const http: HttpRecord | undefined = l7 ? this.httpRecord(caller, svc, call) : undefined;
    if (http !== undefined) this.push(reqAt, httpRequestFlow(conv, http));

    const own = this.ownLatencyUs(wl, t);
    let s = t + rtt / 2 + own * 0.35;
    let failed = false;
    for (const child of call.children) {
      const r = this.call(server, child, Math.round(s));
      s = r.end + 10 + this.rng.int(40);
      if (r.failed && child.critical !== false) {
        failed = true; // the handler returns its error right away
        break;
      }
    }
    s = Math.round(s + own * 0.65);
    if (!failed && this.rng.chance(this.errorRate(wl, t))) failed = true;
    if (http !== undefined) {
      const latencyNs = Math.max(1, s - reqAt) * 1000 + this.rng.int(1000);
      const overloaded = wl.name === SLOWDOWN.service && t >= this.slowdownAtUs;
      if (failed && wl.protocol === 'grpc') {
        // 14 UNAVAILABLE, 13 INTERNAL: what an overloaded or failing gRPC server answers.
        const headers = overloaded ? grpcErrorHeaders(http, 14, 'service overloaded') : grpcErrorHeaders(http, 13, 'internal error');
        this.push(s, httpResponseFlow(conv, http, 200, latencyNs, headers));
      } else {
        const code = failed ? (overloaded ? 503 : 500) : (call.okCode ?? 200);
        this.push(s, httpResponseFlow(conv, http, code, latencyNs));
      }
    }
    this.push(s + 10, traceFlow(conv, true, 'ACK_PSH'));
    return { end: Math.round(s + rtt / 2), failed };
  }

  private httpRecord(caller: DemoPod, svc: DemoService, call: Call): HttpRecord {
    const headers: HTTPHeader[] = [...(CLIENT_HEADERS[caller.workload.name] ?? []), { key: 'x-request-id', value: this.rng.uuid() }];
    if (svc.workload.protocol === 'http') {
      return { method: call.httpMethod ?? 'GET', url: `http://${svc.name}:${svc.port}${call.method}`, protocol: 'HTTP/1.1', headers };
    }
    return { method: 'POST', url: `http://${svc.name}:${svc.port}/${svc.workload.grpcService}/${call.method}`, protocol: 'HTTP/2', headers };
  }

  /** DNS A lookup for `svc` unless the caller's cached answer (TTL 30 s) is still fresh; returns when done. */
  private resolve(caller: DemoPod, svc: DemoService, t: number): number {
    const key = `${caller.name}>${svc.name}`;
    const expiry = this.dnsExpiry.get(key);
    if (expiry === undefined) {
      // Running before the simulation started: an answer is already cached.
      this.dnsExpiry.set(key, t + this.rng.int(DNS_TTL_SECONDS * SECOND));
      return t;
    }
    if (t < expiry) return t;
    const dns = this.dnsService;
    const server = this.rng.pick(dns.backends);
    const conv = new Conversation(this.peer(caller), this.peer(server), this.ephemeralPort(), 53, dns.ref, true);
    const query = `${svc.name}.${svc.namespace}.svc.cluster.local.`;
    const latency = Math.round(this.rtt(caller, server) + this.rng.logNormal(dns.workload.latency.medianMs, dns.workload.latency.sigma) * 1000);
    this.push(t, dnsRequestFlow(conv, query));
    this.push(t + latency, dnsResponseFlow(conv, query, [svc.clusterIP], DNS_TTL_SECONDS, latency * 1000));
    this.dnsExpiry.set(key, t + latency + DNS_TTL_SECONDS * SECOND);
    return t + latency + 20;
  }

  /**
   * The caller's keep-alive connection to `svc` (one per user for the load
   * generator, one per callee for gRPC and Redis clients). When its age is up the
   * server closes it (FIN both ways) and the client opens a new one (handshake,
   * plus a policy verdict when a NetworkPolicy selects the server). A user who
   * joins mid-run opens a connection the same way.
   */
  private connection(caller: DemoPod, svc: DemoService, slot: number, t: number): { state: ConnState; t: number } {
    const key = `${caller.name}>${svc.name}#${slot}`;
    let st = this.conns.get(key);
    // Load generator users beyond the initial ones joined during the run.
    const joinedLater = caller === this.loadgen && slot >= LOADGEN_USERS;
    if (st === undefined && !joinedLater) {
      // Established before the simulation started: no handshake to show.
      st = this.openConnection(caller, svc, t);
      st.expiresUs = t + this.rng.int(this.connectionLifetimeUs(svc));
      this.conns.set(key, st);
      return { state: st, t };
    }
    if (st !== undefined && t < st.expiresUs) return { state: st, t };

    if (st !== undefined) {
      const old = st.conv;
      const oldRtt = this.rtt(caller, st.server);
      this.push(t, traceFlow(old, true, 'ACK_FIN'));
      this.push(t + Math.round(oldRtt / 2), traceFlow(old, false, 'ACK_FIN'));
      this.push(t + Math.round(oldRtt), traceFlow(old, true, 'ACK'));
      t += Math.round(oldRtt) + 30;
    }

    st = this.openConnection(caller, svc, t);
    this.conns.set(key, st);
    const { conv, server } = st;
    const rtt = this.rtt(caller, server);
    const policy = policyFor(this.cluster, svc.workload.name);
    if (policy !== undefined) this.push(t, policyVerdictFlow(conv, policy.ref, true));
    this.push(t, traceFlow(conv, false, 'SYN'));
    this.push(t + Math.round(rtt / 2), traceFlow(conv, true, 'SYN_ACK'));
    this.push(t + Math.round(rtt), traceFlow(conv, false, 'ACK'));
    return { state: st, t: t + Math.round(rtt) + 20 };
  }

  private openConnection(caller: DemoPod, svc: DemoService, t: number): ConnState {
    const server = this.rng.pick(svc.backends);
    return {
      conv: new Conversation(this.peer(caller), this.peer(server), this.ephemeralPort(), svc.targetPort, svc.ref),
      server,
      expiresUs: t + this.connectionLifetimeUs(svc),
    };
  }

  private connectionLifetimeUs(svc: DemoService): number {
    switch (svc.workload.protocol) {
      case 'http':
        return 5 * SECOND + Math.round(this.rng.exp(45 * SECOND));
      case 'redis':
        return 60 * SECOND + Math.round(this.rng.exp(600 * SECOND));
      default:
        // gRPC servers' MaxConnectionAge-style rotation.
        return 30 * SECOND + Math.round(this.rng.exp(240 * SECOND));
    }
  }

  private ownLatencyUs(wl: WorkloadSpec, t: number): number {
    if (wl.name === SLOWDOWN.service && t >= this.slowdownAtUs) {
      return this.rng.logNormal(wl.latency.medianMs * SLOWDOWN.medianFactor, SLOWDOWN.sigma) * 1000;
    }
    return this.rng.logNormal(wl.latency.medianMs, wl.latency.sigma) * 1000;
  }

  private errorRate(wl: WorkloadSpec, t: number): number {
    if (wl.name === SLOWDOWN.service && t >= this.slowdownAtUs) return wl.errorRate + SLOWDOWN.extraErrorRate;
    return wl.errorRate;
  }

  /** Round trip between two pods, µs: veth on one node, the overlay between nodes. */
  private rtt(a: DemoPod, b: DemoPod): number {
    return a.node === b.node ? this.rng.logNormal(60, 0.3) : this.rng.logNormal(240, 0.35);
  }

  private ephemeralPort(): number {
    return this.rng.range(32768, 60999);
  }

  private peer(pod: DemoPod): Peer {
    let p = this.peers.get(pod);
    if (p === undefined) {
      p = { endpoint: pod.endpoint, ip: pod.ip, node: pod.node.name };
      this.peers.set(pod, p);
    }
    return p;
  }
}

function mustGet<K, V>(m: Map<K, V>, k: K): V {
  const v = m.get(k);
  if (v === undefined) throw new Error(`demo cluster: missing ${String(k)}`);
  return v;
}
