// Flags of `netscope cluster`: kubectl's connection flags plus what to show.
import { CliError } from './exit-codes.ts';
import { flagValue, intValue, matchFlag } from './flag-values.ts';

export const CLUSTER_KINDS = ['pods', 'svc', 'netpol', 'nodes', 'ns', 'ctx'] as const;

export interface ClusterArgs {
  action: 'status' | 'get' | 'help';
  kind?: string;
  name?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces: boolean;
  output: 'table' | 'yaml';
  sort?: string;
  timeoutSeconds: number;
}

export function parseClusterArgs(argv: readonly string[]): ClusterArgs {
  const a: ClusterArgs = { action: 'status', allNamespaces: false, output: 'table', timeoutSeconds: 15 };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; ) {
    const arg = argv[i]!;
    let hit;
    if (arg === '-h' || arg === '--help') {
      a.action = 'help';
      i++;
    } else if (arg === '-A' || arg === '--all-namespaces') {
      a.allNamespaces = true;
      i++;
    } else if ((hit = matchFlag(arg, ['--kubeconfig']))) {
      [a.kubeconfig, i] = flagValue(argv, i, hit);
    } else if ((hit = matchFlag(arg, ['--context']))) {
      [a.context, i] = flagValue(argv, i, hit);
    } else if ((hit = matchFlag(arg, ['-n', '--namespace']))) {
      [a.namespace, i] = flagValue(argv, i, hit);
      if (a.namespace === '') throw new CliError('invalid argument "" for "--namespace" flag: want a namespace name');
    } else if ((hit = matchFlag(arg, ['-o', '--output']))) {
      let v: string;
      [v, i] = flagValue(argv, i, hit);
      if (v !== 'table' && v !== 'yaml') throw new CliError(`invalid argument "${v}" for "${hit.flag}" flag: want table or yaml`);
      a.output = v;
    } else if ((hit = matchFlag(arg, ['--sort']))) {
      [a.sort, i] = flagValue(argv, i, hit);
    } else if ((hit = matchFlag(arg, ['--timeout']))) {
      let v: string;
      [v, i] = flagValue(argv, i, hit);
      a.timeoutSeconds = intValue('--timeout', v, 1, 3600);
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new CliError(`unknown flag "${arg}" (see netscope cluster --help)`);
    } else {
      positional.push(arg);
      i++;
    }
  }
  if (a.action === 'help') return a;
  if (a.namespace !== undefined && a.allNamespaces) throw new CliError('use either -n/--namespace or -A/--all-namespaces, not both');
  const [verb, kind, name, ...extra] = positional;
  if (verb === undefined || verb === 'status') {
    if (kind !== undefined) throw new CliError(`unexpected argument "${kind}" after status`);
    return a;
  }
  if (verb !== 'get') throw new CliError(`unknown action "${verb}": want status or get (see netscope cluster --help)`);
  if (kind === undefined) throw new CliError(`get needs a kind: ${CLUSTER_KINDS.join(', ')}`);
  if (extra.length > 0) throw new CliError(`unexpected argument "${extra[0]}"`);
  a.action = 'get';
  a.kind = kind;
  a.name = name;
  if (a.output === 'yaml' && name === undefined) throw new CliError('-o yaml needs an object name: netscope cluster get KIND NAME -o yaml');
  return a;
}

export function clusterHelp(): string {
  return [
    'Connect to the cluster of a kubeconfig context, load the model netscope uses to name',
    'flows (namespaces, nodes, pods, services, endpointslices, network policies, Cilium',
    'policies when installed) and print its state or its objects.',
    '',
    'Usage:',
    '  netscope cluster [status] [flags]       connection and model state, one line per resource',
    '  netscope cluster get KIND [NAME] [flags] list objects like the TUI views (KIND: pods, svc,',
    '                                           netpol, nodes, ns, ctx)',
    '',
    'Flags:',
    '      --kubeconfig FILE   kubeconfig file(s) (default: $KUBECONFIG, then ~/.kube/config,',
    '                          then the in-cluster service account)',
    '      --context NAME      kubeconfig context (default: current-context)',
    "  -n, --namespace NS      namespace to list (default: the context's namespace)",
    '  -A, --all-namespaces    list every namespace',
    '  -o, --output FORMAT     table (default) or yaml (with NAME: the full object)',
    '      --sort COLUMN       sort by this column (e.g. AGE, RESTARTS, NAME)',
    '      --timeout SECONDS   wait this long for the model to load (default 15)',
    '  -h, --help              this help',
    '',
    'Exit status: 0 ok, 1 cluster unreachable / credentials rejected / incomplete model',
    '(forbidden resources are listed, not fatal), 2 bad usage or unknown context.',
    '',
    'Examples:',
    '  netscope cluster                              # what these credentials can see',
    '  netscope cluster get pods -A --sort RESTARTS  # like :pods in the TUI',
    '  netscope cluster get svc cart -n shop -o yaml # one object in full',
    '  netscope cluster --context prod get netpol    # another context',
    '',
  ].join('\n');
}
