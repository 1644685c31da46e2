/**
 * Where a cascaded room and its peers go: a room's first router on the least
 * loaded node, each peer on a node of its region when one is alive (else any),
 * least loaded first. See MediaNodeRegistry.pick for the load order.
 */
import { MediaError } from '@beacon/media-server';
import { createLogger } from '../logger.ts';
import { CascadeRoom, type CascadeRoomOptions } from './CascadeRoom.ts';
import type { MediaNodeRegistry } from './MediaNodeRegistry.ts';
import type { RemoteMediaControl } from './RemoteMediaControl.ts';

const logger = createLogger('CascadePlacement');

export interface PlacementDeps {
  registry: MediaNodeRegistry;
  node: (nodeId: string) => RemoteMediaControl;
  regionOf?: ((roomId: string, peerId: string) => string | undefined) | undefined;
  enableSrtp: boolean;
  onPipeRefused?: CascadeRoomOptions['onPipeRefused'];
}

/** Creates the room's router on the least loaded node; `wanted()` false afterwards undoes it. */
export async function startCascadeRoom(
  roomId: string,
  deps: PlacementDeps,
  wanted: () => boolean,
): Promise<CascadeRoom> {
  const room = new CascadeRoom({
    roomId,
    node: deps.node,
    enableSrtp: deps.enableSrtp,
    onPipeRefused: deps.onPipeRefused,
  });
  const home = await deps.registry.pick();
  if (!home) throw new MediaError('invalid_state', 'no live media node');
  await deps.node(home.nodeId).ensureRoom(roomId);
  room.hosts.add(home.nodeId);
  if (!wanted()) {
    // Closed while the node was creating the router.
    deps.node(home.nodeId).closeRoom(roomId);
    throw MediaError.roomNotFound(roomId);
  }
  return room;
}

/** The peer's node, placed on first use; concurrent first calls share one placement. */
export function placePeer(room: CascadeRoom, peerId: string, deps: PlacementDeps): Promise<string> {
  let placed = room.peers.get(peerId);
  if (placed) return placed;
  placed = (async () => {
    const region = deps.regionOf?.(room.id, peerId);
    const node = await deps.registry.pick(region);
    if (!node) throw new MediaError('invalid_state', 'no live media node');
    if (!room.hosts.has(node.nodeId)) {
      await deps.node(node.nodeId).ensureRoom(room.id);
      room.hosts.add(node.nodeId);
    }
    room.settlePeer(peerId, node.nodeId);
    logger.debug({ roomId: room.id, peerId, nodeId: node.nodeId, region }, 'peer placed');
    return node.nodeId;
  })();
  room.peers.set(peerId, placed);
  placed.catch(() => room.removePeer(peerId));
  return placed;
}
