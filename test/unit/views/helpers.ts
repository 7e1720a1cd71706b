import { makeTheme } from '../../../src/views/theme.ts';
import { stripTags } from '../../../src/views/text.ts';

export const mono = makeTheme({ color: false, unicode: true });
export const color = makeTheme({ color: true, unicode: true });
export const plain = (lines: string[]) => lines.map(stripTags);
