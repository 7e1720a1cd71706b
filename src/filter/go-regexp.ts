// Hubble's regex flags (--http-path, --http-url, --dns-query) take Go RE2 syntax.
// JavaScript's RegExp agrees on the common part; this translates the bits users
// paste from hubble habits that JS would otherwise read differently or reject:
// a leading `(?i)`/`(?s)`/`(?m)` flag group, `\A` and `\z` anchors.

/** Compiles a Go-style regex as a JavaScript RegExp; throws Error with the reason. */
export function goRegExp(source: string): RegExp {
  let flags = '';
  const lead = /^\(\?([ims]+)\)/.exec(source);
  if (lead) {
    for (const f of new Set(lead[1]!)) flags += f;
    source = source.slice(lead[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\' && i + 1 < source.length) {
      const n = source[i + 1]!;
      if (!inClass && n === 'A') out += '^';
      else if (!inClass && n === 'z') out += '$';
      else out += c + n;
      i++;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += c;
  }
  try {
    return new RegExp(out, flags);
  } catch (err) {
    throw new Error((err as Error).message.replace(/^Invalid regular expression: /, ''));
  }
}
