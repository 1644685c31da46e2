/** Signaling's loggers: `createLogger('RoomRegistry')`. What to log at which level: the logging rubric in CONTRIBUTING.md. */
import { type Logger, loggerFactory } from '@beacon/common';

export type { Logger };

export const createLogger = loggerFactory('signaling');
