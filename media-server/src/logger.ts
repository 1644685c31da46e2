import { type Logger, pino } from 'pino';

export type { Logger };

// One root logger per process so every component shares level and output.
const root = pino({ name: 'media-server', level: process.env.LOG_LEVEL ?? 'info' });

/** A child logger tagged with the component name (`WorkerPool`, `Room`, ...). */
export function createLogger(component: string): Logger {
  return root.child({ component });
}
