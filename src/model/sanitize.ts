// Text from the cluster or the wire is data, never terminal commands: C0/C1 control
// characters (ESC, CSI, BEL, backspace, CR...) and DEL are shown as visible escapes
// so a hostile pod name or HTTP path cannot move the cursor or retitle the window.
// Only what is printed is changed; stored values stay as received.

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_GLOBAL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code === 0x0a) return '\\n';
  if (code === 0x0d) return '\\r';
  if (code === 0x09) return '\\t';
  if (code === 0x1b) return '\\e';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Returns `s` with every control / bidi-override character replaced by a visible escape. */
export function sanitize(s: string): string {
  // Fast path: almost every string is clean, and this runs once per printed field.
  if (!UNSAFE.test(s)) return s;
  return s.replace(UNSAFE_GLOBAL, escapeChar);
}
