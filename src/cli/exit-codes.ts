// One place for what netscope's exit status means, so scripts can rely on it.
export const ExitCode = {
  OK: 0,
  /** A runtime failure: unreadable input, unreachable cluster, failed attach. */
  ERROR: 1,
  /** Bad usage: unknown flag, invalid filter or value. */
  USAGE: 2,
  /** The run finished but skipped malformed input (lines reported on stderr). */
  PARTIAL: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that should end the program with one line on stderr and a given status. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = ExitCode.USAGE) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
