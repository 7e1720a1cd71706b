// `netscope observe`: print flows like `hubble observe` does, from a Hubble JSON
// export or the demo cluster, with hubble's filters and output formats.
import type { Subscription } from 'rxjs';
import { linePrefilter } from '../../filter/line-prefilter.ts';
import { timestampFromMs } from '../../codec/timestamp.ts';
import { compileFilterSet, filterHelp, rawFiltersText } from '../../filter/index.ts';
import type { SourceEvent } from '../../model/source.ts';
import { sanitize } from '../../model/sanitize.ts';
import { shouldColor } from '../../printer/colors.ts';
import { createPrinter } from '../../printer/index.ts';
import { TIME_FORMAT_NAMES } from '../../printer/time-format.ts';
import { openSource } from '../../sources/open.ts';
import type { Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { DEFAULT_LAST, MAX_LAST, parseObserveArgs, type ObserveConfig } from '../observe-args.ts';
import { Selection, type SelectionMode } from '../observe-selection.ts';
import { OutputBuffer } from '../output-buffer.ts';
import { sourceFlagsHelp, sourceOptionsFrom, type GrpcRequest } from '../source-flags.ts';
import { loadSettings } from '../../config/load.ts';
import { expandAliasArgs } from '../alias-flag.ts';

/** The agents' fan-in status line (src/sources/cluster-flows.ts; not imported: it loads the Kubernetes client). */
const AGENTS_SOURCE = 'agents';

/** Malformed lines reported one by one before the rest are only counted. */
const MAX_REPORTED_LINES = 20;
/** With --follow --last N, history counts as over when the source is quiet this long. */
const HISTORY_QUIET_MS = 200;
/** With --follow, output queued for a slow stdout beyond which flows are skipped (and reported as lost). */
const FOLLOW_QUEUE_LIMIT = 8 << 20;
const SKIPPED_SOURCE = 'OBSERVER_EVENTS_QUEUE';
/** History the demo generates for --follow --last / --since, at most (seconds). */
const MAX_DEMO_HISTORY_S = 3600;

export function observeHelp(): string {
  return [
    'Print flows like `hubble observe`, from Hubble Relay (or any Hubble server), a Hubble JSON export,',
    'this machine\'s eBPF collector or the demo cluster.',
    '',
    'Usage:',
    '  netscope observe (--server ADDR | --input-file FILE | --demo | --local) [flags] [filters]',
    '',
    sourceFlagsHelp(),
    'Selection:',
    `      --last N            print the last N matching flows (at most ${MAX_LAST}); default 20`,
    '                          for --demo without --follow; an --input-file is printed whole,',
    '                          as hubble does',
    '      --first N           print the first N matching flows, then stop',
    '      --all               print all matching flows',
    '  -f, --follow            keep printing new flows as they arrive (--demo, --server); ignored for',
    '                          --input-file, like hubble. If stdout cannot keep up, flows are',
    '                          skipped and reported as EVENTS LOST (OBSERVER_EVENTS_QUEUE)',
    '      --since T           only flows at or after T: a duration ago (5m, 1h30m) or a time',
    '                          (2006-01-02T15:04:05Z, 2006-01-02, RFC 1123Z)',
    '      --until T           only flows at or before T (same forms; not with --follow)',
    '',
    'Output:',
    '  -o, --output FORMAT     compact (default), dict, table, json or jsonpb (same thing:',
    '                          one GetFlowsResponse per line, readable by --input-file)',
    '      --time-format NAME  StampMilli (default), ' + TIME_FORMAT_NAMES.slice(1, 4).join(', ') + ',',
    '                          ' + TIME_FORMAT_NAMES.slice(4, 8).join(', ') + ',',
    '                          ' + TIME_FORMAT_NAMES.slice(8, 11).join(', ') + ',',
    '                          ' + TIME_FORMAT_NAMES.slice(11).join(', '),
    '                          (local time zone; set TZ to change it)',
    '      --color WHEN        auto (default: colour on a terminal unless NO_COLOR is set),',
    '                          always or never; compact and dict only',
    '      --print-node-name   show the node each flow was observed on',
    '      --numeric           show IP addresses instead of pod, service and DNS names',
    '      --print-raw-filters print the filters as hubble would send them (YAML) and exit',
    '      --alias NAME        add a named filter from the config file (netscope help config)',
    '  -h, --help              this help',
    '',
    filterHelp(),
    'Exit status: 0 ok, 1 runtime error (unreadable input), 2 bad usage,',
    '3 finished but skipped malformed input lines (each reported on stderr as file:line).',
    '',
    'Examples:',
    '  hubble observe -o json > flows.json; netscope observe --input-file flows.json --verdict DROPPED',
    '  netscope observe --demo --last 50 --from-pod shop/frontend -o table',
    '  netscope observe --demo --follow --namespace shop --http-status 5+',
    '  sudo netscope observe --local --to-port 8080 -o json | jq .flow.l7',
    '  netscope observe --demo --alias drops        # named filter from config.yaml',
    '',
  ].join('\n');
}

function selectionMode(cfg: ObserveConfig): SelectionMode {
  if (cfg.first !== undefined) return { kind: 'first', n: cfg.first };
  if (cfg.last !== undefined) return { kind: 'last', n: cfg.last };
  if (cfg.all || cfg.since !== undefined || cfg.until !== undefined) return { kind: 'all' };
  // hubble: a file is printed whole; a live source shows the last 20, or only new flows when following.
  if (cfg.source.inputFile !== undefined) return { kind: 'all' };
  return { kind: 'last', n: cfg.follow ? 0 : DEFAULT_LAST };
}

/**
 * GetFlows for these flags, as hubble builds it: --last N / --first N, --all (every flow
 * the server has), --since/--until, else the last 20 (only new flows with --follow).
 * The filter is sent too: the server applies it, and Selection applies the same
 * predicate again to what arrives, because a Hubble server older than one of the
 * filter's fields skips that field (protobuf ignores unknown fields) and would
 * otherwise widen the result.
 */
function grpcRequest(cfg: ObserveConfig, follow: boolean): GrpcRequest {
  let number: number;
  if (cfg.first !== undefined) number = cfg.first;
  else if (cfg.last !== undefined) number = cfg.last;
  else if (cfg.all) number = Number.MAX_SAFE_INTEGER;
  else if (cfg.since !== undefined || cfg.until !== undefined || follow) number = 0;
  else number = DEFAULT_LAST;
  return { filters: cfg.filters, number, first: cfg.first !== undefined, since: cfg.since, until: cfg.until };
}

function demoHistorySeconds(cfg: ObserveConfig, nowMs: number): number | undefined {
  if (cfg.since !== undefined) return Math.min(MAX_DEMO_HISTORY_S, Math.max(0, nowMs / 1000 - cfg.since.seconds));
  if (cfg.follow && cfg.last === undefined && !cfg.all) return 0;
  return undefined;
}

export async function runObserve(argv: string[]): Promise<number> {
  const nowMs = Date.now();
  // The config file's named filters (--alias NAME); its other settings are the TUI's.
  const settings = loadSettings();
  for (const p of settings.problems) process.stderr.write(`netscope: warning: ${sanitize(p)}\n`);
  const cfg = parseObserveArgs(expandAliasArgs(argv, settings.config.aliases), nowMs);
  if (cfg.help) {
    process.stdout.write(observeHelp());
    return ExitCode.OK;
  }
  if (cfg.printRawFilters) {
    process.stdout.write(rawFiltersText(cfg.filters));
    return ExitCode.OK;
  }
  const pass = compileFilterSet(cfg.filters);
  const isFile = cfg.source.inputFile !== undefined;
  // The local collector has no history to print: it always follows.
  const follow = (cfg.follow || cfg.source.local === true) && !isFile;
  const sourceOpts = sourceOptionsFrom(cfg.source, { follow, linePrefilter: linePrefilter(cfg.filters), grpc: grpcRequest(cfg, follow) });
  if (sourceOpts.kind === 'demo') sourceOpts.historySeconds = demoHistorySeconds(cfg, nowMs);
  // A Hubble server selects (--last/--first/--since/--until) and filters itself.
  const fromServer =
    sourceOpts.kind === 'grpc' ||
    sourceOpts.kind === 'relay-port-forward' ||
    (sourceOpts.kind === 'cluster' && (sourceOpts.flows?.kind === 'grpc' || sourceOpts.discoverRelay !== undefined));

  const stdout = new OutputBuffer(process.stdout);
  if (sourceOpts.kind === 'file') sourceOpts.flowControl = stdout;
  const errLine = (text: string): void => {
    stdout.flush(); // keep stdout and stderr in order on a terminal
    process.stderr.write(text);
  };
  const json = cfg.output === 'json' || cfg.output === 'jsonpb';
  const table = cfg.output === 'table' || cfg.output === 'tab';
  const printer = createPrinter(
    {
      output: cfg.output,
      color: !json && !table && shouldColor(cfg.color, process.stdout.isTTY === true, process.env),
      timeFormat: cfg.timeFormat,
      nodeName: cfg.nodeName,
      ipTranslation: !cfg.numeric,
    },
    { out: (t) => stdout.write(t), err: errLine },
  );
  const selection = new Selection({
    mode: fromServer ? (cfg.first !== undefined ? { kind: 'first', n: cfg.first } : { kind: 'all' }) : selectionMode(cfg),
    since: cfg.since,
    until: follow ? undefined : cfg.until,
    pass,
    liveFrom: follow && !fromServer ? timestampFromMs(nowMs) : undefined,
  });

  let skipped = 0;
  let runtimeError = false;
  const lost = new Map<string, number>();
  let lastEventAt = Date.now();
  const countLost = (source: string, n: number): void => void lost.set(source, (lost.get(source) ?? 0) + n);
  // Following a live source into a reader slower than the flows (stdout into a pipe is
  // asynchronous): rather than queueing without bound, skip flows while the queue is
  // over its limit and report them in-band as lost events, as Hubble does.
  let behind = 0;
  const catchUp = (): void => {
    if (behind === 0) return;
    const n = behind;
    behind = 0;
    countLost(SKIPPED_SOURCE, n);
    printer.print({ kind: 'lost', lost: { source: SKIPPED_SOURCE, num_events_lost: n } });
  };
  const print = (ev: SourceEvent): void => {
    if (follow && ev.kind === 'flow' && (process.stdout.writableLength ?? 0) > FOLLOW_QUEUE_LIMIT) {
      behind++;
      return;
    }
    catchUp();
    printer.print(ev);
  };

  const onEvent = (ev: SourceEvent): void => {
    if (ev.kind === 'status') {
      if (ev.state === 'warning' && ev.source.startsWith('file:')) {
        skipped++;
        if (skipped <= MAX_REPORTED_LINES) errLine(`netscope: ${sanitize(ev.message ?? '')}\n`);
        else if (skipped === MAX_REPORTED_LINES + 1) errLine('netscope: more malformed lines; only counting them from here\n');
      } else if (ev.state === 'reconnecting' && ev.source.startsWith('server:')) {
        // A gRPC source's message leaves out the server (the TUI shows it as the source).
        errLine(`netscope: ${sanitize(`${ev.source.slice('server:'.length)}: ${ev.message ?? 'reconnecting'}`)}\n`);
      } else if (ev.source === AGENTS_SOURCE && ev.message !== undefined && (ev.state === 'connecting' || ev.state === 'connected')) {
        // The agents' fan-in: what it reads from, and each node's coming and going ("3/3 nodes connected").
        errLine(`netscope: ${sanitize(ev.message)}\n`);
      } else if (ev.state === 'warning' || ev.state === 'error' || ev.state === 'reconnecting') {
        if (ev.state === 'error') runtimeError = true;
        errLine(`netscope: ${sanitize(ev.message ?? `${ev.source}: ${ev.state}`)}\n`);
      }
      return;
    }
    if (ev.kind === 'lost') countLost(ev.lost.source ?? 'UNKNOWN_LOST_EVENT_SOURCE', ev.lost.num_events_lost ?? 0);
    lastEventAt = Date.now();
    selection.offer(ev, print);
  };

  const source = openSource(sourceOpts);
  const code = await new Promise<number>((resolve, reject) => {
    let sub: Subscription | undefined;
    let quietTimer: NodeJS.Timeout | undefined;
    let ended = false;
    const end = (err?: unknown): void => {
      if (ended) return;
      ended = true;
      if (quietTimer !== undefined) clearInterval(quietTimer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      sub?.unsubscribe();
      // Print what was collected before reporting anything.
      selection.finish(print);
      catchUp();
      printer.finish();
      stdout.flush();
      const total = [...lost.values()].reduce((a, b) => a + b, 0);
      if (total > 0) {
        const parts = [...lost].map(([k, n]) => `${sanitize(k)}: ${n}`).join(', ');
        errLine(`netscope: ${total} events lost (${parts})\n`);
      }
      if (skipped > 0) errLine(`netscope: ${skipped} ${skipped === 1 ? 'line' : 'lines'} skipped\n`);
      if (err !== undefined) {
        reject(new CliError(err instanceof Error ? err.message : String(err), ExitCode.ERROR));
        return;
      }
      resolve(runtimeError ? ExitCode.ERROR : skipped > 0 ? ExitCode.PARTIAL : ExitCode.OK);
    };
    const onSignal = (): void => end();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    sub = source.subscribe({
      next: (ev) => {
        onEvent(ev);
        if (selection.satisfied) end();
      },
      error: (err: unknown) => end(err),
      complete: () => end(),
    });
    if (ended) sub.unsubscribe();
    if (follow && !ended) {
      // History of a live source ends when live flows start or, failing that, when it goes quiet.
      quietTimer = setInterval(() => {
        if (Date.now() - lastEventAt >= HISTORY_QUIET_MS) selection.endHistory(print);
      }, HISTORY_QUIET_MS);
    }
  });
  return code;
}

export const observeCommand: Command = {
  name: 'observe',
  summary: 'print flows like `hubble observe` (compact, json, dict, table)',
  run: runObserve,
};
