// One private scratch directory per process for files the single binary has to put on disk
// (the eBPF loader must be exec'd from a real path; libbpf and blessed read real files).
// Created lazily with mkdtemp (0700, unpredictable name) and removed when the process ends.
// A process killed with SIGKILL cannot clean up: the next run removes such leftovers, which
// it recognises by their prefix, owner and the dead pid recorded inside.
import { chmodSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'netscope-run-';
const PID_FILE = 'owner.pid';

let dir: string | undefined;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function removeDir(): void {
  if (dir === undefined) return;
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // Best effort: nothing useful can be done at exit; the next run sweeps it.
  }
  dir = undefined;
}

function onSignal(signal: NodeJS.Signals): void {
  removeDir();
  // Only this listener: re-raise so the default action (terminate with the signal) still
  // happens. With other listeners the program handles the signal and ends via 'exit'.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes directories left by netscope processes of this user that no longer exist. */
export function sweepStaleDirs(base = tmpdir()): string[] {
  const removed: string[] = [];
  const uid = process.getuid?.();
  let names: string[];
  try {
    names = readdirSync(base).filter((n) => n.startsWith(PREFIX));
  } catch {
    return removed;
  }
  for (const name of names) {
    const p = join(base, name);
    try {
      const st = lstatSync(p);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
      const pid = Number(readFileSync(join(p, PID_FILE), 'utf8'));
      if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isAlive(pid)) continue;
      rmSync(p, { recursive: true, force: true });
      removed.push(p);
    } catch {
      // Unreadable or half-created by a live process: not ours to judge.
    }
  }
  return removed;
}

/**
 * The process's private directory (created on first call). TMPDIR chooses where it lives,
 * e.g. when /tmp is mounted noexec.
 */
export function privateDir(): string {
  if (dir !== undefined) return dir;
  sweepStaleDirs();
  const created = mkdtempSync(join(tmpdir(), PREFIX));
  chmodSync(created, 0o700);
  writeFileSync(join(created, PID_FILE), String(process.pid), { mode: 0o600 });
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
