import type { ErrorCode } from '@beacon/signaling/protocol';

/**
 * Codes the console switches on: the server's codes plus the failures only a
 * client sees. The protocol's `BeaconError` class is not imported because the
 * protocol's runtime module pulls zod into the bundle; the codes are shared.
 */
export type ClientErrorCode = ErrorCode | 'timeout' | 'disconnected' | 'network' | 'media_denied';

export class ConsoleError extends Error {
  override readonly name = 'ConsoleError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options);
    this.status = options?.status;
  }
  readonly status: number | undefined;

  static timeout(what: string): ConsoleError {
    return new ConsoleError('timeout', `${what} timed out`);
  }
  static disconnected(what: string): ConsoleError {
    return new ConsoleError('disconnected', `${what}: not connected`);
  }
}

/** Any thrown value as a ConsoleError, so the UI can always show a code. */
export function toConsoleError(error: unknown): ConsoleError {
  if (error instanceof ConsoleError) return error;
  if (error instanceof DOMException && ['NotAllowedError', 'NotFoundError', 'NotReadableError'].includes(error.name)) {
    return new ConsoleError('media_denied', error.message, { cause: error });
  }
  return new ConsoleError('internal', error instanceof Error ? error.message : String(error), { cause: error });
}

/** i18n key of the message shown for an error. */
export function errorKey(error: unknown): `errors.${ClientErrorCode}` {
  return `errors.${toConsoleError(error).code}`;
}

export function isAuthError(error: unknown): boolean {
  const code = toConsoleError(error).code;
  return code === 'unauthorized' || code === 'token_expired';
}
