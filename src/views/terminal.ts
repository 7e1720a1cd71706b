// Choosing a terminfo entry blessed can use. blessed 0.1.81 reads only the legacy
// terminfo format: ncurses 6.1+ compiles xterm-256color, screen-256color and
// tmux-256color in the 32-bit format, some capabilities (screen's plab_norm, newer
// Setulc strings) fail to compile and are printed to stderr, and a failure can end in
// an exception. So we try the entry off-screen first, with its complaints captured;
// when anything goes wrong we use an entry that is known to work (blessed's own
// xterm-256color / xterm data, or the system xterm), keeping 256 colours when the
// terminal name says it has them. Every candidate is xterm-compatible for what the TUI
// uses (cursor moves, colours, alternate screen), which tmux and screen both are.
import blessed from 'blessed';

export interface TerminalChoice {
  /** Terminal name to give blessed. */
  terminal: string;
  /** Colours the chosen entry declares. */
  colors: number;
  /** Why we did not use $TERM as is, for --debug style messages; undefined when we did. */
  fallbackReason?: string;
}

interface Probe {
  ok: boolean;
  colors: number;
  reason?: string;
}

/** Builds a blessed Tput for `term` with console.error silenced; reports whether it was clean. */
export function probeTerminal(term: string): Probe {
  const saved = console.error;
  const complaints: string[] = [];
  console.error = (...args: unknown[]) => {
    complaints.push(args.map(String).join(' '));
  };
  try {
    // @types/blessed lacks Tput's constructor options; it takes {terminal, extended}.
    const TputCtor = (blessed as unknown as { Tput: new (o: { terminal: string; extended: boolean }) => { error: Error | null; numbers: Record<string, number>; strings: Record<string, unknown> } }).Tput;
    const tput = new TputCtor({ terminal: term, extended: true });
    const colors = tput.numbers.max_colors ?? 0; // no `colors` capability: monochrome
    const usable = typeof tput.strings.cursor_address === 'string' || typeof tput.strings.cursor_address === 'function';
    if (tput.error) return { ok: false, colors, reason: `${term}: ${tput.error.message}` };
    if (complaints.length > 0) return { ok: false, colors, reason: `${term}: ${complaints.find((c) => c.startsWith('Error on')) ?? 'terminfo compile error'}` };
    if (!usable) return { ok: false, colors, reason: `${term}: no cursor addressing` };
    return { ok: true, colors };
  } catch (err) {
    return { ok: false, colors: 0, reason: `${term}: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    console.error = saved;
  }
}

/** Decides which terminal entry to use for `$TERM` (pure apart from reading terminfo). */
export function chooseTerminal(term: string | undefined, probe: (t: string) => Probe = probeTerminal): TerminalChoice {
  const wanted = (term ?? '').trim() || 'xterm';
  if (wanted === 'dumb') return { terminal: 'xterm', colors: 0, fallbackReason: 'TERM=dumb: using xterm without colours' };
  const first = probe(wanted);
  if (first.ok) return { terminal: wanted, colors: first.colors };
  // "parse error" means blessed could not read the system entry and used its bundled copy
  // of the same name (it ships xterm and xterm-256color), silently: that is fine.
  if (first.reason?.endsWith('parse error.') && first.colors > 0) return { terminal: wanted, colors: first.colors, fallbackReason: first.reason };
  const wants256 = /256|direct|truecolor/.test(wanted) || /truecolor|24bit/.test(process.env.COLORTERM ?? '');
  const mono = /mono|-m$|vt100|vt220/.test(wanted);
  const candidates = wants256 ? ['xterm-256color', 'xterm'] : ['xterm'];
  for (const c of candidates) {
    if (c === wanted) continue;
    const p = probe(c);
    // blessed falls back to its bundled xterm-256color silently (tput.error set, no
    // console output), which is exactly the data we want: accept a clean internal fallback.
    if (p.ok || (p.reason?.endsWith('parse error.') && p.colors > 0)) {
      return { terminal: c, colors: mono ? 0 : p.colors, fallbackReason: first.reason };
    }
  }
  return { terminal: 'xterm', colors: mono ? 0 : 8, fallbackReason: first.reason };
}
