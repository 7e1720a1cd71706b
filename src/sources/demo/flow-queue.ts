// Flows the simulator has decided but whose time has not come yet (a response is
// known when its request starts). A binary min-heap on (time, sequence) so equal
// times keep creation order and output is strictly time-ordered.

import type { Flow } from '../../model/flow.ts';

interface Entry {
  us: number;
  seq: number;
  flow: Flow;
}

function before(a: Entry, b: Entry): boolean {
  return a.us < b.us || (a.us === b.us && a.seq < b.seq);
}

export class FlowQueue {
  private readonly heap: Entry[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** Time (µs) of the earliest queued flow, or +Infinity. */
  peekTime(): number {
    return this.heap.length === 0 ? Number.POSITIVE_INFINITY : this.heap[0].us;
  }

  push(us: number, seq: number, flow: Flow): void {
    const h = this.heap;
    const e: Entry = { us, seq, flow };
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = e;
  }

  /** Removes and appends to `out` every flow with time < `us`, in order, calling `each` on it first. */
  drainBefore(us: number, out: Flow[], each: (us: number, flow: Flow) => void): void {
    const h = this.heap;
    while (h.length > 0 && h[0].us < us) {
      each(h[0].us, h[0].flow);
      out.push(h[0].flow);
      const last = h.pop() as Entry;
      if (h.length === 0) break;
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(h[r], h[l]) ? r : l;
        if (!before(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
  }
}
