// Replay detection for one node's stream (see fan-in.ts).

/**
 * The last `capacity` flows' (uuid, time) of one node, written to a ring (two array
 * stores per flow). Only a reconnect can bring duplicates, so the lookup table is built
 * then (`arm`), from the ring, and dropped once the node delivers flows newer than any
 * seen before the reconnect: the steady state pays for no hashing at all.
 */
export class RecentFlows {
  readonly #uuids: (string | undefined)[];
  readonly #times: (string | undefined)[];
  #next = 0;
  #lookup: Map<string, string> | undefined;

  constructor(capacity: number) {
    this.#uuids = new Array<string | undefined>(Math.max(1, capacity));
    this.#times = new Array<string | undefined>(Math.max(1, capacity));
  }

  get armed(): boolean {
    return this.#lookup !== undefined;
  }

  arm(): void {
    const m = new Map<string, string>();
    for (let i = 0; i < this.#uuids.length; i++) {
      const u = this.#uuids[i];
      if (u !== undefined) m.set(u, this.#times[i]!);
    }
    this.#lookup = m;
  }

  disarm(): void {
    this.#lookup = undefined;
  }

  has(uuid: string, time: string): boolean {
    return this.#lookup !== undefined && this.#lookup.get(uuid) === time;
  }

  add(uuid: string, time: string): void {
    this.#uuids[this.#next] = uuid;
    this.#times[this.#next] = time;
    this.#next = (this.#next + 1) % this.#uuids.length;
  }
}
