/** The gateway's loggers: `createLogger('CallLeg')`. The style and the rubric are in @beacon/common's logger. */
import { type Logger, loggerFactory } from '@beacon/common';

export type { Logger };

export const createLogger = loggerFactory('sip-gateway');
