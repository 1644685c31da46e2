/** Cascade over standalone media nodes (a room spans several): `@beacon/signaling/media-nodes`. */

export { CascadedMediaControl, type CascadedMediaControlOptions } from './CascadedMediaControl.ts';
export type { PipeRefusal } from './CascadeRoom.ts';
export {
  InMemoryMediaNodeRegistry,
  type InMemoryMediaNodeRegistryOptions,
  type MediaNodeRecord,
  type MediaNodeRegistry,
  type MediaNodeRegistryEvents,
} from './MediaNodeRegistry.ts';
export { RedisNodeDirectory, type RedisNodeDirectoryOptions } from './RedisNodeDirectory.ts';
export { RemoteMediaControl, type RemoteMediaControlOptions } from './RemoteMediaControl.ts';
