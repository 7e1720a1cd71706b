// Where the config file lives and reading it: the effectful edge of src/config.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { emptyConfig, parseConfig, type Config, type Loaded } from './config.ts';
import { parseSkin, type Skin } from './skin.ts';

/** $XDG_CONFIG_HOME/netscope, else ~/.config/netscope (the XDG default). */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CONFIG_HOME'];
  return join(xdg && xdg.startsWith('/') ? xdg : join(env['HOME'] || homedir(), '.config'), 'netscope');
}

/**
 * The text of a file, undefined if there is none to be seen (missing, or behind a
 * directory this user cannot search: another user's HOME under sudo -u); a file that
 * is there but cannot be read is a problem.
 */
function readIfThere(file: string, problems: string[]): string | undefined {
  try {
    statSync(file);
  } catch {
    return undefined;
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'}); using the defaults`);
    return undefined;
  }
}

export interface Settings {
  file: string;
  config: Config;
  skin: Skin;
  problems: string[];
}

/** The config and its skin; a missing file means defaults, a bad one defaults plus problems. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const dir = configDir(env);
  const file = join(dir, 'config.yaml');
  const problems: string[] = [];
  const text = readIfThere(file, problems);
  const loaded: Loaded<Config> = text === undefined ? { value: emptyConfig(), problems: [] } : parseConfig(text, file);
  problems.push(...loaded.problems);
  let skin: Skin = {};
  if (loaded.value.skin !== undefined) {
    const skinFile = join(dir, 'skins', `${loaded.value.skin}.yaml`);
    const skinText = readIfThere(skinFile, problems);
    if (skinText === undefined) {
      if (!problems.some((p) => p.startsWith(skinFile))) problems.push(`${file}: skin "${loaded.value.skin}": ${skinFile} not found; using the default colours`);
    } else {
      const s = parseSkin(skinText, skinFile);
      skin = s.value;
      problems.push(...s.problems);
    }
  }
  return { file, config: loaded.value, skin, problems };
}
