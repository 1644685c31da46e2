/** moderation:unmute — the chair opens a managed township terminal's mic (others: forbidden). */
import type { Handler } from '../types.ts';
import { auditMeeting, peerIn } from './meetingHelpers.ts';

export const moderationUnmute: Handler<'moderation:unmute'> = async (ctx, { peerId }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'moderation:unmute');
  const target = peerIn(room, peerId);
  await room.control.unmute(participant, target);
  await auditMeeting(ctx, participant, 'unmute', room, { target: peerId });
  return {};
};
