/**
 * moderation:remove — the peer's client gets `room:removed` and leaves the
 * room (its socket stays connected and may join again unless locked).
 */
import { BeaconError } from '@beacon/protocol';
import type { Handler } from '../types.ts';
import { auditMeeting, peerIn } from './meetingHelpers.ts';

export const moderationRemove: Handler<'moderation:remove'> = async (ctx, { peerId }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'moderation:remove');
  const target = peerIn(room, peerId);
  if (target === participant) throw BeaconError.badRequest('use room:leave to leave');
  if (target.meetingRole === 'chair') throw BeaconError.forbidden('不能移除主席 / the chair cannot be removed');
  ctx.io
    .to(target.socketId)
    .emit('room:removed', { reason: `${participant.claims.displayName} 将您移出了会议 / removed by the chair` });
  room.remove(target.peerId);
  await auditMeeting(ctx, participant, 'remove', room, { target: peerId, user: target.claims.userId });
  return {};
};
