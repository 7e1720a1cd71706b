// `-o table`: aligned columns, like hubble's tabwriter output. Columns are sized over
// all rows, so the table is written when the stream ends (hubble refuses table
// output with --follow for the same reason). Colour is never used here, as in hubble.
import type { SourceEvent } from '../model/source.ts';
import { Colorer } from './colors.ts';
import { nodeStatusLine } from './compact.ts';
import { txt, flowType, hostNames, summaryText, verdictText } from './flow-fields.ts';
import type { PrintSink, Printer, PrinterOptions } from './printer.ts';
import { alignColumns } from './tabwriter.ts';
import { timeFormatter } from './time-format.ts';

export function createTablePrinter(opts: PrinterOptions, sink: PrintSink): Printer {
  const c = new Colorer(false);
  const fmtTime = timeFormatter(opts.timeFormat);
  const fieldOpts = { ipTranslation: opts.ipTranslation };
  const rows: string[][] = [];
  const header = (): void => {
    if (rows.length > 0) return;
    rows.push(
      opts.nodeName
        ? ['TIMESTAMP', 'NODE', 'SOURCE', 'DESTINATION', 'TYPE', 'VERDICT', 'SUMMARY']
        : ['TIMESTAMP', 'SOURCE', 'DESTINATION', 'TYPE', 'VERDICT', 'SUMMARY'],
    );
  };
  const row = (time: string, node: string, rest: string[]): void => {
    header();
    rows.push(opts.nodeName ? [time, node, ...rest] : [time, ...rest]);
  };
  return {
    print(ev: SourceEvent): void {
      switch (ev.kind) {
        case 'flow': {
          const f = ev.flow;
          const [src, dst] = hostNames(f, c, fieldOpts);
          row(fmtTime(f.time), txt(f.node_name), [src, dst, flowType(f), verdictText(f, c), summaryText(f, c)]);
          return;
        }
        case 'lost': {
          const l = ev.lost;
          row('', '', [
            txt(l.source ?? 'UNKNOWN_LOST_EVENT_SOURCE'),
            '',
            'EVENTS LOST',
            '',
            'CPU(' + txt((l.cpu ?? 0)) + ') - ' + txt((l.num_events_lost ?? 0)),
          ]);
          return;
        }
        case 'node-status': {
          const line = nodeStatusLine(ev, fmtTime);
          if (line !== undefined) sink.err(line);
          return;
        }
        default:
          return;
      }
    },
    finish(): void {
      if (rows.length > 0) sink.out(alignColumns(rows));
      rows.length = 0;
    },
  };
}
