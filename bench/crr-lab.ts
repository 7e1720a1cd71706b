// The TCP_CRR lab shared by the eBPF benches: builds the collector and the C load
// generator, makes a client and a server namespace tuned for short connections, and
// starts the server. Needs root; the namespaces and the server go away on exit.
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { Lab, REPO_ROOT } from '../test/lab/lab.ts';

export const CRR_PORT = 8000;
const CRR = join(REPO_ROOT, 'build', 'bench', 'bpf-crr');

export interface CrrLab {
  lab: Lab;
  serverIp: string;
  server: ChildProcessByStdio<null, Readable, null>;
  /** `ip` arguments running the client in its namespace for `seconds` (paced at `rate`/s when given). */
  clientArgs(threads: number, seconds: number, rate?: number): string[];
}

export async function startCrrLab(): Promise<CrrLab> {
  execFileSync('bash', [join(REPO_ROOT, 'scripts', 'build-bpf.sh')], { stdio: 'inherit' });
  execFileSync('mkdir', ['-p', join(REPO_ROOT, 'build', 'bench')]);
  execFileSync('gcc', ['-O2', '-pthread', '-o', CRR, join(REPO_ROOT, 'bench', 'bpf-crr.c')], { stdio: 'inherit' });

  const lab = Lab.create(['client', 'server']);
  process.on('exit', () => lab.destroy());
  const serverIp = lab.pod('server').ip;
  // Short connections: widen the client's port range and reuse TIME_WAIT ports.
  lab.exec('client', ['sysctl', '-q', '-w', 'net.ipv4.ip_local_port_range=1024 65000', 'net.ipv4.tcp_tw_reuse=1']);
  lab.exec('server', ['sysctl', '-q', '-w', 'net.core.somaxconn=4096', 'net.ipv4.tcp_max_syn_backlog=8192']);

  const server = spawn('ip', ['netns', 'exec', lab.pod('server').netns, CRR, 'server', String(CRR_PORT), '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => server.stdout.once('data', () => resolve()));
  process.on('exit', () => server.kill('SIGKILL'));

  return {
    lab,
    serverIp,
    server,
    clientArgs(threads, seconds, rate) {
      const args = ['netns', 'exec', lab.pod('client').netns, CRR, 'client', serverIp, String(CRR_PORT), String(threads), String(seconds)];
      if (rate !== undefined) args.push(String(rate));
      return args;
    },
  };
}
