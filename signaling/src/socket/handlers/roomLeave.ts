/**
 * room:leave — and the cleanup when a socket goes away. Closing the peer's
 * media closes everyone's consumers of it; others hear `peer:left` via the
 * bridge. A socket that merely lost its connection keeps its peer
 * `reconnecting` for the grace period instead (see room:resume).
 */
import { BeaconError } from '@beacon/protocol';
import type { Handler, HandlerContext } from '../types.ts';

/** Disconnect reasons that mean "I am leaving", not "my network dropped". */
const DELIBERATE = new Set([
  'client namespace disconnect',
  'server namespace disconnect',
  'server shutting down',
  'forced close',
  'parse error',
]);

/** Removes the socket's peer, if any. Returns whether it was in a room. */
export function leaveCurrentRoom(ctx: HandlerContext, reason: string): boolean {
  const found = ctx.session.lookup(ctx.registry);
  ctx.session.setCurrent(undefined);
  if (!found) return false;
  const { room, participant } = found;
  room.remove(participant.peerId);
  // Not awaited: the peer has left whether or not the entry is stored (a disconnect has nobody to answer).
  ctx.store.audit
    .append({
      actorId: participant.claims.userId,
      action: 'room.leave',
      target: room.id,
      detail: { peerId: participant.peerId, reason },
    })
    .catch((err: unknown) => ctx.log.warn({ err, roomId: room.id }, 'room.leave audit entry not stored'));
  return true;
}

/** The socket is gone: a lost connection keeps the peer reconnecting; a deliberate disconnect leaves. */
export function socketGone(ctx: HandlerContext, reason: string): void {
  const found = ctx.session.lookup(ctx.registry);
  if (!found || DELIBERATE.has(reason) || !found.participant.inRoom) {
    leaveCurrentRoom(ctx, `disconnect: ${reason}`);
    return;
  }
  ctx.session.setCurrent(undefined);
  found.room.disconnect(found.participant);
}

export const roomLeave: Handler<'room:leave'> = async (ctx) => {
  if (!leaveCurrentRoom(ctx, 'leave')) throw new BeaconError('not_in_room', 'not in a room');
  return {};
};
