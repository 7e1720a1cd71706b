// Drives the real program in a private tmux server (its own -L socket per session), so
// e2e tests see exactly what a user's terminal would show. Always close() in finally.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PROMPT = 'E2E-PROMPT$';

export interface SessionOptions {
  width: number;
  height: number;
  /** TERM inside the pane (what netscope sees). */
  term: string;
  env?: Record<string, string>;
}

export class TmuxSession {
  readonly socket: string;
  constructor(opts: SessionOptions) {
    this.socket = `netscope-e2e-${process.pid}-${randomBytes(4).toString('hex')}`;
    const env = { LANG: 'C.UTF-8', TERM: opts.term, PS1: PROMPT + ' ', ...opts.env };
    const exports = Object.entries(env)
      .map(([k, v]) => `export ${k}='${v}';`)
      .join(' ');
    // A plain shell in the pane; TERM is set inside it so tmux's own TERM does not override it.
    this.tmux('new-session', '-d', '-x', String(opts.width), '-y', String(opts.height), '-c', ROOT, `${exports} exec bash --norc --noprofile`);
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8' } });
  }

  /** Types a shell command line and presses Enter. */
  run(cmd: string): void {
    this.tmux('send-keys', '-l', '--', cmd);
    this.tmux('send-keys', 'Enter');
  }

  /** Sends literal text (no key names). */
  type(text: string): void {
    this.tmux('send-keys', '-l', '--', text);
  }

  /** Sends tmux key names: Enter, Escape, Tab, Up, C-c, ... */
  keys(...names: string[]): void {
    for (const n of names) this.tmux('send-keys', n);
  }

  screen(): string {
    return this.tmux('capture-pane', '-p');
  }

  /** The screen with colour/attribute escapes. */
  screenWithEscapes(): string {
    return this.tmux('capture-pane', '-p', '-e');
  }

  /** Polls the screen until `pred` holds; throws with the last screen after the deadline. */
  async waitFor(pred: (screen: string) => boolean, what: string, deadlineMs = 30_000): Promise<string> {
    const end = Date.now() + deadlineMs;
    let last = '';
    while (Date.now() < end) {
      last = this.screen();
      if (pred(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}; screen was:\n${last}`);
  }

  /**
   * Runs assertions on the screen until they all hold (tmux may show a frame half drawn),
   * or rethrows the last failure, with the screen, after the deadline.
   */
  async expect(check: (screen: string) => void, what: string, deadlineMs = 30_000): Promise<string> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      const screen = this.screen();
      try {
        check(screen);
        return screen;
      } catch (err) {
        if (Date.now() >= end) {
          if (err instanceof Error) err.message = `${what}: ${err.message}\nscreen was:\n${screen}`;
          throw err;
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  close(): void {
    let socketPath = '';
    try {
      socketPath = this.tmux('display-message', '-p', '#{socket_path}').trim();
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    // tmux leaves its socket file behind after kill-server; do not litter /tmp.
    if (socketPath) rmSync(socketPath, { force: true });
  }
}

/** The text inside one pane: between the border line that carries `title` and the pane's bottom border. */
export function paneLines(screen: string, title: string): string[] {
  const lines = screen.split('\n').map((l) => Array.from(l));
  const top = lines.findIndex((l) => l.join('').includes(title));
  if (top < 0) return [];
  const row = lines[top];
  const at = Array.from(row.join('').slice(0, row.join('').indexOf(title))).length;
  const left = row.lastIndexOf('┌', at);
  const right = row.indexOf('┐', at);
  const out: string[] = [];
  for (let i = top + 1; i < lines.length; i++) {
    if (lines[i][left] === '└') break;
    out.push(lines[i].slice(left + 1, right).join(''));
  }
  return out;
}
