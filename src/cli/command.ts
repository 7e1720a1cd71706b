/** A subcommand: parses its own argv (everything after its name) and returns an exit status. */
export interface Command {
  name: string;
  /** One line for the top-level help. */
  summary: string;
  run(argv: string[]): Promise<number>;
}
