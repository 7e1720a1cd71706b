// Shell-like splitting of the TUI filter bar's text into argv words: blanks
// separate words; '...' is literal; "..." allows \" and \\; a backslash outside
// quotes escapes the next character.
import { FilterError } from './errors.ts';

export function tokenize(line: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new FilterError(`unclosed ' quote starting at column ${i + 1}`);
      word += line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= n) throw new FilterError(`unclosed " quote starting at column ${i + 1}`);
        const d = line[j]!;
        if (d === '"') break;
        if (d === '\\' && j + 1 < n && (line[j + 1] === '"' || line[j + 1] === '\\')) {
          word += line[j + 1];
          j += 2;
        } else {
          word += d;
          j++;
        }
      }
      i = j + 1;
    } else if (c === '\\' && i + 1 < n) {
      word += line[i + 1];
      i += 2;
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) out.push(word);
  return out;
}

/** Quotes one argv word for display so that tokenize() (and a POSIX shell) reads it back unchanged. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[-A-Za-z0-9_.,:/=+@%^]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
