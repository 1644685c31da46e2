/**
 * Logging in the same style as signaling: one pino root logger per process,
 * one child per component, ISO timestamps, level from LOG_LEVEL (default
 * 'info'; 'silent' mutes it). Info is for lifecycle transitions only (worker
 * started or died, room created or closed); per-packet or per-request detail
 * goes to debug.
 */
import { type Logger, pino } from 'pino';

export type { Logger };

const root = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: 'media-server' },
  timestamp: pino.stdTimeFunctions.isoTime,
});

/** A child logger tagged with the component name (`WorkerPool`, `Room`, ...). */
export function createLogger(component: string): Logger {
  return root.child({ component });
}
