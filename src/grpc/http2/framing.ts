// gRPC's length-prefixed messages (1 byte compressed flag, 4 bytes big-endian length,
// the message) cut out of HTTP/2 DATA chunks. One chunk usually holds many messages and
// a message may span chunks: push() returns every message a chunk completes, at once,
// as views into the chunk where it can (no copy), so the caller decodes them in a loop.
import { Code, GrpcCallError } from './status.ts';

export const PREFIX_BYTES = 5;

/** One message framed for the wire (requests, and tests). */
export function frameMessage(msg: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(PREFIX_BYTES + msg.length);
  out[0] = 0;
  out.writeUInt32BE(msg.length, 1);
  out.set(msg, PREFIX_BYTES);
  return out;
}

export class MessageDeframer {
  /** Bytes of an incomplete prefix or message, carried to the next chunk. */
  private carry: Buffer[] = [];
  private carried = 0;
  /** Length of the message being carried (-1: still reading its prefix). */
  private want = -1;

  private readonly maxMessageBytes: number;
  /** The response's grpc-encoding, for the error on a compressed message. */
  private readonly encoding: string;

  constructor(maxMessageBytes: number, encoding = 'identity') {
    this.maxMessageBytes = maxMessageBytes;
    this.encoding = encoding;
  }

  /** True while part of a message is held: a stream ending now was cut mid-message. */
  get partial(): boolean {
    return this.carried > 0;
  }

  /** An error found after good messages of the same chunk (they were returned first); set once. */
  failure: Error | undefined;

  /** The messages the chunk completes; throws (or, after good messages, sets `failure`) on a bad prefix. */
  push(chunk: Buffer): Buffer[] {
    if (this.failure !== undefined) throw this.failure;
    const out: Buffer[] = [];
    try {
      this.cut(chunk, out);
    } catch (err) {
      if (out.length === 0) throw err;
      this.failure = err as Error;
    }
    return out;
  }

  private cut(chunk: Buffer, out: Buffer[]): void {
    let pos = 0;
    if (this.carried > 0) {
      pos = this.fillCarry(chunk, out);
      if (pos < 0) return;
    }
    const n = chunk.length;
    while (pos < n) {
      if (n - pos < PREFIX_BYTES) {
        this.hold(chunk.subarray(pos), -1);
        return;
      }
      const len = this.check(chunk, pos);
      const start = pos + PREFIX_BYTES;
      if (n - start < len) {
        this.hold(chunk.subarray(pos), len);
        return;
      }
      out.push(chunk.subarray(start, start + len));
      pos = start + len;
    }
    return;
  }

  /** Completes the carried message from the chunk; returns where the chunk's next message starts, or -1 if it is used up. */
  private fillCarry(chunk: Buffer, out: Buffer[]): number {
    if (this.want < 0) {
      const needPrefix = PREFIX_BYTES - this.carried;
      if (chunk.length < needPrefix) {
        this.hold(chunk, -1);
        return -1;
      }
      const prefix = Buffer.concat([...this.carry, chunk.subarray(0, needPrefix)]);
      this.want = this.check(prefix, 0);
    }
    const total = PREFIX_BYTES + this.want;
    const need = total - this.carried;
    if (chunk.length < need) {
      this.carry.push(chunk);
      this.carried += chunk.length;
      return -1;
    }
    const whole = Buffer.concat([...this.carry, chunk.subarray(0, need)], total);
    out.push(whole.subarray(PREFIX_BYTES));
    this.carry = [];
    this.carried = 0;
    this.want = -1;
    return need;
  }

  private hold(part: Buffer, want: number): void {
    // A copy: a few bytes left over must not keep a whole chunk's memory alive.
    this.carry.push(Buffer.from(part));
    this.carried += part.length;
    this.want = want;
  }

  /** The length of the message whose prefix starts at `at`, after checking its flag and size. */
  private check(b: Buffer, at: number): number {
    const flag = b[at]!;
    const len = b.readUInt32BE(at + 1);
    if (flag & 1) {
      throw new GrpcCallError(
        Code.INTERNAL,
        `the server sent a compressed message (grpc-encoding: ${this.encoding}); netscope accepts only identity`,
      );
    }
    if (flag !== 0) throw new GrpcCallError(Code.INTERNAL, `the server sent a message with an invalid flags byte (${flag})`);
    if (len > this.maxMessageBytes) throw new GrpcCallError(Code.RESOURCE_EXHAUSTED, `Received message larger than max (${len} vs ${this.maxMessageBytes})`);
    return len;
  }
}
