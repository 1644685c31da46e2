/**
 * The one logging style of Beacon: a single pino root logger, one child per
 * component. Level comes from LOG_LEVEL (default 'info'; 'silent' mutes it).
 * What to log at which level: the logging rubric in CONTRIBUTING.md.
 */
import pino from 'pino';

const root = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: 'signaling' },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export function createLogger(component: string): pino.Logger {
  return root.child({ component });
}
