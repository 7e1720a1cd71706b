// `netscope help config`: the config file, as a user writes it.
import { SKIN_ROLES } from './skin.ts';

export function configHelp(file: string): string {
  return [
    `The config file: ${file}`,
    '($XDG_CONFIG_HOME/netscope/config.yaml, else ~/.config/netscope/config.yaml). Every',
    'setting is optional; flags win over it. A problem in it (a YAML typo, an unknown key,',
    'a bad value) is one line naming file:line:col, and that setting keeps its default:',
    'netscope still starts.',
    '',
    '  refreshRate: 10          # TUI redraws per second at most (--refresh), 1-60',
    '  bufferSize: 100000       # flows the TUI keeps (--buffer-size)',
    '  skin: night              # colours from skins/night.yaml beside this file',
    '  keys:                    # an action and its key(s); replaces its default keys',
    '    quit: Q',
    '    filter: [/, f]',
    '  aliases:                 # named filters: @drops in the / bar, --alias drops on the command line',
    '    drops: --verdict DROPPED',
    '    shop: --namespace shop --not --label app=loadgenerator',
    '',
    `A skin names a colour per role (${SKIN_ROLES.join(', ')}): black, red, green, yellow,`,
    'blue, magenta, cyan, white, gray, light-NAME or #rrggbb, e.g.',
    '',
    '  bad: light-red',
    '  accent: "#5fafff"',
    '',
    'NO_COLOR still turns colour off. Key names are blessed\'s: a, S-a (Shift), C-a (Ctrl),',
    'enter, escape, tab, space, up, pagedown... Actions are those in the ? help of each',
    'pane; an unknown action is reported with the list of known ones.',
    '',
  ].join('\n');
}
