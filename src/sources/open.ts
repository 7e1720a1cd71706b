// Picks the Source for a set of CLI options. Each kind of source is one branch; new
// kinds (local collector, Kubernetes / Hubble Relay) add a member to SourceOptions
// and a case here.
import type { Source } from '../model/source.ts';
import { createDemoSource } from './demo/index.ts';
import { createFileSource } from './file.ts';

export type SourceOptions =
  | {
      kind: 'file';
      /** `-` for stdin. */
      path: string;
      linePrefilter?: (line: string) => boolean;
    }
  | {
      kind: 'demo';
      seed?: number;
      /** Flows per second. */
      rate?: number;
      /** Seconds of history before now. */
      historySeconds?: number;
      follow: boolean;
    };

export function openSource(opts: SourceOptions): Source {
  switch (opts.kind) {
    case 'file':
      return createFileSource({ path: opts.path, linePrefilter: opts.linePrefilter });
    case 'demo':
      return createDemoSource({ seed: opts.seed, rate: opts.rate, historySeconds: opts.historySeconds, follow: opts.follow });
  }
}
