// Flags of `netscope policy why|test|suggest`.
import { CliError } from '../exit-codes.ts';
import { flagValue, intValue, matchFlag } from '../flag-values.ts';
import type { Protocol } from '../../policy/types.ts';

export interface PolicyArgs {
  action: 'why' | 'test' | 'suggest' | 'help';
  from?: string;
  to?: string;
  protocol: Protocol;
  objects: string[];
  drafts: string[];
  delete: boolean;
  demo: boolean;
  seed?: number;
  inputFile?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  output: 'text' | 'json' | 'yaml';
  timeoutSeconds: number;
  /** demo: seconds of traffic to replay. */
  history: number;
}

const ACTIONS = ['why', 'test', 'suggest'] as const;

export function parsePolicyArgs(argv: readonly string[]): PolicyArgs {
  const a: PolicyArgs = { action: 'help', protocol: 'TCP', objects: [], drafts: [], delete: false, demo: false, output: 'text', timeoutSeconds: 15, history: 600 };
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; ) {
    const arg = argv[i]!;
    let hit;
    let v: string;
    if (arg === '-h' || arg === '--help') {
      help = true;
      i++;
    } else if ((hit = matchFlag(arg, ['--from']))) [a.from, i] = flagValue(argv, i, hit);
    else if ((hit = matchFlag(arg, ['--to']))) [a.to, i] = flagValue(argv, i, hit);
    else if ((hit = matchFlag(arg, ['--protocol']))) {
      [v, i] = flagValue(argv, i, hit);
      const p = v.toUpperCase();
      if (p !== 'TCP' && p !== 'UDP' && p !== 'SCTP') throw new CliError(`invalid argument "${v}" for "--protocol" flag: want TCP, UDP or SCTP`);
      a.protocol = p;
    } else if ((hit = matchFlag(arg, ['--objects', '-f']))) {
      [v, i] = flagValue(argv, i, hit);
      if (v === '') throw new CliError(`invalid argument "" for "${hit.flag}" flag: want a file path`);
      a.objects.push(v);
    } else if ((hit = matchFlag(arg, ['--delete']))) {
      a.delete = true;
      i++;
    } else if ((hit = matchFlag(arg, ['--demo']))) {
      a.demo = true;
      i++;
    } else if ((hit = matchFlag(arg, ['--seed']))) {
      [v, i] = flagValue(argv, i, hit);
      a.seed = intValue('--seed', v);
    } else if ((hit = matchFlag(arg, ['--history']))) {
      [v, i] = flagValue(argv, i, hit);
      a.history = intValue('--history', v, 1, 86_400);
    } else if ((hit = matchFlag(arg, ['--input-file', '--file']))) {
      [v, i] = flagValue(argv, i, hit);
      if (v === '') throw new CliError(`invalid argument "" for "${hit.flag}" flag: want a file path or -`);
      a.inputFile = v;
    } else if ((hit = matchFlag(arg, ['--kubeconfig']))) [a.kubeconfig, i] = flagValue(argv, i, hit);
    else if ((hit = matchFlag(arg, ['--context']))) [a.context, i] = flagValue(argv, i, hit);
    else if ((hit = matchFlag(arg, ['-n', '--namespace']))) {
      [a.namespace, i] = flagValue(argv, i, hit);
      if (a.namespace === '') throw new CliError('invalid argument "" for "--namespace" flag: want a namespace name');
    } else if ((hit = matchFlag(arg, ['-o', '--output']))) {
      [v, i] = flagValue(argv, i, hit);
      if (v !== 'text' && v !== 'json' && v !== 'yaml') throw new CliError(`invalid argument "${v}" for "${hit.flag}" flag: want text, json or yaml`);
      a.output = v;
    } else if ((hit = matchFlag(arg, ['--timeout']))) {
      [v, i] = flagValue(argv, i, hit);
      a.timeoutSeconds = intValue('--timeout', v, 1, 3600);
    } else if (arg.startsWith('-') && arg !== '-') throw new CliError(`unknown flag "${arg}" (see netscope policy --help)`);
    else {
      positional.push(arg);
      i++;
    }
  }
  const [verb, ...rest] = positional;
  if (help || verb === undefined) return a;
  if (!(ACTIONS as readonly string[]).includes(verb)) throw new CliError(`unknown action "${verb}": want why, test or suggest (see netscope policy --help)`);
  a.action = verb as PolicyArgs['action'];
  const sources = [a.demo && '--demo', a.objects.length > 0 && '--objects', (a.kubeconfig !== undefined || a.context !== undefined) && '--kubeconfig/--context'].filter(Boolean);
  if (sources.length > 1) throw new CliError(`${sources.join(' and ')} cannot be used together: pick where the objects come from`);
  if (a.seed !== undefined && !a.demo) throw new CliError('--seed only applies to --demo');
  if (a.demo && a.inputFile !== undefined) throw new CliError('--demo replays its own traffic: drop --input-file (or use --objects with it)');
  if (a.action === 'why') {
    if (rest.length > 0) throw new CliError(`unexpected argument "${rest[0]}"`);
    if (a.from === undefined || a.to === undefined) throw new CliError('policy why needs --from NS/POD (or an IP) and --to NS/POD:PORT');
    if (a.output === 'yaml') throw new CliError('policy why prints text or json');
  } else if (a.action === 'test') {
    if (rest.length === 0) throw new CliError('policy test needs a DRAFT.yaml file with the policies to try');
    a.drafts = rest;
    if (a.output === 'yaml') throw new CliError('policy test prints text or json');
  } else {
    if (rest.length > 0) throw new CliError(`unexpected argument "${rest[0]}"`);
    if (a.namespace === undefined) throw new CliError('policy suggest needs --namespace N: the namespace to write policies for');
    if (a.output === 'text') a.output = 'yaml';
  }
  if (a.delete && a.action !== 'test') throw new CliError('--delete only applies to policy test');
  return a;
}

