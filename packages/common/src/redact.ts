/**
 * What never reaches a log line: credentials in URLs and headers. A session
 * token or a signed link copied from a log is as good as the original until
 * it expires, and logs are read (and shipped) by more people than the
 * accounts they would unlock.
 */

/** Query parameters whose values are credentials (`tk`: Tianditu's key in a tile URL). */
const SECRET_PARAMS = /^(token|access_token|sig|signature|password|secret|key|tk|auth)$/i;
/** `name=value` in a query string, `value` up to the next `&`, `#` or whitespace. */
const QUERY_PAIR = /([?&])([^=&#\s]+)=([^&#\s]*)/g;
/** `scheme://user:password@host`. */
const USERINFO = /(\w+:\/\/)[^/@\s:]+:[^/@\s]+@/g;

export const REDACTED = '[redacted]';

/** `url` with every credential-like query value and URL password replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  return url
    .replace(QUERY_PAIR, (pair, separator: string, name: string) =>
      SECRET_PARAMS.test(name) ? `${separator}${name}=${REDACTED}` : pair,
    )
    .replace(USERINFO, `$1${REDACTED}@`);
}

/**
 * pino `redact` paths: Authorization and cookies wherever a request's headers
 * are logged, and fields named like credentials at the top level or one level down.
 */
export const REDACT_PATHS: readonly string[] = [
  'authorization',
  'cookie',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
];
