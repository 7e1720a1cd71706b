// `-o json` / `-o jsonpb`: Hubble's JSON export, one GetFlowsResponse per line (the
// same format --input-file reads). Node errors go to stderr, as hubble does.
import { encodeEvent } from '../codec/hubble-json-encode.ts';
import type { SourceEvent } from '../model/source.ts';
import type { PrintSink, Printer } from './printer.ts';

export function createJsonPrinter(sink: PrintSink): Printer {
  return {
    print(ev: SourceEvent): void {
      if (ev.kind === 'node-status') {
        const st = ev.status.state_change;
        if (st !== 'NODE_ERROR' && st !== 'NODE_UNAVAILABLE') return;
        const line = encodeEvent(ev);
        if (line !== undefined) sink.err(line + '\n');
        return;
      }
      const line = encodeEvent(ev);
      if (line !== undefined) sink.out(line + '\n');
    },
    finish(): void {},
  };
}
