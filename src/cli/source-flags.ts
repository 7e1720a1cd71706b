// Where flows come from, as flags shared by commands that read flows: --demo (with
// --seed, --rate) or --input-file. Produces the SourceOptions that openSource() takes.
import { CliError } from './exit-codes.ts';
import { flagValue, intValue, matchFlag, positiveNumber } from './flag-values.ts';
import type { SourceOptions } from '../sources/open.ts';

export interface SourceFlags {
  demo: boolean;
  seed?: number;
  rate?: number;
  inputFile?: string;
}

export function emptySourceFlags(): SourceFlags {
  return { demo: false };
}

/** Consumes argv[i] if it is a source flag; returns the next index, or undefined if it is not one. */
export function consumeSourceFlag(argv: readonly string[], i: number, into: SourceFlags): number | undefined {
  const arg = argv[i]!;
  let hit;
  if ((hit = matchFlag(arg, ['--demo']))) {
    if (hit.inline !== undefined) throw new CliError(`flag does not take a value: --demo`);
    into.demo = true;
    return i + 1;
  }
  if ((hit = matchFlag(arg, ['--seed']))) {
    const [v, next] = flagValue(argv, i, hit);
    into.seed = intValue('--seed', v);
    return next;
  }
  if ((hit = matchFlag(arg, ['--rate']))) {
    const [v, next] = flagValue(argv, i, hit);
    into.rate = positiveNumber('--rate', v, 10_000_000);
    return next;
  }
  if ((hit = matchFlag(arg, ['--input-file']))) {
    const [v, next] = flagValue(argv, i, hit);
    if (v === '') throw new CliError(`invalid argument "" for "--input-file" flag: want a file path or -`);
    into.inputFile = v;
    return next;
  }
  return undefined;
}

export function sourceFlagsHelp(): string {
  return [
    'Source (one of):',
    '      --input-file FILE   read a Hubble JSON export (hubble observe -o json); - reads stdin',
    '      --demo              the embedded demo cluster (Online Boutique, simulated traffic)',
    '      --seed N            demo: seed for the cluster and its traffic (default 1)',
    '      --rate N            demo: flows per second (default 20)',
    '',
  ].join('\n');
}

/** The SourceOptions for these flags; exactly one source must be named. */
export function sourceOptionsFrom(
  flags: SourceFlags,
  extra: { follow: boolean; linePrefilter?: (line: Buffer) => boolean },
): SourceOptions {
  if (flags.demo && flags.inputFile !== undefined) throw new CliError('cannot use --demo and --input-file together');
  if (!flags.demo && (flags.seed !== undefined || flags.rate !== undefined)) {
    throw new CliError(`${flags.seed !== undefined ? '--seed' : '--rate'} only applies to --demo`);
  }
  if (flags.inputFile !== undefined) return { kind: 'file', path: flags.inputFile, linePrefilter: extra.linePrefilter };
  if (flags.demo) return { kind: 'demo', seed: flags.seed, rate: flags.rate, follow: extra.follow };
  throw new CliError('no flow source: use --input-file FILE (or - for stdin) or --demo');
}
