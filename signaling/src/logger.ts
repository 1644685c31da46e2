/** Signaling's loggers: `createLogger('RoomRegistry')`. The style and the rubric are in @beacon/common's logger. */
import { type Logger, loggerFactory } from '@beacon/common';

export type { Logger };

export const createLogger = loggerFactory('signaling');
