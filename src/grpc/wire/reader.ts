// Protobuf wire reader over one Buffer. `limit` is the end of the message being read:
// enter() narrows it to a length-delimited field's end and returns the outer limit for
// leave(), so a varint or string running past its message is caught as truncation.
// 64-bit integers come back as numbers (exact below 2^53), like protobufjs with Long off.
// Every malformation throws a WireError naming what was wrong and the byte offset.

const TWO_32 = 4294967296;

// Strings repeat from flow to flow (labels, names, namespaces, IPs): short ASCII ones are
// looked up in a table by a hash of a few of their bytes and compared byte for byte, so
// a repeated string costs one pass over its bytes and no allocation, instead of a native
// decode and a new string each time. A slot holds the latest string that hashed there.
const INTERN_MAX = 128;
const INTERN_SLOTS = 8192; // a power of two
const internTable: (string | undefined)[] = new Array<string | undefined>(INTERN_SLOTS).fill(undefined);

function intern(b: Buffer, start: number, end: number): string {
  const len = end - start;
  let h = Math.imul(len, 0x9e3779b1);
  if (len <= 24) {
    for (let p = start; p < end; p++) h = Math.imul(h ^ b[p]!, 0x01000193);
  } else {
    // Sampled bytes: the head, the middle and the tail tell long labels and names apart.
    const mid = start + (len >>> 1);
    for (let p = start; p < start + 4; p++) h = Math.imul(h ^ b[p]!, 0x01000193);
    for (let p = mid - 2; p < mid + 2; p++) h = Math.imul(h ^ b[p]!, 0x01000193);
    for (let p = end - 8; p < end; p++) h = Math.imul(h ^ b[p]!, 0x01000193);
  }
  const slot = (h ^ (h >>> 15)) & (INTERN_SLOTS - 1);
  const s = internTable[slot];
  if (s !== undefined && s.length === len) {
    let i = 0;
    while (i < len && s.charCodeAt(i) === b[start + i]) i++;
    if (i === len) return s;
  }
  for (let p = start; p < end; p++) if (b[p]! > 127) return b.toString('utf8', start, end); // not ASCII: not kept
  const fresh = b.toString('latin1', start, end);
  internTable[slot] = fresh;
  return fresh;
}

export class WireError extends Error {
  override name = 'WireError';
}

export class WireReader {
  buf: Buffer;
  pos: number;
  limit: number;

  constructor(buf: Buffer) {
    this.buf = buf;
    this.pos = 0;
    this.limit = buf.length;
  }

  private truncated(what: string, at: number): never {
    throw new WireError(`truncated message: ${what} at byte ${at} runs past the end of its message (byte ${this.limit})`);
  }

  /** An unsigned 32-bit varint; longer varints (up to 10 bytes) keep their low 32 bits. */
  uint32(): number {
    const b = this.buf;
    let p = this.pos;
    const lim = this.limit;
    if (p >= lim) this.truncated('varint', p);
    let c = b[p++]!;
    if (c < 128) {
      this.pos = p;
      return c;
    }
    let v = c & 127;
    let shift = 7;
    for (; shift < 35; shift += 7) {
      if (p >= lim) this.truncated('varint', this.pos);
      c = b[p++]!;
      // Bits past 32 fall off (`<<` is 32-bit); the 5th byte contributes its low 4 bits.
      v |= (c & 127) << shift;
      if (c < 128) {
        this.pos = p;
        return v >>> 0;
      }
    }
    // Bytes 6..10 carry only high bits of a 64-bit value.
    for (let i = 5; i < 10; i++) {
      if (p >= lim) this.truncated('varint', this.pos);
      if (b[p++]! < 128) {
        this.pos = p;
        return v >>> 0;
      }
    }
    throw new WireError(`malformed varint at byte ${this.pos}: more than 10 bytes`);
  }

