/**
 * room:leave — and the same cleanup on disconnect. Closing the peer's media
 * closes everyone's consumers of it; others hear `peer:left` via the bridge.
 */
import { BeaconError } from '../../protocol/errors.ts';
import type { Handler, HandlerContext } from '../types.ts';

/** Removes the socket's peer, if any. Returns whether it was in a room. */
export function leaveCurrentRoom(ctx: HandlerContext, reason: string): boolean {
  const found = ctx.session.lookup(ctx.registry);
  ctx.session.setCurrent(undefined);
  if (!found) return false;
  const { room, participant } = found;
  room.remove(participant.peerId);
  ctx.store.audit.append({
    actorId: participant.claims.userId,
    action: 'room.leave',
    target: room.id,
    detail: { peerId: participant.peerId, reason },
  });
  return true;
}

export const roomLeave: Handler<'room:leave'> = async (ctx) => {
  if (!leaveCurrentRoom(ctx, 'leave')) throw new BeaconError('not_in_room', 'not in a room');
  return {};
};
