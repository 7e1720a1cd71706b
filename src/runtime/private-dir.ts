// One private scratch directory per process for files the single binary has to put on disk
// (the eBPF loader must be exec'd from a real path; libbpf and blessed read real files).
// Created lazily with mkdtemp (0700, unpredictable name) and removed when the process ends.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: string | undefined;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function removeDir(): void {
  if (dir === undefined) return;
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // Best effort: nothing useful can be done at exit; the OS cleans tmp eventually.
  }
  dir = undefined;
}

function onSignal(signal: NodeJS.Signals): void {
  removeDir();
  // Only this listener: re-raise so the default action (terminate with the signal) still
  // happens. With other listeners the program handles the signal and ends via 'exit'.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/**
 * The process's private directory (created on first call). TMPDIR chooses where it lives,
 * e.g. when /tmp is mounted noexec.
 */
export function privateDir(): string {
  if (dir !== undefined) return dir;
  const created = mkdtempSync(join(tmpdir(), 'netscope-'));
  chmodSync(created, 0o700);
  dir = created;
  process.once('exit', removeDir);
  for (const s of SIGNALS) process.once(s, onSignal);
  return created;
}

/** Removes the directory now (tests, or a command that knows it is done with it). */
export function removePrivateDir(): void {
  process.removeListener('exit', removeDir);
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  removeDir();
}
