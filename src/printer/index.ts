// Picks the printer for an output format.
import { createCompactPrinter } from './compact.ts';
import { createDictPrinter } from './dict.ts';
import { createJsonPrinter } from './jsonpb.ts';
import type { PrintSink, Printer, PrinterOptions } from './printer.ts';
import { createTablePrinter } from './table.ts';

export type { OutputFormat, PrintSink, Printer, PrinterOptions } from './printer.ts';
export { OUTPUT_FORMATS } from './printer.ts';

export function createPrinter(opts: PrinterOptions, sink: PrintSink): Printer {
  switch (opts.output) {
    case 'compact':
      return createCompactPrinter(opts, sink);
    case 'dict':
      return createDictPrinter(opts, sink);
    case 'table':
    case 'tab':
      return createTablePrinter(opts, sink);
    case 'json':
    case 'jsonpb':
      return createJsonPrinter(sink);
  }
}