  int32(): number {
    return this.uint32() | 0;
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  /** A 64-bit varint as lo/hi halves, then a number. */
  private long(signed: boolean): number {
    const b = this.buf;
    let p = this.pos;
    const lim = this.limit;
    let lo = 0;
    let hi = 0;
    let i = 0;
    for (; i < 10; i++) {
      if (p >= lim) this.truncated('varint', this.pos);
      const c = b[p++]!;
      const bits = c & 127;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (c < 128) break;
    }
    if (i === 10) throw new WireError(`malformed varint at byte ${this.pos}: more than 10 bytes`);
    this.pos = p;
    lo >>>= 0;
    hi >>>= 0;
    if (signed && hi >>> 31) {
      // Two's complement, as protobufjs' LongBits.toNumber(false).
      lo = (~lo + 1) >>> 0;
      hi = ~hi >>> 0;
      if (lo === 0) hi = (hi + 1) >>> 0;
      return -(lo + hi * TWO_32);
    }
    return lo + hi * TWO_32;
  }

  uint64(): number {
    const b = this.buf;
    const p = this.pos;
    if (p < this.limit && b[p]! < 128) {
      this.pos = p + 1;
      return b[p]!;
    }
    return this.long(false);
  }

  int64(): number {
    return this.long(true);
  }

  /** The length of a length-delimited field, checked against its message's end. */
  private length(): number {
    const at = this.pos;
    const len = this.uint32();
    if (len > this.limit - this.pos) {
      throw new WireError(`length ${len} at byte ${at} runs past the end of its message (byte ${this.limit})`);
    }
    return len;
  }

  /** UTF-8 text; invalid sequences become U+FFFD (Node's decoder, which protobufjs uses on Buffers). */
  string(): string {
    const len = this.length();
    const start = this.pos;
    const end = start + len;
    this.pos = end;
    if (len === 0) return '';
    if (len > INTERN_MAX) return this.buf.toString('utf8', start, end);
    return intern(this.buf, start, end);
  }

  /** A string that rarely repeats (a uuid, a summary, a URL): decoded without the intern table, so it evicts nothing. */
  uniqueString(): string {
    const len = this.length();
    const start = this.pos;
    this.pos = start + len;
    return len === 0 ? '' : this.buf.toString('utf8', start, start + len);
  }

  /** Steps into a length-delimited field; returns the outer limit to hand to leave(). */
  enter(): number {
    return this.narrow(this.span());
  }

  /** Reads a length-delimited field's length; returns where its content ends (the reader is at its start). */
  span(): number {
    const len = this.length();
    return this.pos + len;
  }

  /** Narrows the limit to end (from span()); returns the outer limit for leave(). */
  narrow(end: number): number {
    const outer = this.limit;
    this.limit = end;
    return outer;
  }

  leave(outer: number): void {
    this.limit = outer;
  }

  /** Reads past a field this codec does not know (any wire type but groups). */
  skip(wireType: number, field: number): void {
    switch (wireType) {
      case 0:
        this.uint32();
        return;
      case 1:
        this.bytes(8, field);
        return;
      case 2: {
        const len = this.length(); // first: `this.pos += this.length()` would add to the pos before the length
        this.pos += len;
        return;
      }
      case 5:
        this.bytes(4, field);
        return;
      case 3:
      case 4:
        throw new WireError(`field ${field} at byte ${this.pos} is a group (wire type ${wireType}): groups are not supported`);
      default:
        throw new WireError(`field ${field} at byte ${this.pos} has invalid wire type ${wireType}`);
    }
  }

  private bytes(n: number, field: number): void {
    if (n > this.limit - this.pos) this.truncated(`field ${field} (${n} fixed bytes)`, this.pos);
    this.pos += n;
  }

  /** A field's tag (field number << 3 | wire type); field number 0 is invalid. */
  tag(): number {
    const at = this.pos;
    const t = this.uint32();
    if (t < 8) throw new WireError(`invalid field number 0 at byte ${at}`);
    return t;
  }

  /** A wire type that does not fit the field (e.g. a string sent as a varint). */
  mismatch(message: string, field: number, wireType: number): never {
    throw new WireError(`${message} field ${field} at byte ${this.pos} has wire type ${wireType}, not the one its type uses`);
  }
}
