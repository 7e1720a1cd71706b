// Hubble's client flags for a gRPC source, spelled as `hubble observe` spells them:
// --server (and $HUBBLE_SERVER), --tls and its files, -P/--port-forward. Shared by
// `netscope observe` (through source-flags.ts) and the TUI.
import { AddressError, parseAddress } from '../grpc/address.ts';
import type { ClientTls } from '../grpc/tls.ts';
import { CliError } from './exit-codes.ts';
import { boolFlag, flagValue, matchFlag } from './flag-values.ts';

export interface ServerFlags {
  server?: string;
  tls: boolean;
  tlsAllowInsecure: boolean;
  tlsCaCertFiles: string[];
  tlsClientCertFile?: string;
  tlsClientKeyFile?: string;
  tlsServerName?: string;
  portForward: boolean;
}

export function emptyServerFlags(): ServerFlags {
  return { tls: false, tlsAllowInsecure: false, tlsCaCertFiles: [], portForward: false };
}

/** Consumes argv[i] if it is one of these flags; returns the next index, else undefined. */
export function consumeServerFlag(argv: readonly string[], i: number, into: ServerFlags): number | undefined {
  const arg = argv[i]!;
  let hit;
  if ((hit = matchFlag(arg, ['--server']))) {
    const [v, next] = flagValue(argv, i, hit);
    into.server = checkServer('--server', v);
    return next;
  }
  if ((hit = matchFlag(arg, ['--tls']))) {
    into.tls = boolFlag(hit);
    return i + 1;
  }
  if ((hit = matchFlag(arg, ['--tls-allow-insecure']))) {
    into.tlsAllowInsecure = boolFlag(hit);
    return i + 1;
  }
  if ((hit = matchFlag(arg, ['-P', '--port-forward']))) {
    into.portForward = boolFlag(hit);
    return i + 1;
  }
  if ((hit = matchFlag(arg, ['--tls-ca-cert-files', '--tls-client-cert-file', '--tls-client-key-file', '--tls-server-name']))) {
    const [v, next] = flagValue(argv, i, hit);
    if (v === '') throw new CliError(`invalid argument "" for "${hit.flag}" flag: want a ${hit.flag === '--tls-server-name' ? 'name' : 'file path'}`);
    if (hit.flag === '--tls-ca-cert-files') into.tlsCaCertFiles.push(...v.split(',').filter((s) => s !== ''));
    else if (hit.flag === '--tls-client-cert-file') into.tlsClientCertFile = v;
    else if (hit.flag === '--tls-client-key-file') into.tlsClientKeyFile = v;
    else into.tlsServerName = v;
    return next;
  }
  return undefined;
}

/** A --server / $HUBBLE_SERVER value, checked; the CliError names where it came from. */
export function checkServer(from: string, v: string): string {
  try {
    parseAddress(v, 'connect');
  } catch (err) {
    if (err instanceof AddressError) throw new CliError(`invalid argument "${v}" for "${from}": ${err.message}`);
    throw err;
  }
  return v;
}

function tlsFlagGiven(f: ServerFlags): boolean {
  return f.tlsAllowInsecure || f.tlsCaCertFiles.length > 0 || f.tlsClientCertFile !== undefined || f.tlsClientKeyFile !== undefined || f.tlsServerName !== undefined;
}

/** True when any of these flags was given (so a gRPC source is meant). */
export function serverFlagsUsed(f: ServerFlags): boolean {
  return f.server !== undefined || f.portForward || f.tls || tlsFlagGiven(f);
}

/** The client's TLS settings; any --tls-* flag implies --tls. Undefined: plaintext. */
export function clientTlsFrom(f: ServerFlags): ClientTls | undefined {
  if (!f.tls && !tlsFlagGiven(f)) return undefined;
  if ((f.tlsClientCertFile === undefined) !== (f.tlsClientKeyFile === undefined)) {
    throw new CliError(f.tlsClientCertFile === undefined ? '--tls-client-key-file needs --tls-client-cert-file' : '--tls-client-cert-file needs --tls-client-key-file');
  }
  return {
    allowInsecure: f.tlsAllowInsecure,
    caFiles: f.tlsCaCertFiles.length > 0 ? f.tlsCaCertFiles : undefined,
    certFile: f.tlsClientCertFile,
    keyFile: f.tlsClientKeyFile,
    serverName: f.tlsServerName,
  };
}

export function serverFlagsHelp(): string {
  return [
    '      --server ADDR       Hubble Relay, a Cilium agent or `netscope serve`: HOST:PORT',
    '                          (port 4245 if left out) or unix:///path; default $HUBBLE_SERVER',
    '  -P, --port-forward      reach the hubble-relay Service in kube-system through the API',
    '                          server (kubeconfig), no route to pod IPs needed',
    '      --tls               connect with TLS (implied by the other --tls-* flags)',
    '      --tls-allow-insecure  do not verify the server certificate',
    '      --tls-ca-cert-files FILES  CA certificates to verify the server with (comma-separated)',
    '      --tls-client-cert-file FILE, --tls-client-key-file FILE',
    '                          client certificate and key (mTLS)',
    '      --tls-server-name NAME  the name to verify instead of the --server host',
  ].join('\n');
}
