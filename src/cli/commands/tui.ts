// `netscope [flags]`: the terminal explorer. Parses the TUI's own flags, takes every
// filter flag of `netscope observe` as the initial filter, picks a terminal entry blessed
// can handle, and runs the app until the user quits.
import * as tty from 'node:tty';
import v8 from 'node:v8';
import type { Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { FilterError, filterHelp } from '../../filter/index.ts';
import { splitFlag } from '../../filter/flags.ts';
import { createDemoSource, demoClusterObjects } from '../../sources/demo/index.ts';
import { openSource } from '../../sources/open.ts';
import { hasClusterConfig } from '../../k8s/kubeconfig-files.ts';
import { kubeConfigCliError } from '../kube-errors.ts';
import type { Source } from '../../model/source.ts';
import { DEFAULT_BUFFER_SIZE } from '../../streams/flow-store.ts';
import type { PaletteObjects } from '../../views/palette.ts';
import type { ClusterStore } from '../../k8s/store.ts';
import { loadSettings } from '../../config/load.ts';
import { expandAliasArgs } from '../alias-flag.ts';
import type { KubeTarget } from '../../k8s/kubeconfig.ts';
import { clientTlsFrom, consumeServerFlag, emptyServerFlags, serverFlagsUsed, type ServerFlags } from '../server-flags.ts';
import { checkAgentNamespace, sourceOptionsFrom, emptySourceFlags } from '../source-flags.ts';
import { parseFilterArgs } from '../../filter/index.ts';

const USAGE = `Usage: netscope [flags] [filter flags]

Open the terminal explorer: service map, live flows, per-service latency.

Source (one of):
  --demo                   the embedded demo cluster (Online Boutique, live traffic)
  --file, --input-file PATH
                           replay a Hubble JSON export (hubble observe -o json)
  --local                  this machine's eBPF collector (root, or CAP_BPF, CAP_PERFMON and
                           CAP_NET_ADMIN); with a kubeconfig, flows are named from the cluster
  --kubeconfig FILE        explore this cluster (default without --demo/--file/--local: $KUBECONFIG,
                           ~/.kube/config or in-cluster): names flows, :pods :svc :netpol
                           :nodes :ns :ctx views; with --file/--local, names their flows
  --context NAME           kubeconfig context (default: current-context)
  --server ADDR            Hubble Relay, a Cilium agent or \`netscope serve\` (HOST:PORT or
                           unix:///path; default $HUBBLE_SERVER), with hubble's --tls,
                           --tls-allow-insecure, --tls-ca-cert-files, --tls-client-cert-file,
                           --tls-client-key-file and --tls-server-name; -P/--port-forward
                           reaches hubble-relay in kube-system through the API server.
                           Filter flags given here are sent to the server; the filter bar
                           then filters what arrived. :nodes lists the server's nodes.
  --agents                 read the netscope agents (\`netscope agent manifest\`) of the
                           kubeconfig's cluster through port-forward, even if it has Hubble
                           Relay; with no source flag they are read when there is no relay.
                           Their nodes (connected, unavailable, retrying) are in :nodes
                           (:hubble-nodes when the cluster's :nodes is there)
  --agent-namespace NS     where the agents run (default netscope)
                           --agents with hubble's --tls flags: agents serving TLS, each
                           verified for the name it serves (<node>.<cluster>.hubble-grpc.
                           cilium.io from its pod's command line, or --tls-server-name)

Flags:
  --seed N                 demo: seed of the simulated cluster and traffic (default 1)
  --rate N                 demo: flows per second (default 200)
  --slowdown-after SECONDS demo: productcatalogservice gets slow after this long (default 60)
  --history SECONDS        demo: seconds of past traffic loaded at start (default 300)
  --buffer-size N          flows kept for scrolling and re-filtering (default ${DEFAULT_BUFFER_SIZE})
  --refresh N              screen redraws per second at most (default 10)
  --alias NAME             add a named filter from the config file (also @NAME in the / bar)
  -h, --help               this help

Config: $XDG_CONFIG_HOME/netscope/config.yaml (else ~/.config/netscope/config.yaml) sets
defaults for --refresh and --buffer-size, a skin, key remaps and named filters; see
netscope help config.

Keys: ? shows the keys of the focused pane; q or Ctrl-C quits.

Examples:
  netscope --demo                            the demo cluster
  netscope -n shop                           the current kube context's cluster, namespace shop
  netscope --context prod --verdict DROPPED  only drops, in another context
  netscope --file flows.json                 a Hubble JSON export
  sudo netscope --local                      this machine's eBPF collector
Environment: NO_COLOR disables colours; TERM picks the terminal (xterm, xterm-256color,
screen-256color and tmux-256color are known to work).

`;

/** How often the TUI asks a Hubble server for ServerStatus and GetNodes. */
const SERVER_STATUS_MS = 5000;

export interface TuiArgs {
  demo: boolean;
  file?: string;
  local: boolean;
  kubeconfig?: string;
  context?: string;
  seed: number;
  rate: number;
  slowdownAfter: number;
  history: number;
  bufferSize: number;
  refresh: number;
  filterArgs: string[];
  help: boolean;
  remote: ServerFlags;
  agents: boolean;
  agentNamespace?: string;
}

function num(flag: string, v: string | undefined, min: number, max: number, integer: boolean): number {
  if (v === undefined || v === '') throw new CliError(`flag ${flag} needs a value`);
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new CliError(`invalid value "${v}" for flag ${flag}: want ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return n;
}

/** Splits argv into the TUI's flags and the filter flags; throws CliError on bad usage. */
export function parseTuiArgs(argv: string[], settings: { bufferSize?: number; refresh?: number } = {}): TuiArgs {
  const a: TuiArgs = {
    demo: false,
    local: false,
    seed: 1,
    rate: 200,
    slowdownAfter: 60,
    history: 300,
    bufferSize: settings.bufferSize ?? DEFAULT_BUFFER_SIZE,
    refresh: settings.refresh ?? 10,
    filterArgs: [],
    help: false,
    remote: emptyServerFlags(),
    agents: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const remote = consumeServerFlag(argv, i, a.remote);
    if (remote !== undefined) {
      i = remote - 1;
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = () => {
      if (inline !== undefined) return inline;
      i++;
      if (i >= argv.length) throw new CliError(`flag ${name} needs a value`);
      return argv[i];
    };
    switch (name) {
      case '-h':
      case '--help':
        a.help = true;
        continue;
      case '--demo':
        a.demo = true;
        continue;
      case '--file':
      case '--input-file':
        a.file = value();
        continue;
      case '--local':
        a.local = true;
        continue;
      case '--kubeconfig':
        a.kubeconfig = value();
        continue;
      case '--context':
        a.context = value();
        continue;
      case '--agents':
        if (inline !== undefined) throw new CliError('flag does not take a value: --agents');
        a.agents = true;
        continue;
      case '--agent-namespace':
        a.agentNamespace = checkAgentNamespace(value());
        continue;
      case '--seed':
        a.seed = num(name, value(), 0, Number.MAX_SAFE_INTEGER, true);
        continue;
      case '--rate':
        a.rate = num(name, value(), 1, 1_000_000, false);
        continue;
      case '--slowdown-after':
        a.slowdownAfter = num(name, value(), 0, 1e9, false);
        continue;
      case '--history':
        a.history = num(name, value(), 0, 86_400, false);
        continue;
      case '--buffer-size':
        a.bufferSize = num(name, value(), 100, 10_000_000, true);
        continue;
      case '--refresh':
        a.refresh = num(name, value(), 1, 60, false);
        continue;
    }
    const filterFlag = splitFlag(arg);
    if (filterFlag) {
      a.filterArgs.push(arg);
      if (filterFlag.flag.takesValue && filterFlag.inline === undefined) {
        i++;
        if (i >= argv.length) throw new CliError(`flag ${arg} needs a value`);
        a.filterArgs.push(argv[i]);
      }
      continue;
    }
    throw new CliError(arg.startsWith('-') ? `unknown flag "${arg}" (see netscope --help)` : `unexpected argument "${arg}" (see netscope --help)`);
  }
  // With --agents, the --tls flags are how to reach the agents, not a --server of their own.
  const serverNamed = a.remote.server !== undefined || a.remote.portForward || (serverFlagsUsed(a.remote) && !a.agents);
  const named = [a.demo && '--demo', a.file !== undefined && '--file', a.local && '--local', serverNamed && '--server'].filter((x) => x !== false);
  if ((a.agents || a.agentNamespace !== undefined) && named.length > 0) named.push(a.agents ? '--agents' : '--agent-namespace');
  if (named.length > 1) throw new CliError(`${named.join(' and ')} cannot be used together: pick one flow source`);
  if ((a.agents || a.agentNamespace !== undefined) && a.demo) throw new CliError('--agents and --demo cannot be used together: pick one flow source');
  if (a.demo && (a.kubeconfig !== undefined || a.context !== undefined)) {
    throw new CliError('--kubeconfig and --context do not apply to --demo (the demo has its own cluster)');
  }
  if (a.file === '-') throw new CliError('--file -: the terminal explorer reads keys from stdin; give a file path (or use netscope observe for a pipe)');
  return a;
}

function demoObjects(o: ReturnType<typeof demoClusterObjects>): PaletteObjects {
  const qualified = (m: { name: string; namespace?: string }) => (m.namespace ? `${m.namespace}/${m.name}` : m.name);
  return {
    namespaces: o.namespaces.map((n) => n.metadata.name),
    services: o.services.map((s) => qualified(s.metadata)),
    pods: o.pods.map((p) => qualified(p.metadata)),
  };
}

function utf8Locale(env: NodeJS.ProcessEnv): boolean {
  const loc = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(loc);
}

export const tuiCommand: Command = {
  name: 'tui',
  summary: 'Open the terminal explorer (the default command)',
  async run(argv) {
    const settings = loadSettings();
    const args = parseTuiArgs(expandAliasArgs(argv, settings.config.aliases), { bufferSize: settings.config.bufferSize, refresh: settings.config.refreshRate });
    if (args.help) {
      process.stdout.write(USAGE + filterHelp());
      return ExitCode.OK;
    }
    // Validate the initial filter before touching the terminal: a bad flag is one line on stderr.
    const { parseFilterLine } = await import('../../views/app.ts');
    const { shellQuote } = await import('../../filter/index.ts');
    try {
      parseFilterLine(args.filterArgs.map(shellQuote).join(' '));
    } catch (err) {
      if (err instanceof FilterError) throw new CliError(err.message);
      throw err;
    }
    const kube = args.kubeconfig !== undefined || args.context !== undefined ? { kubeconfig: args.kubeconfig, context: args.context } : undefined;
    // kubectl's rule: with a kubeconfig present, the cluster is the default.
    // --server (or $HUBBLE_SERVER with no other source): Hubble's gRPC API, following,
    // with a buffer's worth of history; the command-line filter goes to the server.
    const agentsAsked = args.agents || args.agentNamespace !== undefined;
    const wantsServer = (serverFlagsUsed(args.remote) && !args.agents) || (!args.demo && args.file === undefined && !args.local && !agentsAsked && !!process.env.HUBBLE_SERVER);
    const remoteFlows = wantsServer
      ? openSource(
          sourceOptionsFrom(
            { ...emptySourceFlags(), remote: args.remote },
            { follow: true, grpc: { filters: parseFilterArgs(args.filterArgs), number: args.bufferSize, statusIntervalMs: SERVER_STATUS_MS } },
          ),
        )
      : undefined;
    // --agents --tls...: checked here, before the terminal is taken.
    const agentsTls = args.agents && serverFlagsUsed(args.remote) ? clientTlsFrom(args.remote) : undefined;
    const cluster = !args.demo && (kube !== undefined || agentsAsked || (hasClusterConfig() && !wantsServer));
    if (!args.demo && args.file === undefined && !args.local && !cluster && !remoteFlows) {
      throw new CliError('no flow source: use --demo (embedded demo cluster), --local (eBPF collector) or --file PATH (Hubble JSON export)');
    }
    if (!process.stdout.isTTY || !process.stdin.isTTY) {
      throw new CliError('the terminal explorer needs a terminal on stdin and stdout (for pipes use: netscope observe)');
    }
    let source: Source;
    let objects: (() => PaletteObjects) | undefined;
    let model: (() => ClusterStore | undefined) | undefined;
    try {
      if (args.demo) {
        source = createDemoSource({ seed: args.seed, rate: args.rate, historySeconds: args.history, follow: true, slowdownAfterSeconds: args.slowdownAfter });
        const snapshot = demoClusterObjects({ seed: args.seed });
        const demo = demoObjects(snapshot);
        objects = () => demo;
        const provider = (await import('../../views/resources/snapshot-provider.ts')).registerSnapshotViews(snapshot);
        model = () => provider.store();
      } else {
        const flows =
          remoteFlows ??
          (args.file !== undefined ? openSource({ kind: 'file', path: args.file }) : args.local ? openSource({ kind: 'local' }) : undefined);
        // No flow source named: the cluster source looks for Hubble Relay (port-forward), else the netscope agents.
        const request = { tls: agentsTls, follow: true, filters: parseFilterArgs(args.filterArgs), number: args.bufferSize, statusIntervalMs: SERVER_STATUS_MS };
        const discover = flows
          ? undefined
          : async (target: KubeTarget) =>
              (await import('../../agent/cluster-flows.ts')).discoverClusterFlows(target, { request, agentNamespace: args.agentNamespace, agentsOnly: args.agents });
        if (cluster) ({ source, objects, model } = (await import('../../views/resources/setup.ts')).clusterForTui(kube ?? {}, flows, {}, discover));
        else if (flows) source = flows;
        else throw new CliError('no flow source');
      }
    } catch (err) {
      if (err instanceof RangeError) throw new CliError(err.message);
      throw kubeConfigCliError(err);
    }
    // Flows live in the ring buffer for seconds, so most survive a young-generation GC; V8
    // reacts by growing the young generation to its maximum and lets the old generation
    // grow several times the live data before collecting. At 10k+ flows/s that is 100-200
    // MB of RSS holding garbage, while the live data (20k flows) is ~30 MB. Keeping the
    // young generation at its initial size and the old generation's growth step small
    // holds RSS near the live data at little CPU cost (both measured by bench/tui-keys.ts).
    // V8 reads these flags whenever it resizes the heap, so setting them now takes effect.
    v8.setFlagsFromString('--semi-space-growth-factor=1');
    v8.setFlagsFromString('--heap-growing-percent=30');
    const { chooseTerminal } = await import('../../views/terminal.ts');
    const { makeTheme, wantsColor } = await import('../../views/theme.ts');
    const { runApp } = await import('../../views/app.ts');
    const term = chooseTerminal(process.env.TERM);
    const theme = makeTheme({ color: wantsColor(process.env, term.colors), unicode: utf8Locale(process.env), colors: settings.skin });
    const { applyKeyRemaps } = await import('../../views/keymap.ts');
    const notices = [...settings.problems, ...applyKeyRemaps(settings.config.keys)];
    // Our own stream on fd 1, so a write error when the terminal disappears is handled by
    // the app (it quits) rather than by the process-wide stdout handler.
    const output = new tty.WriteStream(1);
    // Node refreshes the size of process.stdout only (on SIGWINCH); pass it on so blessed,
    // which reads `output.columns/rows` on 'resize', re-lays out the panes.
    process.stdout.on('resize', () => {
      output.columns = process.stdout.columns;
      output.rows = process.stdout.rows;
      output.emit('resize');
    });
    return runApp({
      output,
      input: process.stdin,
      source,
      bufferSize: args.bufferSize,
      refreshHz: args.refresh,
      filterArgs: args.filterArgs,
      aliases: settings.config.aliases,
      notices,
      clusterObjects: objects,
      clusterModel: model,
      policyModel: model,
      theme,
      terminal: term.terminal,
    });
  },
};
