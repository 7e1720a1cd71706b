// A skin (k9s's word): the theme's colours by role, from skins/NAME.yaml beside the
// config file. Only colours: what is shown, and how it reads without colour
// (NO_COLOR, monochrome terminals), stays the theme's.
import { LineCounter, isScalar, parseDocument, type Node } from 'yaml';
import { yamlPosition, yamlSyntaxError } from '../model/yaml-errors.ts';
import { mappingPairs, type Loaded } from './config.ts';

export const SKIN_ROLES = ['bad', 'good', 'warn', 'dim', 'accent', 'header'] as const;
export type SkinRole = (typeof SKIN_ROLES)[number];
export type Skin = Partial<Record<SkinRole, string>>;

// blessed's colour names, and #rrggbb (blessed maps it to the terminal's palette).
const NAMES = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white', 'gray', 'grey'];
const COLOR = new RegExp(`^(?:(?:light|bright)-?)?(?:${NAMES.join('|')})$|^#[0-9a-fA-F]{6}$`);

export function parseSkin(text: string, file: string): Loaded<Skin> {
  const skin: Skin = {};
  const problems: string[] = [];
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const syntax = yamlSyntaxError(file, doc);
  if (syntax) return { value: skin, problems: [syntax] };
  if (doc.contents === null) return { value: skin, problems };
  const where = (n: Node | undefined): string => yamlPosition(file, lines, n?.range?.[0]);
  for (const [role, pair] of mappingPairs(doc.contents, where, 'a skin', problems)) {
    const v = pair.value as Node | undefined;
    if (!(SKIN_ROLES as readonly string[]).includes(role)) {
      problems.push(`${where(pair.key as Node)}: unknown skin role "${role}" (known: ${SKIN_ROLES.join(', ')})`);
    } else if (!isScalar(v) || typeof v.value !== 'string' || !COLOR.test(v.value)) {
      problems.push(`${where(v)}: ${role}: want a colour name (${NAMES.slice(0, 8).join(', ')}, light-NAME) or #rrggbb`);
    } else {
      skin[role as SkinRole] = v.value;
    }
  }
  return { value: skin, problems };
}
