// `-o dict`: one block of `KEY: value` lines per flow, blocks separated by dashes.
import type { SourceEvent } from '../model/source.ts';
import { sanitize } from '../model/sanitize.ts';
import { Colorer } from './colors.ts';
import { txt, flowType, hostNames, summaryText, verdictText } from './flow-fields.ts';
import { NODE_NAMES_CUTOFF, joinWithCutOff, type PrintSink, type Printer, type PrinterOptions } from './printer.ts';
import { timeFormatter } from './time-format.ts';

const SEPARATOR = '------------\n';

export function createDictPrinter(opts: PrinterOptions, sink: PrintSink): Printer {
  const c = new Colorer(opts.color);
  const fmtTime = timeFormatter(opts.timeFormat);
  const fieldOpts = { ipTranslation: opts.ipTranslation };
  let line = 0;
  return {
    print(ev: SourceEvent): void {
      switch (ev.kind) {
        case 'flow': {
          const f = ev.flow;
          const [src, dst] = hostNames(f, c, fieldOpts);
          let s = line !== 0 ? SEPARATOR : '';
          s += '  TIMESTAMP: ' + fmtTime(f.time) + '\n';
          if (opts.nodeName) s += '       NODE: ' + txt(f.node_name) + '\n';
          s +=
            '     SOURCE: ' + src + '\n' +
            'DESTINATION: ' + dst + '\n' +
            '       TYPE: ' + flowType(f) + '\n' +
            '    VERDICT: ' + verdictText(f, c) + '\n' +
            '    SUMMARY: ' + summaryText(f, c) + '\n';
          sink.out(s);
          line++;
          return;
        }
        case 'lost': {
          const l = ev.lost;
          let s = line !== 0 ? SEPARATOR : '';
          s += '  TIMESTAMP: \n';
          if (opts.nodeName) s += '       NODE: \n';
          s +=
            '     SOURCE: ' + txt(l.source ?? 'UNKNOWN_LOST_EVENT_SOURCE') + '\n' +
            '       TYPE: EVENTS LOST\n' +
            '    VERDICT: \n' +
            '    SUMMARY: CPU(' + txt((l.cpu ?? 0)) + ') - ' + txt((l.num_events_lost ?? 0)) + '\n';
          sink.out(s);
          line++;
          return;
        }
        case 'node-status': {
          const st = ev.status;
          if (st.state_change !== 'NODE_ERROR' && st.state_change !== 'NODE_UNAVAILABLE') return;
          let s = '';
          // Separators keep node events apart from flows when stdout and stderr interleave.
          if (line !== 0) s += SEPARATOR;
          else line++;
          const names = joinWithCutOff((Array.isArray(st.node_names) ? st.node_names : []).map(txt), ', ', NODE_NAMES_CUTOFF);
          const message = st.message ? sanitize(JSON.stringify(st.message)) : 'N/A';
          s +=
            '  TIMESTAMP: ' + fmtTime(ev.time) + '\n' +
            '      STATE: ' + txt(st.state_change ?? 'UNKNOWN_NODE_STATE') + '\n' +
            '      NODES: ' + names + '\n' +
            '    MESSAGE: ' + message + '\n';
          sink.err(s);
          return;
        }
        default:
          return;
      }
    },
    finish(): void {},
  };
}
