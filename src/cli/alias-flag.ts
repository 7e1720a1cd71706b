// `--alias NAME`: the flags of a named filter from the config file, for the TUI and
// `observe` alike (the filter bar spells it @NAME).
import { FilterError, expandAliases, type Aliases } from '../filter/index.ts';
import { CliError } from './exit-codes.ts';

export function aliasFlags(flag: string, name: string, aliases: Aliases): string[] {
  if (name === '') throw new CliError(`flag ${flag} needs an alias name`);
  try {
    return expandAliases([`@${name.replace(/^@/, '')}`], aliases);
  } catch (err) {
    if (err instanceof FilterError) throw new CliError(err.message);
    throw err;
  }
}

/** argv with each `--alias NAME` (or `--alias=NAME`) replaced by that alias's flags. */
export function expandAliasArgs(argv: readonly string[], aliases: Aliases): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--alias') {
      if (i + 1 >= argv.length) throw new CliError('flag --alias needs an alias name');
      out.push(...aliasFlags(a, argv[++i]!, aliases));
    } else if (a.startsWith('--alias=')) {
      out.push(...aliasFlags('--alias', a.slice('--alias='.length), aliases));
    } else {
      out.push(a);
    }
  }
  return out;
}
