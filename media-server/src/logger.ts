/** The media server's loggers: `createLogger('WorkerPool')`. The style and the rubric are in @beacon/common's logger. */
import { type Logger, loggerFactory } from '@beacon/common';

export type { Logger };

export const createLogger = loggerFactory('media-server');
