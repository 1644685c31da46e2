export type { PipeCounts, PipedProducerParams, PipeEndpoint, PipeHubEvents } from './cascade/PipeHub.ts';
export type * from './MediaControlTypes.ts';
export { MediaError, type MediaErrorCode } from './MediaError.ts';
export { MediaServer } from './MediaServer.ts';
export {
  type MediaServerOptions,
  type MediaServerOptionsInput,
  mediaServerOptionsSchema,
  parseMediaServerOptions,
} from './MediaServerOptions.ts';
export {
  type ControlAck,
  type ControlMethod,
  type ControlParams,
  type ControlResults,
  HEARTBEAT_INTERVAL_MS,
  type NodeEventMessage,
  type NodeEvents,
  type NodeHeartbeat,
  type NodeLoad,
  nodeHeartbeatSchema,
} from './node/controlProtocol.ts';
export { PlainTargets, parseAddressOrNetwork } from './plainTargets.ts';
