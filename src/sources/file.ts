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
   * A cheap test on the raw line bytes (see filter/line-prefilter.ts): false means the
   * line cannot pass the filter, so it is not decoded.
   */
  linePrefilter?: (line: Buffer) => boolean;
  /** Stream to read for `-` (tests); default process.stdin. */
  stdin?: NodeJS.ReadableStream;
  /** Backpressure from whoever consumes the flows: reading pauses while it says wait. */
  flowControl?: FlowControl;
}

export interface FlowControl {
  /** undefined to go on reading, or a promise to wait for first. */
  ready(): Promise<void> | undefined;
}

/** Longest line accepted; beyond that the line is reported and skipped (no unbounded buffering). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
const CHUNK_BYTES = 1 << 18;

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
    const prefilter = opts.linePrefilter;
    // Lines are cut from the raw bytes: a line the prefilter rejects never becomes a string.
    let carry: Buffer | undefined;
    let overlong = false;
    let lineNo = 0;

    const warn = (line: number, what: string): void => {
      sub.next({ kind: 'status', source: sourceName, state: 'warning', message: `${label}:${line}: ${what}` });
    };

    // One line: buf[start, end), without the newline.
    const handleLine = (buf: Buffer, start: number, end: number): void => {
      lineNo++;
      if (end > start && buf[end - 1] === 13) end--; // CRLF
      if (end === start) return;
      if (prefilter !== undefined && !prefilter(buf.subarray(start, end))) return;
      let ev: SourceEvent | undefined;
      try {
        ev = decodeHubbleLine(buf.toString('utf8', start, end));
      } catch (err) {
        warn(lineNo, err instanceof DecodeError ? err.message : `cannot decode (${String(err)})`);
        return;
      }
      if (ev !== undefined) sub.next(ev);
    };

    const onData = (chunk: string | Buffer): void => {
      const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      let start = 0;
      let nl: number;
      while (!sub.closed && (nl = data.indexOf(10, start)) !== -1) {
        if (overlong) {
          overlong = false;
          lineNo++;
          warn(lineNo, `line longer than ${MAX_LINE_BYTES} bytes, skipped`);
        } else if (carry !== undefined) {
          const line = Buffer.concat([carry, data.subarray(start, nl)]);
          carry = undefined;
          handleLine(line, 0, line.length);
        } else {
          handleLine(data, start, nl);
        }
        start = nl + 1;
      }
      if (sub.closed) return;
      const wait = opts.flowControl?.ready();
      if (wait !== undefined) {
        stream.pause();
        void wait.then(() => {
          if (!sub.closed) stream.resume();
        });
      }
      if (!overlong && start < data.length) {
        // Copy: the rest of the chunk must not pin the whole chunk in memory.
        const rest = Buffer.from(data.subarray(start));
        carry = carry === undefined ? rest : Buffer.concat([carry, rest]);
        if (carry.length > MAX_LINE_BYTES) {
          carry = undefined;
          overlong = true;
        }
      }
    };

    const onEnd = (): void => {
      if (sub.closed) return;
      if (overlong) {
        lineNo++;
        warn(lineNo, `line longer than ${MAX_LINE_BYTES} bytes, skipped`);
      } else if (carry !== undefined) {
        const line = carry;
        carry = undefined;
        handleLine(line, 0, line.length);
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
