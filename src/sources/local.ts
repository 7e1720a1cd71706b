// `--local`: flows from netscope's own eBPF collector on this machine (any CNI, no
// Hubble needed). Needs root or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN.
import type { Source } from '../model/source.ts';
import { runCollector, type CollectorOptions } from '../bpf-bridge/loader-process.ts';
import { embeddedCollectorPaths } from '../runtime/collector.ts';

export type LocalSourceOptions = CollectorOptions;

export function createLocalSource(opts: LocalSourceOptions = {}): Source {
  // In the single binary the loader and objects are embedded: extract them (no-op in a checkout).
  return runCollector({ sourceName: 'local', ...embeddedCollectorPaths(), ...opts });
}
