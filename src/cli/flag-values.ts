// Small helpers for hand-rolled argv loops: `--flag value` and `--flag=value`, with
// pflag's wording for errors so messages read like hubble's.
import { CliError } from './exit-codes.ts';

export interface FlagHit {
  /** The flag as written, without any `=value`. */
  flag: string;
  /** Inline value from `--flag=value`, if any. */
  inline?: string;
}

/** Splits `--name=value`; returns undefined when argv[i] is not one of `names`. */
export function matchFlag(arg: string, names: readonly string[]): FlagHit | undefined {
  const eq = arg.indexOf('=');
  const flag = eq < 0 ? arg : arg.slice(0, eq);
  if (!names.includes(flag)) return undefined;
  return eq < 0 ? { flag } : { flag, inline: arg.slice(eq + 1) };
}

/** The value of a flag that takes one, and the index after it. */
export function flagValue(argv: readonly string[], i: number, hit: FlagHit): [string, number] {
  if (hit.inline !== undefined) return [hit.inline, i + 1];
  const v = argv[i + 1];
  if (v === undefined) throw new CliError(`flag needs an argument: ${hit.flag}`);
  return [v, i + 2];
}

/** A boolean flag: `--flag`, `--flag=true`, `--flag=false`. */
export function boolFlag(hit: FlagHit): boolean {
  if (hit.inline === undefined) return true;
  if (/^(true|1|t)$/i.test(hit.inline)) return true;
  if (/^(false|0|f)$/i.test(hit.inline)) return false;
  throw new CliError(`invalid argument "${hit.inline}" for "${hit.flag}" flag: want true or false`);
}

/** A non-negative integer value. */
export function intValue(flag: string, v: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new CliError(`invalid argument "${v}" for "${flag}" flag: want an integer from ${min} to ${max}`);
  }
  return Number(v);
}

/** A positive number (may have a fraction). */
export function positiveNumber(flag: string, v: string, max: number): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) {
    throw new CliError(`invalid argument "${v}" for "${flag}" flag: want a number above 0 and at most ${max}`);
  }
  return n;
}
