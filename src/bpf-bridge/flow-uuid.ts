// Flow uuids without a random draw per flow: a random 74-bit prefix per collector
// run plus a 48-bit counter that starts at a random value, printed in the RFC 9562
// version-4 layout. Distinct for 2^48 flows per run and, by the random prefix,
// across runs. The counter's low 16 bits come from a table of 4-digit strings, so
// a uuid costs one concatenation (crypto.randomUUID() per flow was ~10% of the
// decoding time at tens of thousands of flows per second).
import { randomBytes } from 'node:crypto';

const LOW = Array.from({ length: 0x10000 }, (_, i) => i.toString(16).padStart(4, '0'));
const HIGH_SPAN = 2 ** 32;

/**
 * The same uuids as numbers first, text on demand: next() takes the next one's number
 * (the counter, < 2^48), text(n) prints it. Lazy flows take their number when they
 * are decoded and print it only if someone reads their uuid.
 */
export interface FlowUuids {
  next(): number;
  text(id: number): string;
}

export function flowUuidSequence(): FlowUuids {
  const r = randomBytes(16);
  r[6] = (r[6]! & 0x0f) | 0x40; // version 4
  r[8] = (r[8]! & 0x3f) | 0x80; // RFC variant
  const hex = r.toString('hex');
  const prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-`;
  let high = r.readUInt32BE(10);
  let low = r.readUInt16BE(14);
  let headHigh = -1;
  let head = '';
  return {
    next(): number {
      low = (low + 1) & 0xffff;
      if (low === 0) high = (high + 1) % HIGH_SPAN;
      return high * 0x10000 + low;
    },
    text(id: number): string {
      const lo = id % 0x10000;
      const hi = (id - lo) / 0x10000;
      if (hi !== headHigh) {
        headHigh = hi;
        head = prefix + hi.toString(16).padStart(8, '0');
      }
      return head + LOW[lo]!;
    },
  };
}

export function flowUuidGenerator(): () => string {
  const s = flowUuidSequence();
  return () => s.text(s.next());
}
