/**
 * room:resume — after a network drop, the user's new socket takes over its
 * peer while that is `reconnecting` (or still looks connected because the
 * old socket's death was not noticed yet). Transports, producers and
 * consumers stay; the client restarts ICE. Emits held for the peer while it
 * was away (consumer:new, consumer:closed, …) follow right away.
 *
 * Anything else — unknown room or peer, another user, a wrong token, the
 * grace ran out, the media room was re-created, more emits came meanwhile
 * than are held for it — is `resume_failed`, and the client joins afresh.
 */

import { BeaconError } from '@beacon/protocol';
import { sameSecret } from '../../auth/sameSecret.ts';
import { visiblePeers } from '../../rooms/visibility.ts';
import type { Handler } from '../types.ts';

export const roomResume: Handler<'room:resume'> = async (ctx, { roomId, peerId, resumeToken }) => {
  const current = ctx.session.lookup(ctx.registry);
  if (current) throw new BeaconError('already_in_room', `already in room "${current.room.id}"`);
  const room = ctx.registry.get(roomId);
  const participant = room?.get(peerId);
  const valid =
    participant !== undefined &&
    participant.claims.userId === ctx.session.claims.userId &&
    (participant.reconnecting || participant.inRoom) &&
    sameSecret(participant.resumeToken, resumeToken);
  if (!room || !participant || !valid) {
    throw new BeaconError('resume_failed', '会话无法恢复，请重新加入 / the session cannot be resumed; join again');
  }
  if (participant.heldOverflowed) {
    // Emits were dropped while it was away: the old peer goes, and the client's fresh join gets whole state.
    ctx.log.warn({ roomId, peerId }, 'held emits overflowed: resume refused');
    room.remove(peerId);
    throw new BeaconError('resume_failed', '离线期间消息过多，请重新加入 / too much happened while away; join again');
  }
  const oldSocketId = participant.socketId;
  const held = room.resume(participant, ctx.socket.id);
  ctx.session.setCurrent({ roomId, peerId });
  if (oldSocketId !== ctx.socket.id) {
    // The old socket may still be open (its death not noticed yet): it no longer speaks for the peer.
    ctx.io.sockets.sockets.get(oldSocketId)?.disconnect(true);
  }
  const raw = ctx.socket as unknown as { emit(event: string, payload: unknown): void };
  for (const { event, payload } of held) raw.emit(event, payload);
  ctx.log.info({ roomId, peerId, held: held.length }, 'session resumed');
  return { peerId, mediaLost: false, state: room.state(), peers: visiblePeers(room, participant) };
};
