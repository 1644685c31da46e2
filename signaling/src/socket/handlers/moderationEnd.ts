/**
 * moderation:end — the meeting ends for everyone: each client gets
 * `room:ended`, every peer leaves, the room closes (and with it the meeting
 * in the store). A later join of the room id starts a new meeting.
 */
import type { Handler } from '../types.ts';
import { auditMeeting } from './meetingHelpers.ts';

export const moderationEnd: Handler<'moderation:end'> = async (ctx) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'moderation:end');
  const socketIds = room.participants().map((p) => p.socketId);
  ctx.io.to(socketIds).emit('room:ended', { by: participant.claims.displayName });
  await auditMeeting(ctx, participant, 'end', room);
  ctx.log.info({ roomId: room.id }, 'meeting ended by the chair');
  room.end();
  return {};
};
