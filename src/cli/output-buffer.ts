// Batched writes to stdout: printers produce many small strings; joining them and
// writing once per batch is what makes printing 100k+ flows/s possible. A batch is
// written when it reaches `maxChars` or on the next turn of the event loop, so a
// slow live stream still shows up immediately. `ready()` is the backpressure signal
// for sources that can pause (a file): stdout to a pipe is asynchronous in Node, and
// a slow reader must not make us queue the whole input in memory.

export interface Writable {
  write(chunk: string): boolean;
  readonly writableLength?: number;
  once?(event: 'drain', listener: () => void): unknown;
}

/** Queued output beyond which a source should wait for 'drain'. */
const HIGH_WATER = 1 << 20;

export class OutputBuffer {
  private parts: string[] = [];
  private size = 0;
  private scheduled = false;
  private draining: Promise<void> | undefined;
  private readonly target: Writable;
  private readonly maxChars: number;

  constructor(target: Writable, maxChars = 64 * 1024) {
    this.target = target;
    this.maxChars = maxChars;
  }

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= this.maxChars) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    this.target.write(text);
  }

  /** undefined when more output may be produced now, else a promise for when it may. */
  ready(): Promise<void> | undefined {
    this.flush();
    const queued = this.target.writableLength ?? 0;
    if (queued < HIGH_WATER || this.target.once === undefined) return undefined;
    this.draining ??= new Promise<void>((resolve) => {
      this.target.once!('drain', () => {
        this.draining = undefined;
        resolve();
      });
    });
    return this.draining;
  }
}
