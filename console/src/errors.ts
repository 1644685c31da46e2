/**
 * The console's errors are the protocol's `ClientError` (the server's codes
 * plus `timeout`, `disconnected`, `network`, `media_denied`), imported from the
 * zod-free entry so zod stays out of the bundle. What is the console's own:
 * turning any thrown value into one, and the message key shown for it.
 */
import { ClientError, type ClientErrorCode } from '@beacon/protocol/constants';

export { ClientError as ConsoleError, type ClientErrorCode };

/** Any thrown value as a ClientError, so the UI can always show a code. */
export function toConsoleError(error: unknown): ClientError {
  if (error instanceof ClientError) return error;
  if (error instanceof DOMException && ['NotAllowedError', 'NotFoundError', 'NotReadableError'].includes(error.name)) {
    return new ClientError('media_denied', error.message, { cause: error });
  }
  return new ClientError('internal', error instanceof Error ? error.message : String(error), { cause: error });
}

/** i18n key of the message shown for an error. */
export function errorKey(error: unknown): `errors.${ClientErrorCode}` {
  return `errors.${toConsoleError(error).code}`;
}

export function isAuthError(error: unknown): boolean {
  const code = toConsoleError(error).code;
  return code === 'unauthorized' || code === 'token_expired';
}
