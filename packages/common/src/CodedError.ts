/**
 * The base of Beacon's error classes: a `code` callers switch on (the same
 * strings travel in acks and status reports), a message for people and logs,
 * and the original error as `cause`. Subclasses narrow the code to their own
 * set and add named constructors (`MediaError.roomNotFound(id)`).
 *
 * `@beacon/common/errors`: no imports, so browser bundles can use it.
 */
export class CodedError<Code extends string = string> extends Error {
  override readonly name: string = 'CodedError';
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
