// `netscope serve`: Hubble's Observer and Peer services over any netscope source, so
// `hubble observe`, Hubble UI or Hubble Relay can read what netscope collects.
import os from 'node:os';
import type { Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { flagValue, intValue, matchFlag, boolFlag } from '../flag-values.ts';
import { consumeSourceFlag, emptySourceFlags, sourceFlagsHelp, sourceOptionsFrom, type SourceFlags } from '../source-flags.ts';
import { sanitize } from '../../model/sanitize.ts';
import { openSource } from '../../sources/open.ts';
import { AddressError, addressText, isLocalOnly, parseAddress } from '../../grpc/address.ts';
import type { ServerTlsFiles } from '../../grpc/tls.ts';
import { buildInfo } from '../version-info.ts';

/** Hubble Relay's port on this machine: `hubble observe` with no flags finds it. */
const DEFAULT_LISTEN = 'localhost:4245';
/** Live sources start with this much demo history, so a first `hubble observe` shows something. */
const DEMO_HISTORY_S = 60;
const MAX_BUFFER = 10_000_000;

export interface ServeConfig {
  help: boolean;
  source: SourceFlags;
  listen: string[];
  bufferSize?: number;
  nodeName: string;
  tls?: ServerTlsFiles;
  insecure: boolean;
}

export function serveHelp(defaultBuffer: number): string {
  return [
    'Serve flows over Hubble\'s gRPC API (observer.Observer, peer.Peer): `hubble observe`,',
    'Hubble UI and Hubble Relay can read them, and so can `netscope --server`.',
    '',
    'Usage:',
    '  netscope serve (--demo | --input-file FILE | --local | --server ADDR) [flags]',
    '',
    sourceFlagsHelp(),
    'Server:',
    `      --listen ADDR       HOST:PORT, :PORT (every interface) or unix:///path; repeat for`,
    `                          several (default ${DEFAULT_LISTEN})`,
    `      --buffer-size N     flows kept for history requests (default ${defaultBuffer}; Hubble keeps 4095)`,
    '      --node-name NAME    the name GetNodes and Peer report (default: this host\'s name)',
    '      --tls-cert-file FILE, --tls-key-file FILE',
    '                          serve TLS with this certificate and key',
    '      --tls-client-ca-files FILES',
    '                          require client certificates signed by these CAs (mTLS; comma-separated)',
    '      --insecure          allow plaintext on an address other machines can reach',
    '  -h, --help              this help',
    '',
    'Every --follow client reads from the same buffer at its own pace: a client that falls',
    'more than --buffer-size flows behind gets EVENTS LOST (HUBBLE_RING_BUFFER) for what it',
    'missed; it never slows the source or the other clients.',
    '',
    'Examples:',
    '  netscope serve --demo                                  # then: hubble observe --server localhost:4245',
    '  netscope serve --input-file flows.json --listen unix:///run/netscope.sock',
    '  sudo netscope serve --local --listen :4244 --tls-cert-file s.crt --tls-key-file s.key --tls-client-ca-files ca.crt',
    '  netscope serve --server relay:4245 --listen 127.0.0.1:4246  # chain another server',
    '',
  ].join('\n');
}

export function parseServeArgs(argv: readonly string[]): ServeConfig {
  const cfg: ServeConfig = { help: false, source: emptySourceFlags(), listen: [], nodeName: os.hostname(), insecure: false };
  let cert: string | undefined;
  let key: string | undefined;
  const clientCas: string[] = [];
  for (let i = 0; i < argv.length; ) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      cfg.help = true;
      return cfg;
    }
    const next = consumeSourceFlag(argv, i, cfg.source);
    if (next !== undefined) {
      i = next;
      continue;
    }
    let hit;
    if ((hit = matchFlag(arg, ['--listen', '--listen-address']))) {
      const [v, n] = flagValue(argv, i, hit);
      try {
        parseAddress(v, 'listen');
      } catch (err) {
        if (err instanceof AddressError) throw new CliError(`invalid argument "${v}" for "${hit.flag}" flag: ${err.message}`);
        throw err;
      }
      cfg.listen.push(v);
      i = n;
    } else if ((hit = matchFlag(arg, ['--buffer-size']))) {
      const [v, n] = flagValue(argv, i, hit);
      cfg.bufferSize = intValue('--buffer-size', v, 1, MAX_BUFFER);
      i = n;
    } else if ((hit = matchFlag(arg, ['--node-name']))) {
      const [v, n] = flagValue(argv, i, hit);
      if (v === '') throw new CliError('invalid argument "" for "--node-name" flag: want a name');
      cfg.nodeName = v;
      i = n;
    } else if ((hit = matchFlag(arg, ['--tls-cert-file', '--tls-key-file', '--tls-client-ca-files']))) {
      const [v, n] = flagValue(argv, i, hit);
      if (v === '') throw new CliError(`invalid argument "" for "${hit.flag}" flag: want a file path`);
      if (hit.flag === '--tls-cert-file') cert = v;
      else if (hit.flag === '--tls-key-file') key = v;
      else clientCas.push(...v.split(',').filter((s) => s !== ''));
      i = n;
    } else if ((hit = matchFlag(arg, ['--insecure']))) {
      cfg.insecure = boolFlag(hit);
      i++;
    } else if (arg.startsWith('-')) {
      throw new CliError(`unknown flag: ${arg.split('=')[0]} (see netscope serve --help)`);
    } else {
      throw new CliError(`unexpected argument "${arg}" (serve takes only flags; see netscope serve --help)`);
    }
  }
  if ((cert === undefined) !== (key === undefined)) throw new CliError(cert === undefined ? '--tls-key-file needs --tls-cert-file' : '--tls-cert-file needs --tls-key-file');
  if (clientCas.length > 0 && cert === undefined) throw new CliError('--tls-client-ca-files needs --tls-cert-file and --tls-key-file');
  if (cert !== undefined && key !== undefined) cfg.tls = { certFile: cert, keyFile: key, clientCaFiles: clientCas.length > 0 ? clientCas : undefined };
  if (cfg.listen.length === 0) cfg.listen.push(DEFAULT_LISTEN);
  if (cfg.tls === undefined && !cfg.insecure) {
    const open = cfg.listen.map((l) => parseAddress(l, 'listen')).find((a) => !isLocalOnly(a));
    if (open !== undefined) {
      throw new CliError(
        `refusing to serve flows in plaintext on ${addressText(open)}, which other machines can reach: give --tls-cert-file and --tls-key-file, or --insecure`,
      );
    }
  }
  return cfg;
}

