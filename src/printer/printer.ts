// The printer contract: a printer turns SourceEvents into text for stdout / stderr
// (hubble prints some node-status events to stderr) and holds no I/O of its own.
import type { SourceEvent } from '../model/source.ts';
import type { TimeFormatName } from './time-format.ts';

export const OUTPUT_FORMATS = ['compact', 'dict', 'table', 'tab', 'json', 'jsonpb'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface PrintSink {
  out(text: string): void;
  err(text: string): void;
}

export interface PrinterOptions {
  output: OutputFormat;
  color: boolean;
  timeFormat: TimeFormatName;
  /** --print-node-name */
  nodeName: boolean;
  /** Names instead of IPs; false with --numeric. */
  ipTranslation: boolean;
}

export interface Printer {
  /** Renders one event into the sink. netscope status events are not printed here. */
  print(ev: SourceEvent): void;
  /** Flushes what a printer holds back (the table aligns its columns at the end). */
  finish(): void;
}

/** Hubble's `joinWithCutOff`: joins names, eliding the rest after ~targetLen characters. */
export function joinWithCutOff(elems: string[], sep: string, targetLen: number): string {
  let len = 0;
  let end = elems.length;
  for (let i = 0; i < elems.length; i++) {
    len += elems[i]!.length + sep.length;
    if (len > targetLen && i > 0) {
      end = i;
      break;
    }
  }
  const joined = elems.slice(0, end).join(sep);
  const omitted = elems.length - end;
  return omitted === 0 ? joined : `${joined} (and ${omitted} more)`;
}

export const NODE_NAMES_CUTOFF = 50;
