/** moderation:muteAll — every mic but the chair's is muted by the chair; acks how many. */
import type { Handler } from '../types.ts';
import { auditMeeting } from './meetingHelpers.ts';

export const moderationMuteAll: Handler<'moderation:muteAll'> = async (ctx) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'moderation:muteAll');
  const muted = await room.control.muteAll();
  await auditMeeting(ctx, participant, 'mute_all', room, { muted });
  return { muted };
};
