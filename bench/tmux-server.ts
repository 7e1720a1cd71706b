// Stopping a bench's private tmux server: kill it, then remove the socket file tmux
// leaves behind (bench/tui-keys.ts and bench/fan-in.ts both run the TUI in one).
import { rmSync } from 'node:fs';

export function killTmuxServer(tmux: (...args: string[]) => string): void {
  let socketPath = '';
  try {
    socketPath = tmux('display-message', '-p', '#{socket_path}').trim();
    tmux('kill-server');
  } catch {
    // gone
  }
  if (socketPath) rmSync(socketPath, { force: true });
}
