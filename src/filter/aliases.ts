// Named filters from the config file: `@drops` in the filter bar (or an `observe`
// argument list) stands for the flags the config gives it, e.g. "--verdict DROPPED".
// Expanded before parsing, so an alias means exactly what its flags mean.
import { FilterError, quote } from './errors.ts';
import { tokenize } from './tokenize.ts';

export type Aliases = Readonly<Record<string, string>>;

/** Replaces each `@name` word by the alias's words; an unknown name is a FilterError. */
export function expandAliases(words: readonly string[], aliases: Aliases): string[] {
  const out: string[] = [];
  for (const w of words) {
    if (!w.startsWith('@') || w.length === 1) {
      out.push(w);
      continue;
    }
    const name = w.slice(1);
    if (!Object.hasOwn(aliases, name)) {
      const known = Object.keys(aliases);
      throw new FilterError(`unknown filter alias ${quote(w)} (${known.length ? `config aliases: ${known.map((k) => `@${k}`).join(', ')}` : 'no aliases in the config file'})`);
    }
    // Aliases do not nest: an alias's words are flags, taken as they are.
    out.push(...tokenize(aliases[name]!));
  }
  return out;
}
