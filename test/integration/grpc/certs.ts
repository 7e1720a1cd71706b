// Certificates made with openssl at test time: a CA, a server and a client certificate
// it signed, an expired server certificate, and a second, unrelated CA.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestPki {
  dir: string;
  ca: string;
  otherCa: string;
  serverCert: string;
  serverKey: string;
  expiredCert: string;
  expiredKey: string;
  clientCert: string;
  clientKey: string;
  cleanup(): void;
}

function ssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function selfSigned(dir: string, name: string): void {
  ssl(dir, ['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`]);
}

function signed(dir: string, name: string, ext: string, days: string): void {
  ssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
  ssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', days, '-extfile', `${name}.ext`]);
}

export function makePki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netscope-pki-'));
  selfSigned(dir, 'ca');
  selfSigned(dir, 'other-ca');
  const serverExt = 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:relay.hubble.test,DNS:*.default.hubble-grpc.cilium.io\nextendedKeyUsage=serverAuth\n';
  signed(dir, 'server', serverExt, '2');
  signed(dir, 'expired', serverExt, '-1'); // notAfter before now
  signed(dir, 'client', 'extendedKeyUsage=clientAuth\n', '2');
  const p = (f: string) => path.join(dir, f);
  return {
    dir,
    ca: p('ca.pem'),
    otherCa: p('other-ca.pem'),
    serverCert: p('server.pem'),
    serverKey: p('server.key'),
    expiredCert: p('expired.pem'),
    expiredKey: p('expired.key'),
    clientCert: p('client.pem'),
    clientKey: p('client.key'),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
