// Entry point: picks the subcommand and turns errors into one line and an exit status.
import type { Command } from './command.ts';
import { sanitize } from '../model/sanitize.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import { versionCommand } from './commands/version.ts';
import { versionLines } from './version-info.ts';

// Loaded lazily so `netscope --version` does not pay for blessed, grpc or the k8s client;
// the one-line summaries live here so `--help` needs none of them either.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  tui: {
    summary: 'the terminal explorer: topology, flows, latency (default)',
    load: async () => (await import('./commands/tui.ts')).tuiCommand,
  },
  observe: {
    summary: 'print flows like `hubble observe` (compact, json, dict, table)',
    load: async () => (await import('./commands/observe.ts')).observeCommand,
  },
  serve: {
    summary: "serve flows over Hubble's gRPC API (hubble observe, Hubble UI, Relay)",
    load: async () => (await import('./commands/serve.ts')).serveCommand,
  },
  cluster: {
    summary: 'check the cluster connection and list what the model sees',
    load: async () => (await import('./commands/cluster.ts')).clusterCommand,
  },
  policy: {
    summary: 'which policy allows or denies a connection; what-if tests; suggested policies',
    load: async () => (await import('./commands/policy.ts')).policyCommand,
  },
  agent: {
    summary: 'the node agent: the eBPF collector served to Hubble clients (`agent manifest`: its DaemonSet)',
    load: async () => (await import('./commands/agent.ts')).agentCommand,
  },
  version: { summary: versionCommand.summary, load: async () => versionCommand },
};

/** The command run when no subcommand is named. */
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
    ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)}${c.summary}`),
    '',
    'Run `netscope <command> --help` for the flags of a command, `netscope help filters` for',
    'the filter language, `netscope help config` for the config file.',
    'Environment: KUBECONFIG, NO_COLOR.',
    '',
  ].join('\n');
}

/** `netscope help TOPIC`: the filter language, the config file, or a command's --help. */
async function helpTopic(topic: string): Promise<number> {
  if (topic === 'filters') {
    process.stdout.write((await import('../filter/index.ts')).filterHelp());
    return ExitCode.OK;
  }
  if (topic === 'config') {
    const { configHelp } = await import('../config/help.ts');
    const { configDir } = await import('../config/load.ts');
    process.stdout.write(configHelp(`${configDir()}/config.yaml`));
    return ExitCode.OK;
  }
  const entry = Object.hasOwn(COMMANDS, topic) ? COMMANDS[topic] : undefined;
  if (!entry) throw new CliError(`no help topic "${topic}" (topics: filters, config, ${Object.keys(COMMANDS).join(', ')})`);
  return (await entry.load()).run(['--help']);
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') {
    process.stdout.write(versionLines().join('\n') + '\n');
    return ExitCode.OK;
  }
  if (first === 'help' && rest.length > 0) return helpTopic(rest[0]!);
  if (first === 'help' || (first === '--help' || first === '-h')) {
    process.stdout.write(topHelp());
    return ExitCode.OK;
  }
  const named = first !== undefined && !first.startsWith('-');
  const name = named ? first : DEFAULT_COMMAND;
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    throw new CliError(`unknown command "${name}" (see netscope --help)`);
  }
  const command = await entry.load();
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
    // Messages echo flag values, paths and peers' errors: one line, control characters made visible.
    const msg = sanitize(err instanceof Error ? err.message : String(err));
    process.stderr.write(`netscope: ${msg}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : ExitCode.ERROR;
  },
);
