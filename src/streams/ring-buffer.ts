// Bounded FIFO of the most recent items. Every pushed item gets a sequence number
// (0, 1, 2, ...) so a view can pin "the flow I selected" or "what was there when I
// paused" while newer items keep arriving and old ones fall off the end.

export class RingBuffer<T> {
  readonly capacity: number;
  #items: (T | undefined)[];
  #head = 0; // index of the oldest item
  #size = 0;
  #pushed = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring buffer capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity);
  }

  /** Number of items held now (at most capacity). */
  get size(): number {
    return this.#size;
  }

  /** Sequence number the next pushed item will get; equals the total ever pushed. */
  get endSeq(): number {
    return this.#pushed;
  }

  /** Sequence number of the oldest item still held. */
  get startSeq(): number {
    return this.#pushed - this.#size;
  }

  /** Adds an item in O(1); returns the evicted oldest item when full. */
  push(item: T): T | undefined {
    let evicted: T | undefined;
    if (this.#size === this.capacity) {
      evicted = this.#items[this.#head];
      this.#items[this.#head] = item;
      this.#head = (this.#head + 1) % this.capacity;
    } else {
      this.#items[(this.#head + this.#size) % this.capacity] = item;
      this.#size++;
    }
    this.#pushed++;
    return evicted;
  }

  /** The item with sequence number `seq`, or undefined if evicted or not yet pushed. */
  bySeq(seq: number): T | undefined {
    if (seq < this.startSeq || seq >= this.#pushed) return undefined;
    return this.#items[(this.#head + (seq - this.startSeq)) % this.capacity];
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#items[(this.#head + i) % this.capacity] as T);
    return out;
  }

  clear(): void {
    this.#items = new Array<T | undefined>(this.capacity);
    this.#head = 0;
    this.#size = 0;
    // Sequence numbers keep increasing so pinned positions never alias new items.
  }
}
