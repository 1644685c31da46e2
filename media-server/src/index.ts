export type * from './MediaControlTypes.ts';
export { MediaError, type MediaErrorCode } from './MediaError.ts';
export { MediaServer } from './MediaServer.ts';
export {
  type MediaServerOptions,
  type MediaServerOptionsInput,
  mediaServerOptionsSchema,
  parseMediaServerOptions,
} from './MediaServerOptions.ts';
export type { PlainConsumerInput, PlainConsumerResult, PlainProducerInput, PlainProducerResult } from './plainRtp.ts';
export { TypedEmitter } from './TypedEmitter.ts';