/** `NS/POD:PORT`, `POD:PORT` (with -n), `IP:PORT`, `[v6]:PORT`. */
export function splitPort(text: string, flag: string): { peer: string; port: number } {
  const m = /^(\[[^\]]+\]|.+):(\d+)$/.exec(text);
  if (!m) throw new CliError(`invalid argument "${text}" for "${flag}" flag: want NS/POD:PORT or IP:PORT`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new CliError(`invalid argument "${text}" for "${flag}" flag: port ${port} is out of range 1-65535`);
  return { peer: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

export function policyHelp(): string {
  return [
    'Which policy allows or denies a connection, and what a policy change would do to the',
    'traffic seen. Evaluates Kubernetes NetworkPolicies, Cilium(Clusterwide)NetworkPolicies and',
    'Admin/BaselineAdminNetworkPolicies (when their CRDs are served) on any CNI.',
    '',
    'Usage:',
    '  netscope policy why --from NS/POD|IP --to NS/POD|IP:PORT [--protocol TCP|UDP|SCTP] [flags]',
    '  netscope policy test DRAFT.yaml... [--delete] (--input-file FILE | --demo) [flags]',
    '  netscope policy suggest -n NS (--input-file FILE | --demo) [flags]',
    '',
    'why      the verdict (allowed, denied, undecidable) with the reasons of each side: the',
    '         source\'s egress and the destination\'s ingress, the policies selecting each pod',
    '         and the rule that decided (or "isolated by X; no rule admits ...")',
    'test     replays flows against the policies with the draft applied (added, or replacing',
    '         policies of the same kind and name; with --delete, removed) and lists the',
    '         connections whose verdict would change',
    'suggest  writes least-privilege NetworkPolicies (YAML) admitting exactly the observed,',
    '         allowed connections of a namespace, one per workload, ingress and egress',
    '',
    'Where the objects come from (one of; default: the kubeconfig\'s cluster):',
    '  -f, --objects FILE       a `kubectl get ... -o yaml|json` List or multi-document YAML of',
    '                           namespaces, nodes, pods, services, endpointslices and policies;',
    '                           repeatable; works offline',
    '      --demo               the embedded demo cluster (and, for test/suggest, its traffic)',
    '      --kubeconfig FILE    kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)',
    '      --context NAME       kubeconfig context (default: current-context)',
    '',
    'Flags:',
    '      --input-file FILE    flows to replay (hubble observe -o json, netscope observe -o json)',
    '      --history SECONDS    --demo: seconds of demo traffic to replay (default 600)',
    '      --seed N             --demo: seed of the demo cluster (default 1)',
    '  -n, --namespace NS       namespace of bare pod names (why); the namespace (suggest)',
    '  -o, --output FORMAT      text (default) or json; suggest: yaml (default) or json',
    '      --timeout SECONDS    wait this long for the cluster model (default 15)',
    '  -h, --help               this help',
    '',
    'Exit status: 0 answered; 1 cluster or file unreadable; 2 bad usage or unknown peer;',
    '3 answered, but some objects or flows had problems (listed on stderr, one line each).',
    '',
    'Examples:',
    '  netscope policy why --from shop/toolbox --to shop/redis-cart:6379',
    '  netscope policy why -f objects.yaml --from 203.0.113.7 --to shop/web:80 -o json',
    '  netscope policy test draft.yaml --demo',
    '  netscope policy test --delete old.yaml --input-file flows.json',
    '  netscope policy suggest -n shop --demo > shop-policies.yaml',
    '',
  ].join('\n');
}
