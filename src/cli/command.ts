/** A subcommand: parses its own argv (everything after its name) and returns an exit status. */
export interface Command {
  name: string;
  /**
   * One line saying what the command does. The top-level help shows main.ts's copy for
   * lazily loaded commands (so `--help` loads none of them); keep the two alike.
   */
  summary: string;
  run(argv: string[]): Promise<number>;
}
