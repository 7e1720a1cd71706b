// Protobuf wire writer: varints and length-delimited fields into one growing buffer.
// Nested messages reserve one length byte and are shifted in place when their length
// needs more (rare: most sub-messages of a flow are under 128 bytes), so there is no
// sizing pass and no per-message fork object. Integer conversions follow protobufjs
// (uint32: `>>> 0`; int32 below zero and 64-bit values: ten-byte two's complement).

const TWO_32 = 4294967296;

export class WireWriter {
  buf: Buffer;
  pos = 0;

  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }

  reset(): void {
    this.pos = 0;
  }

  /** Room for n more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A copy of what was written (the writer's buffer is reused). */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
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

  /** Starts a nested message: its tag and one reserved length byte; returns the mark for end(). */
  begin(field: number): number {
    this.tag(field, 2);
    this.ensure(1);
    return this.pos++;
  }

  /** Ends the nested message begun at mark: writes its length, moving its bytes if it needs more than one. */
  end(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 128) {
      this.buf[mark] = len;
      return;
    }
    const extra = len < 1 << 14 ? 1 : len < 1 << 21 ? 2 : len < 1 << 28 ? 3 : 4;
    this.ensure(extra);
    const b = this.buf;
    b.copyWithin(mark + 1 + extra, mark + 1, this.pos);
    this.pos += extra;
    let v = len;
    let p = mark;
    while (v > 127) {
      b[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    b[p] = v;
  }
}
