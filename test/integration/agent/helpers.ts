// Helpers for the agent tests: real `netscope` processes on loopback, with bounded waits.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { join } from 'node:path';
import { within } from '../../wait.ts';

export const BIN = join(import.meta.dirname, '../../../bin/netscope');

/** A loopback port free right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Proc {
  child: ChildProcess;
  stderr(): string;
  stdout(): string;
  /** Waits (bounded) for a line of stderr matching `re`; returns the match. */
  waitErr(what: string, re: RegExp, ms?: number): Promise<RegExpMatchArray>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startNetscope(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  let err = '';
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(child, 'exit');
  return {
    child,
    stderr: () => err,
    stdout: () => out,
    waitErr: async (what, re, ms = 60_000) => {
      const end = Date.now() + ms;
      for (;;) {
        const m = re.exec(err);
        if (m) return m;
        if (child.exitCode !== null) throw new Error(`${what}: netscope ${args.join(' ')} exited with ${child.exitCode} first; stderr: ${err}`);
        if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}; stderr: ${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await within(`netscope ${args[0]} to exit after ${signal}`, 15_000, exited)) as [number | null];
      return code;
    },
  };
}