export async function runServe(argv: string[]): Promise<number> {
  const { DEFAULT_BUFFER_SIZE, startObserverServer } = await import('../../grpc/server.ts');
  const cfg = parseServeArgs(argv);
  if (cfg.help) {
    process.stdout.write(serveHelp(DEFAULT_BUFFER_SIZE));
    return ExitCode.OK;
  }
  const bufferSize = cfg.bufferSize ?? DEFAULT_BUFFER_SIZE;
  // A chained server hands over as much history as this one keeps, then follows.
  const sourceOpts = sourceOptionsFrom(cfg.source, { follow: true, grpc: { filters: { allow: [], deny: [] }, number: bufferSize } });
  if (sourceOpts.kind === 'demo') sourceOpts.historySeconds = DEMO_HISTORY_S;
  const say = (line: string): void => void process.stderr.write(`netscope serve: ${sanitize(line)}\n`);
  const server = await startObserverServer({
    source: openSource(sourceOpts),
    listen: cfg.listen,
    tls: cfg.tls,
    bufferSize,
    nodeName: cfg.nodeName,
    version: `netscope ${buildInfo().version}`,
    onStatus: (ev) => {
      if (ev.state !== 'connected' || ev.message !== undefined) say(ev.message ?? `${ev.source}: ${ev.state}`);
    },
    onSourceError: (err) => say(`source failed, still serving what it had: ${err instanceof Error ? err.message : String(err)}`),
  }).catch((err: unknown) => {
    throw new CliError(err instanceof Error ? err.message : String(err), ExitCode.ERROR);
  });
  const mode = cfg.tls ? (cfg.tls.clientCaFiles ? 'mTLS' : 'TLS') : 'plaintext';
  say(`listening on ${server.addresses.join(', ')} (${mode}), buffer ${bufferSize} flows, node ${cfg.nodeName}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  return ExitCode.OK;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve flows over Hubble\'s gRPC API (hubble observe, Hubble UI, Relay)',
  run: runServe,
};
