// Which name a TLS client sends (SNI), which name it checks the certificate for, and
// the :authority it asks, by the rules grpc-js applies with client.ts' options (and Go's
// client): --tls-server-name replaces the host for all three; an IP target is verified
// against the IP but sends no IP as SNI (RFC 6066 forbids it). Pure.
import net from 'node:net';
import type { GrpcAddress } from '../address.ts';
import type { ClientTls } from '../tls.ts';

/** Sent as the TLS server name for IP targets (which must send none); never verified against. */
export const IP_SNI_PLACEHOLDER = 'ip-target.invalid';

export interface TlsNames {
  servername: string;
  /** The name or IP the certificate must be for; undefined: not checked (--tls-allow-insecure). */
  verify: string | undefined;
}

export function tlsNames(addr: GrpcAddress, t: ClientTls): TlsNames {
  const host = addr.kind === 'tcp' ? addr.host : 'localhost';
  if (t.serverName) return { servername: t.serverName, verify: t.allowInsecure ? undefined : t.serverName };
  const isIp = net.isIP(host) !== 0;
  return { servername: isIp ? IP_SNI_PLACEHOLDER : host, verify: t.allowInsecure ? undefined : host };
}

/** The :authority of requests: the TLS server name when one is given, else the target (grpc-js' default). */
export function authorityOf(addr: GrpcAddress, t: ClientTls | undefined): string {
  if (t?.serverName) return t.serverName;
  return addr.kind === 'tcp' ? addr.target : 'localhost';
}
