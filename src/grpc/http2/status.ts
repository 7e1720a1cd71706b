// gRPC status on the wire, as the gRPC HTTP/2 protocol spells it: codes, the
// percent-encoded grpc-message, the mapping of a non-200 HTTP status to a code, and the
// grpc-timeout header. Pure: values in, values out.

/** The status codes of gRPC (same numbers in every implementation). */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/**
 * A failed call, shaped like grpc-js' ServiceError (code, details, message) so that
 * describeGrpcError gives the same line whichever transport carried the call.
 */
export class GrpcCallError extends Error {
  readonly code: number;
  readonly details: string;
  constructor(code: number, details: string) {
    super(`${code} ${codeName(code)}: ${details}`);
    this.code = code;
    this.details = details;
  }
}

export function codeName(code: number): string {
  for (const [name, n] of Object.entries(Code)) if (n === code) return name;
  return `code ${code}`;
}

/**
 * grpc-message is percent-encoded UTF-8 (bytes outside 0x20-0x7E and '%' itself).
 * A malformed escape is kept as it is, as the spec asks of receivers.
 */
export function decodeGrpcMessage(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && i + 2 < text.length && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      for (const b of Buffer.from(text[i]!, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The gRPC spec's mapping for a response whose HTTP status is not 200. */
export function codeForHttpStatus(status: number): number {
  switch (status) {
    case 400:
      return Code.INTERNAL;
    case 401:
      return Code.UNAUTHENTICATED;
    case 403:
      return Code.PERMISSION_DENIED;
    case 404:
      return Code.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return Code.UNAVAILABLE;
    default:
      return Code.UNKNOWN;
  }
}

/**
 * The status a response ended with, from its trailers (or the headers of a trailers-only
 * response). A missing or unparsable grpc-status is itself an error: a stream that just
 * stops has not said it succeeded.
 */
export function statusFromTrailers(h: Readonly<Record<string, string | string[] | undefined>>): GrpcCallError | undefined {
  const raw = first(h['grpc-status']);
  if (raw === undefined) return new GrpcCallError(Code.UNKNOWN, 'the server ended the response without a grpc-status');
  if (!/^\d+$/.test(raw)) return new GrpcCallError(Code.UNKNOWN, `the server sent an invalid grpc-status "${raw.slice(0, 40)}"`);
  const code = Number(raw);
  if (code === Code.OK) return undefined;
  const msg = first(h['grpc-message']);
  return new GrpcCallError(code, msg === undefined ? '' : decodeGrpcMessage(msg));
}

/** grpc-timeout for a deadline this far away: at most 8 digits, in the coarsest unit that fits. */
export function grpcTimeout(ms: number): string {
  const v = Math.max(0, Math.ceil(ms));
  if (v < 1e8) return `${v}m`;
  const s = Math.ceil(v / 1000);
  if (s < 1e8) return `${s}S`;
  return `${Math.min(99_999_999, Math.ceil(s / 3600))}H`;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

const TIMEOUT_UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };

/** A grpc-timeout header in milliseconds (undefined: none); a malformed one fails the call, as in grpc-go. */
export function parseGrpcTimeout(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(v);
  if (!m) throw new GrpcCallError(Code.INTERNAL, `malformed grpc-timeout ${JSON.stringify(v.slice(0, 20))}`);
  return Number(m[1]) * TIMEOUT_UNIT_MS[m[2]!]!;
}

/** grpc-message for the wire: percent-encodes '%' and every byte outside printable ASCII. */
export function encodeGrpcMessage(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
