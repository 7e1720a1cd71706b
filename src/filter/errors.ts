// The one error type of the filter language. Messages are one line and name the
// flag and the value (sanitized: values may come from a pasted command line).
import { sanitize } from '../model/sanitize.ts';

export class FilterError extends Error {
  constructor(message: string) {
    // Parts of messages echo user input (selector keys, regex errors): keep them inert.
    super(sanitize(message));
    this.name = 'FilterError';
  }
}

/** `"value"` for messages: control characters made visible, quotes escaped. */
export function quote(value: string): string {
  return `"${sanitize(value.replace(/\\/g, '\\\\').replace(/"/g, '\\"'))}"`;
}

/** `invalid --flag "value": reason` */
export function invalid(flag: string, value: string, reason: string): FilterError {
  return new FilterError(`invalid --${flag} ${quote(value)}: ${reason}`);
}
