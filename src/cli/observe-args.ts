// `netscope observe` flags -> a plain config value. Pure (argv and a clock in), so the
// flag rules are tested without running anything. Errors are CliErrors (exit 2).
import { FilterBuilder, FilterError, isFilterFlag } from '../filter/index.ts';
import type { FilterSet } from '../filter/index.ts';
import type { Timestamp } from '../codec/timestamp.ts';
import { COLOR_MODES, type ColorMode } from '../printer/colors.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../printer/printer.ts';
import { TIME_FORMAT_NAMES, timeFormatByName, type TimeFormatName } from '../printer/time-format.ts';
import { parseTimeBound } from './durations.ts';
import { CliError } from './exit-codes.ts';
import { boolFlag, flagValue, intValue, matchFlag } from './flag-values.ts';
import { consumeSourceFlag, emptySourceFlags, type SourceFlags } from './source-flags.ts';

/** Like hubble, --last keeps at most this many flows in memory. */
export const MAX_LAST = 1_000_000;
/** `hubble observe` without --follow, --last or --all prints this many (demo source). */
export const DEFAULT_LAST = 20;

export interface ObserveConfig {
  help: boolean;
  source: SourceFlags;
  follow: boolean;
  first?: number;
  last?: number;
  all: boolean;
  since?: Timestamp;
  until?: Timestamp;
  output: OutputFormat;
  timeFormat: TimeFormatName;
  color: ColorMode;
  nodeName: boolean;
  numeric: boolean;
  printRawFilters: boolean;
  filters: FilterSet;
}

export function parseObserveArgs(argv: readonly string[], nowMs: number): ObserveConfig {
  const cfg: ObserveConfig = {
    help: false,
    source: emptySourceFlags(),
    follow: false,
    all: false,
    output: 'compact',
    timeFormat: 'StampMilli',
    color: 'auto',
    nodeName: false,
    numeric: false,
    printRawFilters: false,
    filters: { allow: [], deny: [] },
  };
  const fb = new FilterBuilder();
  let i = 0;
  try {
    while (i < argv.length) {
      const arg = argv[i]!;
      if (arg === '-h' || arg === '--help') {
        cfg.help = true;
        return cfg;
      }
      if (isFilterFlag(arg)) {
        i = fb.consume(argv, i);
        continue;
      }
      const next = consumeSourceFlag(argv, i, cfg.source);
      if (next !== undefined) {
        i = next;
        continue;
      }
      i = consumeOwnFlag(argv, i, cfg, nowMs);
    }
    cfg.filters = fb.build();
  } catch (err) {
    if (err instanceof FilterError) throw new CliError(err.message);
    throw err;
  }
  validate(cfg);
  return cfg;
}

function consumeOwnFlag(argv: readonly string[], i: number, cfg: ObserveConfig, nowMs: number): number {
  const arg = argv[i]!;
  let hit;
  if ((hit = matchFlag(arg, ['-f', '--follow']))) {
    cfg.follow = boolFlag(hit);
    return i + 1;
  }
  if ((hit = matchFlag(arg, ['--all']))) {
    cfg.all = boolFlag(hit);
    return i + 1;
  }
  if ((hit = matchFlag(arg, ['--print-node-name']))) {
    cfg.nodeName = boolFlag(hit);
    return i + 1;
  }
  if ((hit = matchFlag(arg, ['--numeric']))) {
    cfg.numeric = boolFlag(hit);
    return i + 1;
  }
  if ((hit = matchFlag(arg, ['--print-raw-filters']))) {
    cfg.printRawFilters = boolFlag(hit);
    return i + 1;
  }
  if ((hit = matchFlag(arg, ['--last', '--first']))) {
    const [v, next] = flagValue(argv, i, hit);
    const n = intValue(hit.flag, v, 1, hit.flag === '--last' ? MAX_LAST : Number.MAX_SAFE_INTEGER);
    if (hit.flag === '--last') cfg.last = n;
    else cfg.first = n;
    return next;
  }
  if ((hit = matchFlag(arg, ['--since', '--until']))) {
    const [v, next] = flagValue(argv, i, hit);
    const t = parseTimeBound(v, nowMs);
    if (t === undefined) {
      throw new CliError(`invalid argument "${v}" for "${hit.flag}" flag: want a duration (5m, 1h30m) or an RFC 3339 time`);
    }
    if (hit.flag === '--since') cfg.since = t;
    else cfg.until = t;
    return next;
  }
  if ((hit = matchFlag(arg, ['-o', '--output']))) {
    const [v, next] = flagValue(argv, i, hit);
    const format = v === 'JSON' ? 'json' : v;
    if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
      throw new CliError(`invalid output format: ${v} (want compact, dict, table, json or jsonpb)`);
    }
    cfg.output = format as OutputFormat;
    return next;
  }
  if ((hit = matchFlag(arg, ['--time-format']))) {
    const [v, next] = flagValue(argv, i, hit);
    const name = timeFormatByName(v);
    if (name === undefined) {
      throw new CliError(`invalid argument "${v}" for "--time-format" flag: want one of ${TIME_FORMAT_NAMES.join(', ')}`);
    }
    cfg.timeFormat = name;
    return next;
  }
  if ((hit = matchFlag(arg, ['--color']))) {
    const [v, next] = flagValue(argv, i, hit);
    const mode = v.toLowerCase();
    if (!(COLOR_MODES as readonly string[]).includes(mode)) {
      throw new CliError(`invalid argument "${v}" for "--color" flag: want auto, always or never`);
    }
    cfg.color = mode as ColorMode;
    return next;
  }
  if (arg.startsWith('--')) throw new CliError(`unknown flag: ${arg.split('=')[0]}`);
  if (arg.startsWith('-') && arg.length > 1) throw new CliError(`unknown shorthand flag: '${arg[1]}' in ${arg}`);
  throw new CliError(`unexpected argument "${arg}" (observe takes only flags; see netscope observe --help)`);
}

// The same combinations hubble refuses.
function validate(cfg: ObserveConfig): void {
  const first = cfg.first !== undefined;
  const last = cfg.last !== undefined;
  if (first && last) throw new CliError('cannot set both --first and --last');
  if (first && cfg.all) throw new CliError('cannot set both --first and --all');
  if (first && cfg.follow) throw new CliError('cannot set both --first and --follow');
  if (last && cfg.all) throw new CliError('cannot set both --last and --all');
  if ((cfg.output === 'table' || cfg.output === 'tab') && cfg.follow) {
    throw new CliError('table output format is not compatible with follow mode');
  }
}
