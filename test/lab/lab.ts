// A network lab for tests and benchmarks: network namespaces as "pods" on a bridge
// that lives in its own namespace, so nothing touches the host's interfaces or
// addresses. Pod addresses are 10.231.<k>.<n>/24, which exist only inside the lab.
// Names are unique per process (nsl-<pid>-<k>-<pod>); destroy() removes everything
// it created, and is safe to call after a partial setup.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { within } from '../wait.ts';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NODE = process.execPath;
export const AGENTS = join(REPO_ROOT, 'test', 'lab', 'agents.ts');

let labCounter = 0;

/**
 * Claims a /24 of 10.231.0.0/16 for one lab. Labs of test files that run at once
 * (node --test runs two) must not share addresses: the collector sees every
 * namespace's traffic, and each test keeps only its own lab's flows. A claim is a
 * file made with O_EXCL holding the owner's pid; one whose owner is gone is taken over.
 */
export function claimSubnet(dir = tmpdir()): { third: number; release: () => void } {
  for (let i = 0; i < 254; i++) {
    const third = 1 + ((process.pid + labCounter + i) % 254);
    const path = join(dir, `netscope-lab-10.231.${third}`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(path, String(process.pid), { flag: 'wx' });
        return { third, release: () => unlinkSync(path) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // not a taken subnet: say so
        if (ownerAlive(path)) break;
        try {
          unlinkSync(path); // its owner died without releasing it
        } catch {
          /* another process took it over first */
        }
      }
    }
  }
  throw new Error('no free lab subnet in 10.231.1.0/24 .. 10.231.254.0/24');
}

function ownerAlive(path: string): boolean {
  try {
    process.kill(Number(readFileSync(path, 'utf8')), 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Pod {
  name: string;
  netns: string;
  ip: string;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export class Lab {
  readonly prefix: string;
  readonly bridgeNs: string;
  readonly pods = new Map<string, Pod>();
  /** This lab's addresses start with it: '10.231.<k>.'. */
  readonly net: string;
  private readonly procs: ChildProcess[] = [];
  private readonly namespaces: string[] = [];
  private releaseSubnet: (() => void) | undefined;

  constructor() {
    const { third, release } = claimSubnet();
    this.net = `10.231.${third}.`;
    this.releaseSubnet = release;
    this.prefix = `nsl-${process.pid}-${labCounter++}`;
    this.bridgeNs = `${this.prefix}-br`;
  }

  /** Whether an address is one of this lab's pods'. */
  owns(addr: string | undefined): boolean {
    return addr?.startsWith(this.net) ?? false;
  }

  /** Creates the bridge namespace and one namespace per pod, in order <net>.2, .3, ... */
  static create(podNames: string[]): Lab {
    const lab = new Lab();
    try {
      lab.addNs(lab.bridgeNs);
      ip('-n', lab.bridgeNs, 'link', 'add', 'br0', 'type', 'bridge');
      ip('-n', lab.bridgeNs, 'link', 'set', 'br0', 'up');
      ip('-n', lab.bridgeNs, 'link', 'set', 'lo', 'up');
      podNames.forEach((name, i) => lab.addPod(name, `${lab.net}${i + 2}`, i));
    } catch (err) {
      lab.destroy();
      throw err;
    }
    return lab;
  }

  private addNs(ns: string): void {
    ip('netns', 'add', ns);
    this.namespaces.push(ns);
  }

  private addPod(name: string, addr: string, index: number): void {
    const netns = `${this.prefix}-${name}`;
    this.addNs(netns);
    const host = `veth${index}`;
    // Create the pair inside the bridge namespace, then move the pod end.
    ip('-n', this.bridgeNs, 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
    ip('-n', this.bridgeNs, 'link', 'set', host, 'master', 'br0');
    ip('-n', this.bridgeNs, 'link', 'set', host, 'up');
    ip('-n', netns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
    ip('-n', netns, 'link', 'set', 'eth0', 'up');
    ip('-n', netns, 'link', 'set', 'lo', 'up');
    this.pods.set(name, { name, netns, ip: addr });
  }

  pod(name: string): Pod {
    const p = this.pods.get(name);
    if (!p) throw new Error(`lab has no pod ${name}`);
    return p;
  }

  /** Runs a command inside a pod and returns its stdout (throws with stderr on failure). */
  exec(pod: string, cmd: string[], input?: string): string {
    return execFileSync('ip', ['netns', 'exec', this.pod(pod).netns, ...cmd], {
      encoding: 'utf8',
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  /** Starts test/lab/agents.ts MODE ARGS in a pod; resolves once it prints "ready". */
  async startAgent(pod: string, mode: string, args: string[] = []): Promise<ChildProcess> {
    const child = spawn('ip', ['netns', 'exec', this.pod(pod).netns, NODE, AGENTS, mode, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.procs.push(child);
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer): void => {
        out += d.toString();
        if (out.includes('ready')) {
          child.stdout!.off('data', onData);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${mode} in ${pod} exited (${code}) before ready: ${err.trim()}`)));
    });
    try {
      await within(`${mode} in ${pod} to print "ready"`, 20_000, ready);
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    }
    return child;
  }

  /** Runs an agent to completion in a pod (killed after `ms`); resolves with its pid and stdout. */
  async runAgent(pod: string, mode: string, args: string[] = [], ms = 60_000): Promise<{ pid: number; stdout: string }> {
    const child = spawn('ip', ['netns', 'exec', this.pod(pod).netns, NODE, AGENTS, mode, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.procs.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = once(child, 'exit');
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    const [code] = (await exited.finally(() => clearTimeout(timer))) as [number | null];
    if (timedOut) throw new Error(`${mode} ${args.join(' ')} in ${pod} did not finish within ${ms / 1000} s: ${err.trim()}`);
    if (code !== 0) throw new Error(`${mode} ${args.join(' ')} in ${pod} failed (${code}): ${err.trim()}`);
    return { pid: child.pid!, stdout: out };
  }

  /** Loads an nftables ruleset inside a pod's namespace. */
  nft(pod: string, ruleset: string): void {
    this.exec(pod, ['nft', '-f', '-'], ruleset);
  }

  destroy(): void {
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    for (const ns of this.namespaces.reverse()) {
      try {
        ip('netns', 'del', ns);
      } catch {
        /* already gone */
      }
    }
    this.namespaces.length = 0;
    this.releaseSubnet?.();
    this.releaseSubnet = undefined;
  }
}

/** Names of lab namespaces that still exist (for leak checks). */
export function leftoverNamespaces(prefix: string): string[] {
  const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(prefix));
}

/** Destroys a lab (if one was made) and checks that none of its namespaces is left. */
export function destroyLab(lab: Lab | undefined): void {
  const prefix = lab?.prefix;
  lab?.destroy();
  if (prefix) assert.deepEqual(leftoverNamespaces(prefix), [], 'lab namespaces removed');
}
