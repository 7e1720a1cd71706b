// Flows from a Hubble JSON export (`hubble observe -o json`) in a file or on stdin,
// read as a stream line by line: memory does not grow with the file. A malformed
// line becomes a `warning` status event naming file:line and is skipped; the rest of
// the file is still read.
import fs from 'node:fs';
import { Observable } from 'rxjs';
import { DecodeError, decodeHubbleLine } from '../codec/hubble-json-decode.ts';
import type { Source, SourceEvent } from '../model/source.ts';

export interface FileSourceOptions {
  /** Path of the export; `-` reads standard input. */
  path: string;
  /**
   * A cheap test on the raw line (see codec/line-prefilter.ts): false means the line
   * cannot pass the filter, so it is not decoded.
   */
  linePrefilter?: (line: string) => boolean;
  /** Stream to read for `-` (tests); default process.stdin. */
  stdin?: NodeJS.ReadableStream;
}

/** Longest line accepted; beyond that the line is reported and skipped (no unbounded buffering). */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;
const CHUNK_BYTES = 1 << 20;

/** The name used in messages: the path as given, or `stdin`. */
export function fileSourceLabel(path: string): string {
  return path === '-' ? 'stdin' : path;
}

export function createFileSource(opts: FileSourceOptions): Source {
  const label = fileSourceLabel(opts.path);
  const sourceName = 'file:' + label;
  return new Observable<SourceEvent>((sub) => {
    const stream: NodeJS.ReadableStream =
      opts.path === '-' ? (opts.stdin ?? process.stdin) : fs.createReadStream(opts.path, { highWaterMark: CHUNK_BYTES });
    stream.setEncoding('utf8');
    const prefilter = opts.linePrefilter;
    let carry = '';
    let overlong = false;
    let lineNo = 0;

    const warn = (line: number, what: string): void => {
      sub.next({ kind: 'status', source: sourceName, state: 'warning', message: `${label}:${line}: ${what}` });
    };

    const handleLine = (raw: string): void => {
      lineNo++;
      const line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
      if (line.length === 0 || (prefilter !== undefined && !prefilter(line))) return;
      let ev: SourceEvent | undefined;
      try {
        ev = decodeHubbleLine(line);
      } catch (err) {
        warn(lineNo, err instanceof DecodeError ? err.message : `cannot decode (${String(err)})`);
        return;
      }
      if (ev !== undefined) sub.next(ev);
    };

    const onData = (chunk: string | Buffer): void => {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      let start = 0;
      let nl: number;
      while (!sub.closed && (nl = text.indexOf('\n', start)) !== -1) {
        if (overlong) {
          overlong = false;
          lineNo++;
          warn(lineNo, `line longer than ${MAX_LINE_CHARS} characters, skipped`);
        } else if (carry !== '') {
          const line = carry + text.slice(start, nl);
          carry = '';
          handleLine(line);
        } else {
          handleLine(text.slice(start, nl));
        }
        start = nl + 1;
      }
      if (sub.closed) return;
      if (!overlong && start < text.length) {
        carry += text.slice(start);
        if (carry.length > MAX_LINE_CHARS) {
          carry = '';
          overlong = true;
        }
      }
    };

    const onEnd = (): void => {
      if (sub.closed) return;
      if (overlong) {
        lineNo++;
        warn(lineNo, `line longer than ${MAX_LINE_CHARS} characters, skipped`);
      } else if (carry !== '') {
        const line = carry;
        carry = '';
        handleLine(line);
      }
      sub.next({ kind: 'status', source: sourceName, state: 'done', message: `${label}: ${lineNo} lines read` });
      sub.complete();
    };

    const onError = (err: NodeJS.ErrnoException): void => {
      const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : err.message;
      sub.error(new Error(`cannot read ${label}: ${why}`));
    };

    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    return () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      if (stream !== process.stdin && 'destroy' in stream && typeof stream.destroy === 'function') stream.destroy();
      else stream.pause();
    };
  });
}
