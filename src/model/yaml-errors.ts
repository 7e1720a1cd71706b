// One line for a YAML syntax error, position first: "FILE:LINE:COL: invalid YAML: WHAT".
// The parser's own message ends with " at line L, column C:" ahead of a code frame.
import type { Document, LineCounter } from 'yaml';

export function yamlSyntaxError(what: string, doc: Document.Parsed): string | undefined {
  const e = doc.errors[0];
  if (!e) return undefined;
  const pos = e.linePos?.[0];
  const reason = e.message.split('\n')[0]!.trim().replace(/ at line \d+, column \d+:?$/, '');
  return `${what}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${reason}`;
}

/** "FILE:LINE:COL" of an offset in the text, for errors about a value. */
export function yamlPosition(file: string, lines: LineCounter, offset: number | undefined): string {
  if (offset === undefined) return file;
  const { line, col } = lines.linePos(offset);
  return `${file}:${line}:${col}`;
}
