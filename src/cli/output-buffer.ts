// Batched writes to stdout: printers produce many small strings; joining them and
// writing once per batch is what makes printing 100k+ flows/s possible. A batch is
// written when it reaches `maxChars` or on the next turn of the event loop, so a
// slow live stream still shows up immediately.

export interface Writable {
  write(chunk: string): boolean;
}

export class OutputBuffer {
  private parts: string[] = [];
  private size = 0;
  private scheduled = false;
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
}
