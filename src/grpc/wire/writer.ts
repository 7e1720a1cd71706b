// Protobuf wire writer: varints and length-delimited fields into slab buffers.
// Nested messages reserve one length byte and are shifted in place when their length
// needs more (rare: most sub-messages of a flow are under 128 bytes), so there is no
// sizing pass and no per-message fork object. Integer conversions follow protobufjs
// (uint32: `>>> 0`; int32 below zero and 64-bit values: ten-byte two's complement).

const TWO_32 = 4294967296;

/** Messages are written into slabs of this size and handed out as views: no per-message buffer or copy. */
const SLAB_BYTES = 128 * 1024;

export class WireWriter {
  buf: Buffer;
  /** Where the message being written starts in buf. */
  start = 0;
  pos = 0;

  constructor() {
    this.buf = Buffer.allocUnsafeSlow(SLAB_BYTES);
  }

  /** Starts a new message after the last one handed out. */
  reset(): void {
    this.start = this.pos;
  }

  /** Room for n more bytes: a fresh slab (with the message so far moved to it) when this one is full. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const len = this.pos - this.start;
    const next = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, 2 * (len + n)));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = len;
  }

  /** The message written since reset(): a view into the slab, which is never written again. */
  finish(): Buffer {
    return this.buf.subarray(this.start, this.pos);
  }

  /** An unsigned varint of at most 32 bits. */
  uint32(v: number): void {
    v >>>= 0;
    this.ensure(5);
    const b = this.buf;
    let p = this.pos;
    while (v > 127) {
      b[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** int32: a negative value is sign-extended to 64 bits (ten bytes), as the spec says. */
  int32(v: number): void {
    if (v < 0) this.varint64(v | 0);
    else this.uint32(v);
  }

  /** A 64-bit varint from a number (two's complement when negative), like protobufjs' LongBits.fromNumber. */
  varint64(v: number): void {
    if (v >= 0 && v < TWO_32) {
      this.uint32(v);
      return;
    }
    let neg = false;
    if (v < 0) {
      neg = true;
      v = -v;
    }
    let lo = v >>> 0;
    let hi = ((v - lo) / TWO_32) >>> 0;
    if (neg) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
      if (++lo > 0xffffffff) {
        lo = 0;
        if (++hi > 0xffffffff) hi = 0;
      }
    }
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (hi > 0) {
      b[p++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 127) {
      b[p++] = (lo & 127) | 128;
      lo >>>= 7;
    }
    b[p++] = lo;
    this.pos = p;
  }

  tag(field: number, wireType: number): void {
    this.uint32(field * 8 + wireType);
  }

  /** A length-delimited UTF-8 string (lone surrogates become U+FFFD, as Buffer writes them). */
  string(s: string): void {
    const n = s.length;
    this.ensure(n * 3 + 5);
    const b = this.buf;
    if (n < 43) {
      // At most 126 bytes: one length byte. ASCII is copied by hand (no native call).
      const start = this.pos + 1;
      let p = start;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 127) {
          p = start + b.write(s, start, 'utf8');
          break;
        }
        b[p++] = c;
      }
      b[this.pos] = p - start;
      this.pos = p;
      return;
    }
    const len = Buffer.byteLength(s, 'utf8');
    this.uint32(len);
    this.pos += b.write(s, this.pos, len, 'utf8');
  }

  /** Raw bytes (an already encoded field's content). */
  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** Starts a nested message: its tag and one reserved length byte; returns the mark for end(). */
  begin(field: number): number {
    this.tag(field, 2);
    this.ensure(1);
    // Relative to the message's start: ensure() may move the message to a new slab.
    return this.pos++ - this.start;
  }

  /** Ends the nested message begun at mark: writes its length, moving its bytes if it needs more than one. */
  end(mark: number): void {
    let at = this.start + mark;
    const len = this.pos - at - 1;
    if (len < 128) {
      this.buf[at] = len;
      return;
    }
    const extra = len < 1 << 14 ? 1 : len < 1 << 21 ? 2 : len < 1 << 28 ? 3 : 4;
    this.ensure(extra);
    at = this.start + mark;
    const b = this.buf;
    b.copyWithin(at + 1 + extra, at + 1, this.pos);
    this.pos += extra;
    let v = len;
    while (v > 127) {
      b[at++] = (v & 127) | 128;
      v >>>= 7;
    }
    b[at] = v;
  }
}
