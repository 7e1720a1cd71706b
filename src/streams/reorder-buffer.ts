// The fan-in's reorder buffer: a k-way merge. Each node's flows wait in their own queue,
// kept sorted (a node's stream is nearly in order, so almost every flow is appended), and
// a small heap over the queues' heads (one slot per node, not per flow) finds the oldest.
// One big heap of every held flow was tried first: at 50,000 held flows each pop walks 16
// levels of scattered objects, ~6 us per flow in cache misses; this is well under 1 us.

export interface Keyed {
  ms: number;
  /** Nanoseconds within `ms`. */
  ns: number;
  /** Arrival order: breaks ties so equal times keep the order they came in. */
  seq: number;
}

export const keyedLess = (a: Keyed, b: Keyed): boolean => a.ms < b.ms || (a.ms === b.ms && (a.ns < b.ns || (a.ns === b.ns && a.seq < b.seq)));

/** One node's waiting flows, oldest first. */
export class NodeQueue<T extends Keyed> {
  items: T[] = [];
  head = 0;
  /** Position in the buffer's heap, -1 when empty (not in it). */
  heapIndex = -1;

  get length(): number {
    return this.items.length - this.head;
  }

  first(): T | undefined {
    return this.items[this.head];
  }

  /** Inserts in order; returns true when `item` became the new first. */
  insert(item: T): boolean {
    const a = this.items;
    const n = a.length;
    if (n === this.head || !keyedLess(item, a[n - 1]!)) {
      a.push(item);
      return n === this.head;
    }
    // Out of order within the node: binary search for its place among the waiting ones.
    let lo = this.head;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keyedLess(item, a[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    a.splice(lo, 0, item);
    return lo === this.head;
  }

  shift(): T {
    const item = this.items[this.head]!;
    this.items[this.head] = undefined as unknown as T; // let it be collected
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

export class ReorderBuffer<T extends Keyed> {
  readonly #heap: NodeQueue<T>[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(q: NodeQueue<T>, item: T): void {
    this.#size++;
    const becameFirst = q.insert(item);
    if (q.heapIndex < 0) {
      q.heapIndex = this.#heap.length;
      this.#heap.push(q);
      this.#up(q.heapIndex);
    } else if (becameFirst) {
      this.#up(q.heapIndex);
    }
  }

  peek(): T | undefined {
    return this.#heap[0]?.first();
  }

  pop(): T | undefined {
    const q = this.#heap[0];
    if (!q) return undefined;
    const item = q.shift();
    this.#size--;
    if (q.length > 0) this.#down(0);
    else {
      q.heapIndex = -1;
      const last = this.#heap.pop()!;
      if (last !== q) {
        this.#heap[0] = last;
        last.heapIndex = 0;
        this.#down(0);
      }
    }
    return item;
  }

  #less(i: number, j: number): boolean {
    return keyedLess(this.#heap[i]!.first()!, this.#heap[j]!.first()!);
  }

  #swap(i: number, j: number): void {
    const h = this.#heap;
    const a = h[i]!;
    const b = h[j]!;
    h[i] = b;
    h[j] = a;
    a.heapIndex = j;
    b.heapIndex = i;
  }

  #up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(i, p)) return;
      this.#swap(i, p);
      i = p;
    }
  }

  #down(i: number): void {
    const n = this.#heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const c = r < n && this.#less(r, l) ? r : l;
      if (!this.#less(c, i)) return;
      this.#swap(i, c);
      i = c;
    }
  }
}
