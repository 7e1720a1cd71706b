// `-o compact` (the default): one line per flow, as `hubble observe` prints it.
import type { SourceEvent } from '../model/source.ts';
import { sanitize } from '../model/sanitize.ts';
import { Colorer } from './colors.ts';
import { txt, flowType, hostNames, securityIdentities, summaryText, verdictText } from './flow-fields.ts';
import { NODE_NAMES_CUTOFF, joinWithCutOff, type PrintSink, type Printer, type PrinterOptions } from './printer.ts';
import { timeFormatter } from './time-format.ts';

export function createCompactPrinter(opts: PrinterOptions, sink: PrintSink): Printer {
  const c = new Colorer(opts.color);
  const fmtTime = timeFormatter(opts.timeFormat);
  const fieldOpts = { ipTranslation: opts.ipTranslation };
  return {
    print(ev: SourceEvent): void {
      switch (ev.kind) {
        case 'flow': {
          const f = ev.flow;
          let [src, dst] = hostNames(f, c, fieldOpts);
          let [srcId, dstId] = securityIdentities(f, c);
          let arrow = '->';
          if (f.is_reply === undefined || f.is_reply === null) {
            arrow = '<>'; // direction unknown
          } else if (f.is_reply) {
            [src, dst] = [dst, src];
            [srcId, dstId] = [dstId, srcId];
            arrow = '<-';
          }
          const node = opts.nodeName ? ' [' + txt(f.node_name) + ']' : '';
          sink.out(
            fmtTime(f.time) + node + ': ' + src + ' ' + srcId + ' ' + arrow + ' ' + dst + ' ' + dstId + ' ' +
              flowType(f) + ' ' + verdictText(f, c) + ' (' + summaryText(f, c) + ')\n',
          );
          return;
        }
        case 'lost':
          sink.out(lostLine(ev.lost.source, ev.lost.cpu, ev.lost.num_events_lost));
          return;
        case 'node-status': {
          const line = nodeStatusLine(ev, fmtTime);
          if (line !== undefined) sink.err(line);
          return;
        }
        default:
          return;
      }
    },
    finish(): void {},
  };
}

export function lostLine(source: string | undefined, cpu: number | undefined, num: number | undefined): string {
  return 'EVENTS LOST: ' + txt((source ?? 'UNKNOWN_LOST_EVENT_SOURCE')) + ' CPU(' + txt((cpu ?? 0)) + ') ' + txt((num ?? 0)) + '\n';
}

/**
 * Node status for compact and table output, on stderr; like hubble outside debug mode
 * only errors and unavailable nodes are reported.
 */
export function nodeStatusLine(
  ev: Extract<SourceEvent, { kind: 'node-status' }>,
  fmtTime: (t: string | undefined) => string,
): string | undefined {
  const s = ev.status;
  const names = (Array.isArray(s.node_names) ? s.node_names : []).map(txt);
  const joined = joinWithCutOff(names, ', ', NODE_NAMES_CUTOFF);
  const prefix = fmtTime(ev.time) + ' [' + txt(ev.node_name) + ']';
  switch (s.state_change) {
    case 'NODE_UNAVAILABLE':
      return `${prefix}: ${names.length} nodes are unavailable: ${joined}\n`;
    case 'NODE_ERROR':
      return `${prefix}: Error ${sanitize(JSON.stringify(s.message ?? ''))} on ${names.length} nodes: ${joined}\n`;
    default:
      return undefined;
  }
}
