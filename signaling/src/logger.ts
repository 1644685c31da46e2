/**
 * The one logging style of Beacon: a single pino root logger, one child per
 * component. Level comes from LOG_LEVEL (default 'info'; 'silent' mutes it).
 *
 * Rubric: info = one line per meaningful lifecycle transition (room created,
 * participant joined, call answered), never something that can fire more than
 * once a second; debug for everything else.
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
