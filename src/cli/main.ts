// Entry point: picks the subcommand and turns errors into one line and an exit status.
import type { Command } from './command.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import { versionCommand } from './commands/version.ts';
import { versionLines } from './version-info.ts';

// Loaded lazily so `netscope --version` does not pay for blessed, grpc or the k8s client.
const COMMANDS: Record<string, () => Promise<Command>> = {
  version: async () => versionCommand,
  observe: async () => (await import('./commands/observe.ts')).observeCommand,
  tui: async () => (await import('./commands/tui.ts')).tuiCommand,
  cluster: async () => (await import('../k8s/cli/command.ts')).clusterCommand,
};

/** The command run when no subcommand is named (the TUI, once registered). */
const DEFAULT_COMMAND = 'tui';

function topHelp(): string {
  return [
    'netscope - explore Kubernetes network traffic from the terminal',
    '',
    'Usage:',
    '  netscope [flags]              open the terminal explorer (default)',
    '  netscope <command> [flags]',
    '',
    'Commands:',
    ...Object.keys(COMMANDS).map((n) => `  ${n}`),
    '',
    'Run `netscope <command> --help` for the flags of a command.',
    'Environment: KUBECONFIG, NO_COLOR.',
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') {
    process.stdout.write(versionLines().join('\n') + '\n');
    return ExitCode.OK;
  }
  if (first === 'help' || (first === '--help' || first === '-h')) {
    process.stdout.write(topHelp());
    return ExitCode.OK;
  }
  const named = first !== undefined && !first.startsWith('-');
  const name = named ? first : DEFAULT_COMMAND;
  const load = COMMANDS[name];
  if (!load) {
    throw new CliError(`unknown command "${name}" (see netscope --help)`);
  }
  const command = await load();
  return command.run(named ? rest : argv);
}

// EPIPE on stdout (`| head`) ends quietly with success, like hubble and coreutils. EIO
// means the terminal itself is gone (SSH hang-up): nobody is left to read an error, so
// end quietly too, but not with success.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(ExitCode.OK);
  if (err.code === 'EIO') process.exit(ExitCode.ERROR);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`netscope: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`netscope: ${msg}\n`);
    process.exitCode = ExitCode.ERROR;
  },
);
