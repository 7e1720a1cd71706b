// Hubble's colour scheme (fatih/color SGR codes): hosts cyan, ports yellow,
// identities magenta, verdicts green/red/yellow. A disabled colorer returns text as is.

export type ColorMode = 'auto' | 'always' | 'never';
export const COLOR_MODES: readonly ColorMode[] = ['auto', 'always', 'never'];

const RESET = '\u001b[0m';
const SGR = {
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  blue: '\u001b[34m',
  magenta: '\u001b[35m',
  cyan: '\u001b[36m',
} as const;

export class Colorer {
  readonly enabled: boolean;
  constructor(enabled: boolean) {
    this.enabled = enabled;
  }
  private paint(code: string, s: string): string {
    return this.enabled ? code + s + RESET : s;
  }
  host(s: string): string {
    return this.paint(SGR.cyan, s);
  }
  port(s: string): string {
    return this.paint(SGR.yellow, s);
  }
  identity(s: string): string {
    return this.paint(SGR.magenta, s);
  }
  verdictForwarded(s: string): string {
    return this.paint(SGR.green, s);
  }
  verdictDropped(s: string): string {
    return this.paint(SGR.red, s);
  }
  /** AUDIT, TRACED and TRANSLATED. */
  verdictOther(s: string): string {
    return this.paint(SGR.yellow, s);
  }
  authFailed(s: string): string {
    return this.paint(SGR.red, s);
  }
  authEnabled(s: string): string {
    return this.paint(SGR.green, s);
  }
}

/**
 * Whether to colour: `always`/`never` are explicit; `auto` colours only a terminal and
 * honours NO_COLOR (any non-empty value) and TERM=dumb.
 */
export function shouldColor(mode: ColorMode, isTTY: boolean, env: Record<string, string | undefined>): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}
