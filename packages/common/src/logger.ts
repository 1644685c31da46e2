/**
 * The one logging style of Beacon: a pino root logger per service (signaling,
 * media-server, sip-gateway), one child per component. Level comes from
 * LOG_LEVEL (default 'info'; 'silent' mutes it); timestamps are ISO.
 *
 * Rubric: info = one line per meaningful lifecycle transition (room created,
 * participant joined, call answered, Kamailio started), never something that
 * can fire more than once a second; debug for everything else (per packet,
 * per request, per DTMF digit).
 */
import { type Logger, type LoggerOptions, pino } from 'pino';
import { REDACT_PATHS, REDACTED, redactUrl } from './redact.ts';

export type { Logger };

const roots = new Map<string, Logger>();

/**
 * A service root's options. No credential in a line: Authorization, cookies and fields named `token`/`password`/
 * `secret` are censored, and a `url` field loses its credential query values (`?token=`, `?sig=`).
 */
export function rootLoggerOptions(service: string): LoggerOptions {
  return {
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: { url: (url: unknown) => (typeof url === 'string' ? redactUrl(url) : url) },
  };
}

function rootOf(service: string): Logger {
  let root = roots.get(service);
  if (!root) {
    root = pino(rootLoggerOptions(service));
    roots.set(service, root);
  }
  return root;
}

/** A child logger of `service`'s root, tagged with the component name (`WorkerPool`, `CallLeg`, ...). */
export function createLogger(service: string, component: string): Logger {
  return rootOf(service).child({ component });
}

/** `createLogger` bound to one service: each package's `logger.ts` is one of these. */
export function loggerFactory(service: string): (component: string) => Logger {
  return (component) => createLogger(service, component);
}
