/** What every Beacon service shares: typed events, logging, coded errors, child processes, start and stop. */
export { CodedError } from './CodedError.ts';
export {
  certificateNodeId,
  certificateUris,
  isLoopbackHost,
  MEDIA_NODE_URI_PREFIX,
  SIGNALING_CLIENT_URI,
} from './controlTlsNames.ts';
export { findExecutable } from './findExecutable.ts';
export { Lifecycle, LifecycleError, type LifecycleOptions, type PartOptions, type StopReport } from './Lifecycle.ts';
export { createLogger, type Logger, loggerFactory, rootLoggerOptions } from './logger.ts';
export {
  type MediaNodeEntry,
  mediaNodeEntrySigned,
  type SignedMediaNodeEntry,
  signMediaNodeEntry,
} from './mediaNodeRegistration.ts';
export {
  type ProcessExit,
  ProcessStartError,
  type ProcessStartErrorCode,
  type ProcessState,
  ProcessSupervisor,
  type ProcessSupervisorEvents,
  type ProcessSupervisorOptions,
  type RestartPolicy,
} from './ProcessSupervisor.ts';
export { REDACT_PATHS, REDACTED, redactUrl } from './redact.ts';
export { type RedisTlsOptions, redisTlsOptions } from './redisTls.ts';
export { TypedEmitter } from './TypedEmitter.ts';
