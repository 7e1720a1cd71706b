// One request, one count, when it is observed at both ends of its connection: Hubble
// records a connection's SYN leaving the client and arriving at the server, and
// netscope's collector reports a request/response from the client's socket and from
// the server's when both are on its node. Per connection (client address:port ->
// server address:port) this keeps how many requests, and how many failed ones, each
// side has reported; a flow counts when its side's tally passes the other side's, so N
// requests seen at both ends count N times, not 2N, a side seen alone counts every
// request, and a request that one end saw fail (a SYN forwarded by the client's node
// and dropped by policy at the server's) counts as failed once.
import type { Flow } from '../model/flow.ts';
import { sides } from './flow-keys.ts';

interface Tally {
  egress: number;
  ingress: number;
  egressErrors: number;
  ingressErrors: number;
  /** A reset of this connection has been counted. */
  reset: boolean;
}

export interface Counted {
  /** Adds one request (and its latency) to the service. */
  request: boolean;
  /** Adds one failed request to the service. */
  error: boolean;
}

const BOTH: Counted = Object.freeze({ request: true, error: true });
const REQUEST: Counted = Object.freeze({ request: true, error: false });
const ERROR: Counted = Object.freeze({ request: false, error: true });
const NEITHER: Counted = Object.freeze({ request: false, error: false });

function counted(request: boolean, error: boolean): Counted {
  return request ? (error ? BOTH : REQUEST) : error ? ERROR : NEITHER;
}

// ~1 s of connections at 15k/s: the two reports of one request arrive within a loader
// batch (50 ms) or, from Hubble, within about a second; ~3 MB.
const DEFAULT_MAX_CONNECTIONS = 16_384;

export class RequestDedupe {
  readonly #max: number;
  /** Insertion order is age order: the oldest connection is forgotten first. */
  readonly #tallies = new Map<string, Tally>();

  /** Both observations of a request arrive within a moment; remember that many connections. */
  constructor(maxConnections: number = DEFAULT_MAX_CONNECTIONS) {
    this.#max = maxConnections;
  }

  /** What a request flow (isRequest) adds to its service; `error`: the flow shows it failed (isError). */
  counts(flow: Flow, error: boolean): Counted {
    const dir = flow.traffic_direction;
    if (dir !== 'EGRESS' && dir !== 'INGRESS') return counted(true, error);
    const t = this.#tally(flow);
    if (t === undefined) return counted(true, error);
    if (dir === 'EGRESS') {
      t.egress++;
      if (error) t.egressErrors++;
      return counted(t.egress > t.ingress, error && t.egressErrors > t.ingressErrors);
    }
    t.ingress++;
    if (error) t.ingressErrors++;
    return counted(t.ingress > t.egress, error && t.ingressErrors > t.egressErrors);
  }

  /**
   * Whether a reset flow (flow-keys serverReset) that is not itself a request is the
   * first report of its connection's reset: both ends report it (the collector's two
   * close summaries, Hubble's RST at either node), and a connection is reset once.
   */
  firstReset(flow: Flow): boolean {
    const dir = flow.traffic_direction;
    if (dir !== 'EGRESS' && dir !== 'INGRESS') return true;
    const t = this.#tally(flow);
    if (t === undefined) return true;
    if (t.reset) return false;
    t.reset = true;
    return true;
  }

  #tally(flow: Flow): Tally | undefined {
    const key = connectionKey(flow);
    if (key === undefined) return undefined;
    let t = this.#tallies.get(key);
    if (t === undefined) {
      if (this.#tallies.size >= this.#max) {
        const oldest = this.#tallies.keys().next();
        if (!oldest.done) this.#tallies.delete(oldest.value);
      }
      t = { egress: 0, ingress: 0, egressErrors: 0, ingressErrors: 0, reset: false };
      this.#tallies.set(key, t);
    }
    return t;
  }

  get size(): number {
    return this.#tallies.size;
  }
}

/** `client:port>server:port`, or undefined when the flow lacks addresses or ports. */
function connectionKey(flow: Flow): string | undefined {
  const ip = flow.IP;
  const l4 = flow.l4?.TCP ?? flow.l4?.UDP ?? flow.l4?.SCTP;
  if (!ip?.source || !ip.destination || l4?.source_port === undefined || l4.destination_port === undefined) return undefined;
  const src = `${ip.source}:${l4.source_port}`;
  const dst = `${ip.destination}:${l4.destination_port}`;
  return sides(flow).client === 'source' ? `${src}>${dst}` : `${dst}>${src}`;
}
