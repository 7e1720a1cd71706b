// API server answers that are not 200: the Status object's message and code, turned
// into one line a person can act on.
import { asNumber, asObject, asString } from './raw.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
  }
}

/** Builds an ApiError from an HTTP status and a (possibly non-JSON) body. */
export function apiErrorFrom(status: number, body: string, what: string): ApiError {
  let reason = '';
  let message = '';
  try {
    const s = asObject(JSON.parse(body));
    reason = asString(s.reason);
    message = asString(s.message);
  } catch {
    message = body.trim().split('\n')[0] ?? '';
  }
  return new ApiError(status, reason, describeStatus(status, what, message));
}

/** Builds an ApiError from a watch ERROR event's Status object. */
export function apiErrorFromStatus(obj: unknown, what: string): ApiError {
  const s = asObject(obj);
  const code = asNumber(s.code) || 500;
  return new ApiError(code, asString(s.reason), describeStatus(code, what, asString(s.message)));
}

function describeStatus(status: number, what: string, message: string): string {
  const detail = message !== '' ? `: ${message.slice(0, 200)}` : '';
  switch (status) {
    case 401:
      return `${what}: credentials rejected (401 Unauthorized; expired or invalid token/certificate?)`;
    case 403:
      return `${what}: forbidden (403)${detail}`;
    case 404:
      return `${what}: not found (404)`;
    case 410:
      return `${what}: resourceVersion expired (410 Gone)`;
    default:
      return `${what}: HTTP ${status}${detail}`;
  }
}
