// The thin effectful edge: runs native/netscope-loader as a child process and turns
// its stdout into SourceEvents. A separate process keeps a crash in C (or a kernel
// refusing a program) away from the TUI, and stdin is a pipe the loader watches:
// if netscope dies, the loader sees EOF, detaches everything and exits.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Observable } from 'rxjs';
import type { SourceEvent } from '../model/source.ts';
import { sanitize } from '../model/sanitize.ts';
import { RecordReader } from './records.ts';
import { FlowMapper } from './to-flow.ts';

export interface CollectorOptions {
  /** The loader executable; default $NETSCOPE_LOADER or build/native/netscope-loader. */
  loaderPath?: string;
  /** Directory holding ns_*.bpf.o; default $NETSCOPE_BPF_DIR or build/bpf. */
  objDir?: string;
  /** cgroup v2 directory for the socket-layer (HTTP/DNS) programs; default: the root. */
  cgroup?: string;
  /** Leave out HTTP/DNS/request latency (cgroup_skb programs). */
  noL7?: boolean;
  /**
   * How received data is seen: 'sockets' (where the kernel has the sk_data_ready and
   * sock_recv_length tracepoints, Linux 6.4+: once per arrival, bytes from the
   * reader's buffer) or 'packets' (a cgroup_skb program for every received packet).
   * Default: sockets where available.
   */
  l7Ingress?: 'packets' | 'sockets';
  /**
   * How sent data is seen: 'sockets' (tcp:tcp_sendmsg_locked, once per send with the
   * bytes from the sender's buffer; UDP DNS at sock_send_length) or 'packets' (a
   * cgroup_skb program for every sent packet). Default: sockets where the kernel has
   * the tracepoint and received data is seen from sockets too.
   */
  l7Egress?: 'packets' | 'sockets';
  /** Leave out packet drops. */
  noDrops?: boolean;
  /** Also report the open of connections that close within ~50 ms (default: their close summary only). */
  allOpens?: boolean;
  /**
   * Size of the kernel's socket-state table (a power of two; the loader's default is
   * 8192). Sockets that find their slot taken use socket-local storage instead, so
   * this trades memory against cost, never against what is reported.
   */
  slots?: number;
  /**
   * Programs to treat as refused by the kernel (the loader's --refuse): what each
   * refusal degrades to, shown and tested without a kernel that refuses it.
   */
  refuse?: string[];
  nodeName?: string;
  /** Plain flow objects, every field decoded at once, instead of lazy ones (FlowMapperOptions.eager). */
  eager?: boolean;
  /** Name in status events. */
  sourceName?: string;
  /** Called with each chunk of the loader's output as it is read (tests keep a run's raw records). */
  onChunk?: (chunk: Buffer) => void;
  /** Called with the loader's pid once it is started (tests check its kernel objects). */
  onSpawn?: (pid: number) => void;
}

export interface CollectorPaths {
  loaderPath: string;
  objDir: string;
}

export function collectorPaths(opts: CollectorOptions = {}): CollectorPaths {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return {
    loaderPath: opts.loaderPath ?? process.env['NETSCOPE_LOADER'] ?? join(root, 'build', 'native', 'netscope-loader'),
    objDir: opts.objDir ?? process.env['NETSCOPE_BPF_DIR'] ?? join(root, 'build', 'bpf'),
  };
}

/** Exit statuses of the loader (native/loader.c). */
const LOADER_EXIT: Record<number, string> = { 1: 'failed', 3: 'lacks privileges', 4: 'kernel lacks a required feature' };

/**
 * Cold Observable: subscribing starts the collector, unsubscribing stops it
 * (SIGTERM; the loader detaches its programs and exits). Emits a `done` status
 * with the event and lost totals when the loader stops, and errors (once, no
 * separate error status) with the loader's own one-line message when it fails.
 */
export function runCollector(opts: CollectorOptions = {}): Observable<SourceEvent> {
  return new Observable<SourceEvent>((sub) => {
    const { loaderPath, objDir } = collectorPaths(opts);
    const sourceName = opts.sourceName ?? 'local';
    if (!existsSync(loaderPath) || !existsSync(join(objDir, 'ns_conn.bpf.o'))) {
      sub.error(new Error(`eBPF collector not built: ${existsSync(loaderPath) ? join(objDir, 'ns_conn.bpf.o') : loaderPath} missing (run npm run build:bpf)`));
      return;
    }
    const args = [objDir];
    if (opts.cgroup !== undefined) args.push('--cgroup', opts.cgroup);
    if (opts.noL7) args.push('--no-l7');
    if (opts.l7Ingress) args.push('--l7-ingress', opts.l7Ingress);
    if (opts.l7Egress) args.push('--l7-egress', opts.l7Egress);
    if (opts.noDrops) args.push('--no-drops');
    if (opts.allOpens) args.push('--all-opens');
    if (opts.slots !== undefined) args.push('--slots', String(opts.slots));
    if (opts.refuse?.length) args.push('--refuse', opts.refuse.join(','));
    const mapper = new FlowMapper({ nodeName: opts.nodeName ?? hostname(), sourceName, eager: opts.eager === true });
    const reader = new RecordReader();
    sub.next({ kind: 'status', source: sourceName, state: 'connecting', message: `starting eBPF collector (${loaderPath})` });
    const child = spawn(loaderPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    let stderr = '';
    let stopping = false;
    let failed = false;

    const emit = (ev: SourceEvent): void => sub.next(ev);
    const mapRecord = (buf: Buffer, off: number, size: number): void => mapper.mapAt(buf, off, size, emit);
    child.stdout.on('data', (chunk: Buffer) => {
      if (failed) return;
      opts.onChunk?.(chunk);
      try {
        reader.feed(chunk, mapRecord);
      } catch (err) {
        failed = true;
        child.kill('SIGTERM');
        sub.error(new Error(`eBPF collector: ${err instanceof Error ? err.message : String(err)}`));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4096);
    });
    child.on('error', (err) => {
      if (failed) return;
      failed = true;
      sub.error(new Error(`cannot start eBPF collector ${loaderPath}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      if (failed) return;
      mapper.flush(emit);
      const totals = `${mapper.eventsTotal} kernel events, ${mapper.lostTotal} lost`;
      if (code === 0 || (stopping && signal === 'SIGTERM')) {
        sub.next({ kind: 'status', source: sourceName, state: 'done', message: `eBPF collector stopped: ${totals}` });
        sub.complete();
        return;
      }
      const line = sanitize(stderr.trim().split('\n').pop() ?? '').replace(/^netscope-loader: /, '');
      const why = code !== null ? (LOADER_EXIT[code] ?? `exited with status ${code}`) : `killed by ${signal}`;
      sub.error(new Error(`eBPF collector ${why}${line ? `: ${line}` : ''}`));
    });
    // An EPIPE on the loader's stdin only means it already exited; 'close' reports it.
    child.stdin.on('error', () => {});

    return () => {
      if (child.exitCode === null && child.signalCode === null) {
        stopping = true;
        child.kill('SIGTERM');
        child.stdin.end();
      }
    };
  });
}
