// Splits a TCP_CRR client's timeline (bench/bpf-crr.c, CRR_TIMELINE) into the windows
// a bench had the collector attached and detached, and compares neighbouring windows.
// Pure: the bench does the I/O.

export interface Window {
  /** CLOCK_MONOTONIC ns, as process.hrtime.bigint() reads it. */
  from: bigint;
  to: bigint;
}

export interface WindowStats {
  seconds: number;
  tps: number;
  p50_us: number;
  p95_us: number;
  p99_us: number;
}

/** Transactions (end us after the client's start, latency us) as pairs of u32s. */
export function windowStats(pairs: Uint32Array, startNs: bigint, windows: Window[]): WindowStats[] {
  const lats: number[][] = windows.map(() => []);
  // Window bounds in us after the client's start, for a scan per transaction.
  const bounds = windows.map((w) => [Number((w.from - startNs) / 1000n), Number((w.to - startNs) / 1000n)] as const);
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const end = pairs[i]!;
    for (let k = 0; k < bounds.length; k++) {
      if (end >= bounds[k]![0] && end < bounds[k]![1]) {
        lats[k]!.push(pairs[i + 1]!);
        break;
      }
    }
  }
  return windows.map((w, k) => {
    const l = lats[k]!.sort((a, b) => a - b);
    const pct = (p: number): number => (l.length ? l[Math.floor((l.length - 1) * p)]! : 0);
    const seconds = Number(w.to - w.from) / 1e9;
    return { seconds, tps: l.length / seconds, p50_us: pct(0.5), p95_us: pct(0.95), p99_us: pct(0.99) };
  });
}

/**
 * Each window with the collector attached against the mean of the detached windows
 * just before and after it (off[i], off[i + 1]): the change in %, per attached window.
 */
export function neighbourRatios(on: WindowStats[], off: WindowStats[], key: 'tps' | 'p95_us' | 'p50_us'): number[] {
  const out: number[] = [];
  for (let i = 0; i < on.length; i++) {
    const around = [off[i], off[i + 1]].filter((w): w is WindowStats => w !== undefined && w[key] > 0);
    if (around.length === 0 || on[i]![key] <= 0) continue;
    const base = around.reduce((s, w) => s + w[key], 0) / around.length;
    out.push((on[i]![key] / base - 1) * 100);
  }
  return out;
}
