// Boot-clock nanoseconds (bpf_ktime_get_boot_ns) to the RFC 3339 text of flow times,
// and arithmetic on u64 nanosecond values held as two 32-bit halves: the collector
// stamps tens of thousands of flows a second, and BigInt per flow was a large share
// of mapping them.
//
// Wall-clock time = boot-clock ns + the loader's offset. Per 2^32 ns (~4.3 s) of boot
// time the high half is the same: its share of seconds and nanos, offset included, is
// computed once (BigInt), the low half added as a number.
import { formatProtoTimestamp, protoFraction, threeDigits } from '../codec/timestamp.ts';

export class WallClock {
  /** realtime - boottime, from the loader's clock record. */
  private offsetNs = 0n;
  private baseHi = -1;
  private baseSec = 0;
  private baseNanos = 0;
  /** Wall-clock time before 1970 here: formatted the general way. */
  private baseNegative = false;
  private cachedSecond = Number.NaN;
  /** 'YYYY-MM-DDTHH:MM:SS' of cachedSecond. */
  private cachedPrefix = '';
  private cachedMs = -1;
  /** cachedPrefix + '.mmm' of cachedMs. */
  private msPrefix = '';

  time(tsNs: bigint): string {
    return this.timeAt(lo32(tsNs), hi32(tsNs));
  }

  /** The time of a boot-clock ns value given as its 32-bit halves. */
  timeAt(lo: number, hi: number): string {
    if (hi !== this.baseHi) {
      const t = (BigInt(hi) << 32n) + this.offsetNs;
      this.baseHi = hi;
      this.baseNegative = t < 0n;
      this.baseSec = Number(t / 1_000_000_000n);
      this.baseNanos = Number(t % 1_000_000_000n);
    }
    if (this.baseNegative) return this.timeOf((BigInt(hi) << 32n) + BigInt(lo) + this.offsetNs);
    let seconds = this.baseSec;
    let nanos = this.baseNanos + lo; // < 1e9 + 2^32: exact
    if (nanos >= 1_000_000_000) {
      const carry = Math.floor(nanos / 1_000_000_000);
      seconds += carry;
      nanos -= carry * 1_000_000_000;
    }
    // Thousands of flows share a second, dozens a millisecond: the text up to the
    // milliseconds is made once, and protoFraction's 0/3/6/9 digits rule applied
    // to the rest.
    const ms = Math.floor(nanos / 1_000_000);
    if (seconds !== this.cachedSecond) {
      this.cachedSecond = seconds;
      this.cachedPrefix = formatProtoTimestamp({ seconds, nanos: 0 }).slice(0, -1);
      this.cachedMs = -1;
    }
    if (ms !== this.cachedMs) {
      this.cachedMs = ms;
      this.msPrefix = this.cachedPrefix + '.' + threeDigits(ms);
    }
    const rest = nanos - ms * 1_000_000;
    if (rest === 0) return nanos === 0 ? this.cachedPrefix + 'Z' : this.msPrefix + 'Z';
    const us = Math.floor(rest / 1000);
    const ns = rest - us * 1000;
    return ns === 0 ? this.msPrefix + DIGITS3_Z[us]! : this.msPrefix + threeDigits(us) + DIGITS3_Z[ns]!;
  }

  /**
   * timeAt's instant as seconds and nanos, into out (for a binary encoder: no text).
   * False where timeAt's text is not a plain UTC one of the years 1970-9999 (the
   * caller then parses the text, as for any flow).
   */
  timestampAt(lo: number, hi: number, out: { seconds: number; nanos: number }): boolean {
    if (hi !== this.baseHi) this.timeAt(lo, hi);
    if (this.baseNegative) return false;
    let seconds = this.baseSec;
    let nanos = this.baseNanos + lo;
    if (nanos >= 1_000_000_000) {
      const carry = Math.floor(nanos / 1_000_000_000);
      seconds += carry;
      nanos -= carry * 1_000_000_000;
    }
    if (seconds >= MAX_SECONDS) return false;
    out.seconds = seconds;
    out.nanos = nanos;
    return true;
  }

  /** `t` is wall-clock ns since the epoch. */
  private timeOf(t: bigint): string {
    const seconds = Number(t / 1_000_000_000n);
    const nanos = Number(t % 1_000_000_000n);
    if (seconds !== this.cachedSecond) {
      this.cachedSecond = seconds;
      this.cachedPrefix = formatProtoTimestamp({ seconds, nanos: 0 }).slice(0, -1);
      this.cachedMs = -1;
    }
    return this.cachedPrefix + protoFraction(nanos) + 'Z';
  }

  setOffset(offsetNs: bigint): void {
    this.offsetNs = offsetNs;
    this.baseHi = -1;
  }
}

/** 10000-01-01T00:00:00Z: the first second RFC 3339 cannot write. */
const MAX_SECONDS = 253_402_300_800;

/** '000Z'..'999Z': the last group of a time's fraction. */
const DIGITS3_Z = Array.from({ length: 1000 }, (_, i) => threeDigits(i) + 'Z');

export function lo32(x: bigint): number {
  return Number(x & 0xffff_ffffn);
}

export function hi32(x: bigint): number {
  return Number(x >> 32n);
}

/** a - b for two u64 ns values given as 32-bit halves, as Number(a - b) would give it. */
export function nsBetween(aLo: number, aHi: number, bLo: number, bHi: number): number {
  const dh = aHi - bHi;
  // Exact while |a - b| < 2^52; beyond that let BigInt round it the same way.
  if (dh > -0x10_0000 && dh < 0x10_0000) return dh * 0x1_0000_0000 + (aLo - bLo);
  return Number(((BigInt(aHi) << 32n) + BigInt(aLo)) - ((BigInt(bHi) << 32n) + BigInt(bLo)));
}
