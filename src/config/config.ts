// netscope's config file, k9s-style: $XDG_CONFIG_HOME/netscope/config.yaml (else
// ~/.config/netscope/config.yaml). Pure: text in, settings and one-line problems out.
// A problem never stops netscope: the setting it concerns keeps its default and the
// line names the file, line and column.
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { yamlPosition, yamlSyntaxError } from '../model/yaml-errors.ts';
import { FilterError, parseFilterArgs, tokenize } from '../filter/index.ts';

export interface KeyRemap {
  /** The action (a name from the TUI's keymap, checked by the views). */
  action: string;
  keys: string[];
  /** FILE:LINE:COL of the entry, for errors found later. */
  at: string;
}

export interface Config {
  /** Screen redraws per second at most (--refresh). */
  refreshRate?: number;
  /** Flows kept for scrolling and re-filtering (--buffer-size). */
  bufferSize?: number;
  /** Skin name: skins/NAME.yaml next to the config file. */
  skin?: string;
  keys: KeyRemap[];
  /** Named filters: `@name` in the filter bar, `--alias name` for observe. */
  aliases: Record<string, string>;
}

export interface Loaded<T> {
  value: T;
  /** One line each: FILE:LINE:COL: what is wrong. */
  problems: string[];
}

export const emptyConfig = (): Config => ({ keys: [], aliases: {} });

const KEYS = ['refreshRate', 'bufferSize', 'skin', 'keys', 'aliases'] as const;
const ALIAS_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** A YAML mapping's pairs with their keys as strings (non-string keys are reported). */
export function mappingPairs(node: unknown, where: (n: Node | undefined) => string, what: string, problems: string[]): [string, Pair<unknown, unknown>][] {
  if (!isMap(node)) {
    problems.push(`${where(node as Node | undefined)}: ${what} must be a mapping`);
    return [];
  }
  const out: [string, Pair<unknown, unknown>][] = [];
  for (const pair of node.items) {
    const k = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof k !== 'string') {
      problems.push(`${where(pair.key as Node)}: ${what}: keys must be names`);
      continue;
    }
    out.push([k, pair]);
  }
  return out;
}

/** Why an alias's flags are not a filter, or undefined when they are one. */
function filterProblem(flags: string): string | undefined {
  try {
    parseFilterArgs(tokenize(flags));
    return undefined;
  } catch (err) {
    if (err instanceof FilterError) return err.message;
    throw err;
  }
}

export function parseConfig(text: string, file: string): Loaded<Config> {
  const config = emptyConfig();
  const problems: string[] = [];
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const syntax = yamlSyntaxError(file, doc);
  if (syntax) return { value: config, problems: [syntax] };
  const where = (n: Node | undefined): string => yamlPosition(file, lines, n?.range?.[0]);
  if (doc.contents === null) return { value: config, problems }; // an empty file is fine
  for (const [key, pair] of mappingPairs(doc.contents, where, 'the config', problems)) {
    const v = pair.value as Node | undefined;
    const at = where(pair.key as Node);
    const scalar = isScalar(v) ? v.value : undefined;
    switch (key as (typeof KEYS)[number]) {
      case 'refreshRate':
        if (typeof scalar === 'number' && scalar >= 1 && scalar <= 60) config.refreshRate = scalar;
        else problems.push(`${where(v)}: refreshRate must be a number from 1 to 60 (redraws per second)`);
        break;
      case 'bufferSize':
        if (typeof scalar === 'number' && Number.isInteger(scalar) && scalar >= 100 && scalar <= 10_000_000) config.bufferSize = scalar;
        else problems.push(`${where(v)}: bufferSize must be an integer from 100 to 10000000 (flows)`);
        break;
      case 'skin':
        if (typeof scalar === 'string' && /^[A-Za-z0-9_.-]+$/.test(scalar) && !scalar.startsWith('.')) config.skin = scalar;
        else problems.push(`${where(v)}: skin must be a name (skins/NAME.yaml beside the config)`);
        break;
      case 'keys':
        for (const [action, p] of mappingPairs(v, where, 'keys', problems)) {
          const kv = p.value as Node | undefined;
          const list = isScalar(kv) ? [kv.value] : isSeq(kv) ? kv.items.map((i) => (isScalar(i) ? i.value : undefined)) : [undefined];
          if (list.length === 0 || list.some((k) => typeof k !== 'string' || k === '')) {
            problems.push(`${where(kv)}: keys.${action}: want a key name or a list of them (e.g. q, C-c, S-tab)`);
            continue;
          }
          config.keys.push({ action, keys: list as string[], at: where(p.key as Node) });
        }
        break;
      case 'aliases':
        for (const [name, p] of mappingPairs(v, where, 'aliases', problems)) {
          const av = p.value as Node | undefined;
          if (!ALIAS_NAME.test(name)) problems.push(`${where(p.key as Node)}: aliases: "${name}" is not a name (letters, digits, - and _)`);
          else if (!isScalar(av) || typeof av.value !== 'string') problems.push(`${where(av)}: aliases.${name}: want filter flags as one string, e.g. "--verdict DROPPED"`);
          else {
            const bad = filterProblem(av.value);
            if (bad) problems.push(`${where(av)}: aliases.${name}: ${bad}`);
            else config.aliases[name] = av.value;
          }
        }
        break;
      default:
        problems.push(`${at}: unknown setting "${key}" (known: ${KEYS.join(', ')})`);
    }
  }
  return { value: config, problems };
}
