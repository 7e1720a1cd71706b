// TLS for both ends, from the files hubble's flags name. Reading a file that is not
// there, or is not PEM, fails here with the flag and path, before anything connects.
import fs from 'node:fs';
import tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';

export interface ServerTlsFiles {
  certFile: string;
  keyFile: string;
  /** With these, clients must present a certificate they signed (mTLS). */
  clientCaFiles?: string[];
  /** The name clients should verify (Peer.Notify, GetNodes); default: the node name. */
  serverName?: string;
}

export interface ClientTls {
  /** --tls-allow-insecure: encrypt, but do not verify the server's certificate. */
  allowInsecure?: boolean;
  caFiles?: string[];
  certFile?: string;
  keyFile?: string;
  /** --tls-server-name: the name to verify instead of the host of --server. */
  serverName?: string;
}

export class TlsFileError extends Error {}

function readPem(flag: string, path: string, what: 'CERTIFICATE' | 'PRIVATE KEY'): Buffer {
  let b: Buffer;
  try {
    b = fs.readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TlsFileError(`${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(err)}`);
  }
  const text = b.toString('latin1');
  const ok = what === 'CERTIFICATE' ? text.includes('-----BEGIN CERTIFICATE-----') : /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text);
  if (!ok) throw new TlsFileError(`${flag} ${path}: not a PEM ${what === 'CERTIFICATE' ? 'certificate' : 'private key'}`);
  return b;
}

function readCas(flag: string, files: string[] | undefined): Buffer | null {
  if (files === undefined || files.length === 0) return null;
  return Buffer.concat(files.map((f) => readPem(flag, f, 'CERTIFICATE')));
}

/** The PEM files of a server's TLS options, read and checked (flag and path named on a problem). */
export function readServerTls(t: ServerTlsFiles): { cert: Buffer; key: Buffer; clientCa: Buffer | null } {
  const cert = readPem('--tls-cert-file', t.certFile, 'CERTIFICATE');
  const key = readPem('--tls-key-file', t.keyFile, 'PRIVATE KEY');
  const clientCa = readCas('--tls-client-ca-files', t.clientCaFiles);
  return { cert, key, clientCa };
}

/** The PEM files of a client's TLS options, read and checked (flag and path named on a problem). */
export function readClientTls(t: ClientTls): { ca: Buffer | null; cert: Buffer | null; key: Buffer | null } {
  if ((t.certFile === undefined) !== (t.keyFile === undefined)) {
    throw new TlsFileError(t.certFile === undefined ? '--tls-client-key-file needs --tls-client-cert-file' : '--tls-client-cert-file needs --tls-client-key-file');
  }
  const ca = readCas('--tls-ca-cert-files', t.caFiles);
  const cert = t.certFile !== undefined ? readPem('--tls-client-cert-file', t.certFile, 'CERTIFICATE') : null;
  const key = t.keyFile !== undefined ? readPem('--tls-client-key-file', t.keyFile, 'PRIVATE KEY') : null;
  return { ca, cert, key };
}

/** `verifyHost`: check the server certificate for this name or IP, whatever the TLS server name. */
export function clientCredentials(t: ClientTls, verifyHost?: string): grpc.ChannelCredentials {
  const { ca, cert, key } = readClientTls(t);
  const verify: grpc.VerifyOptions = t.allowInsecure
    ? { rejectUnauthorized: false, checkServerIdentity: () => undefined }
    : verifyHost !== undefined
      ? { checkServerIdentity: (_name, c) => tls.checkServerIdentity(verifyHost, c) }
      : {};
  return grpc.credentials.createSsl(ca, key, cert, verify);
}
