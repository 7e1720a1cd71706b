// Flows that decode their fields on first read. The eBPF collector hands out such
// flows (src/bpf-bridge/lazy-flow.ts) so that a flow nobody reads (an agent's ring
// with no client) costs almost nothing. They read like plain Flows (properties, `in`,
// assignment, JSON.stringify), but their fields live on their prototype: spread,
// Object.keys/entries and structuredClone see none of them. Code that enumerates or
// copies a flow's fields goes through plainFlow or copyFlow.
import type { Flow } from './flow.ts';

/** Present (true) on flows that decode on demand. */
export const DEFERRED = Symbol('netscope.deferredFlow');

export interface DeferredFlow extends Flow {
  readonly [DEFERRED]: true;
  /** Every field as a plain object, keys in the order a plain flow would have them. */
  materialize(): Flow;
  /** An equal flow the caller may assign fields to, still decoding on demand. */
  copy(): Flow;
}

export function isDeferred(f: Flow): f is DeferredFlow {
  return (f as Partial<DeferredFlow>)[DEFERRED] === true;
}

/** f itself when it is a plain object; its fields as one when it decodes on demand. */
export function plainFlow(f: Flow): Flow {
  return isDeferred(f) ? f.materialize() : f;
}

/** A shallow copy of f to assign fields to, as `{ ...f }` is for a plain flow. */
export function copyFlow(f: Flow): Flow {
  return isDeferred(f) ? f.copy() : { ...f };
}
