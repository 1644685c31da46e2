/** moderation:setRole — the chair hands chairing over (becoming co-chair) or names a co-chair/participant. */
import type { Handler } from '../types.ts';
import { auditMeeting, peerIn } from './meetingHelpers.ts';

export const moderationSetRole: Handler<'moderation:setRole'> = async (ctx, { peerId, role }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'moderation:setRole');
  room.control.setRole(participant, peerIn(room, peerId), role);
  await auditMeeting(ctx, participant, 'set_role', room, { target: peerId, role });
  return {};
};
