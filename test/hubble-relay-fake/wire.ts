// A minimal protobuf wire writer and reader for the Hubble-Relay-like test server.
// Deliberately independent of netscope's protobufjs schema and mapping: field numbers
// are typed in from Cilium's api/v1 protos where messages are built (server.ts), so a
// mistake in netscope's .proto files or mapping cannot be repeated here unnoticed.

export class Writer {
  private chunks: Buffer[] = [];

  private varint(n: number | bigint): void {
    let v = BigInt(n);
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.chunks.push(Buffer.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  /** A varint field (uint32, uint64, int32 >= 0, bool, enum); zero is still written. */
  uint(field: number, v: number | bigint | boolean): this {
    this.tag(field, 0);
    this.varint(typeof v === 'boolean' ? (v ? 1 : 0) : v);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }

  bytes(field: number, b: Buffer): this {
    this.tag(field, 2);
    this.varint(b.length);
    this.chunks.push(b);
    return this;
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** google.protobuf.Timestamp (seconds = 1, nanos = 2). */
export function timestamp(ms: number): Writer {
  const w = new Writer().uint(1, Math.floor(ms / 1000));
  const nanos = Math.round((ms % 1000) * 1e6);
  if (nanos !== 0) w.uint(2, nanos);
  return w;
}

export type Field = { wire: 0; value: bigint } | { wire: 2; value: Buffer } | { wire: 1 | 5; value: Buffer };

/** Every field of a message by number, in wire order. Throws on truncated input. */
export function readFields(b: Buffer): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let i = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= b.length) throw new Error('truncated varint');
      const byte = b[i++]!;
      v |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (i < b.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    let f: Field;
    if (wire === 0) f = { wire: 0, value: varint() };
    else if (wire === 2) {
      const len = Number(varint());
      if (i + len > b.length) throw new Error('truncated length-delimited field');
      f = { wire: 2, value: b.subarray(i, i + len) };
      i += len;
    } else if (wire === 1 || wire === 5) {
      const len = wire === 1 ? 8 : 4;
      f = { wire, value: b.subarray(i, i + len) };
      i += len;
    } else throw new Error(`unsupported wire type ${wire}`);
    const list = out.get(field) ?? [];
    list.push(f);
    out.set(field, list);
  }
  return out;
}

export function uintField(m: Map<number, Field[]>, n: number): bigint | undefined {
  const f = m.get(n)?.at(-1);
  return f?.wire === 0 ? f.value : undefined;
}

export function messages(m: Map<number, Field[]>, n: number): Map<number, Field[]>[] {
  return (m.get(n) ?? []).filter((f) => f.wire === 2).map((f) => readFields(f.value as Buffer));
}

/** Packed or unpacked repeated varints (proto3 packs repeated enums). */
export function uints(m: Map<number, Field[]>, n: number): bigint[] {
  const out: bigint[] = [];
  for (const f of m.get(n) ?? []) {
    if (f.wire === 0) out.push(f.value);
    else if (f.wire === 2) {
      const b = f.value as Buffer;
      let i = 0;
      while (i < b.length) {
        let v = 0n;
        let shift = 0n;
        for (;;) {
          const byte = b[i++]!;
          v |= BigInt(byte & 0x7f) << shift;
          if ((byte & 0x80) === 0) break;
          shift += 7n;
        }
        out.push(v);
      }
    }
  }
  return out;
}

export function strings(m: Map<number, Field[]>, n: number): string[] {
  return (m.get(n) ?? []).filter((f) => f.wire === 2).map((f) => (f.value as Buffer).toString('utf8'));
}
