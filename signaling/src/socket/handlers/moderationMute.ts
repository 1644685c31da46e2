/** moderation:mute — the chair pauses a peer's mic (audio) or camera (video); it shows as "muted by the chair". */
import type { Handler } from '../types.ts';
import { auditMeeting, peerIn } from './meetingHelpers.ts';

export const moderationMute: Handler<'moderation:mute'> = async (ctx, { peerId, kind }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'moderation:mute');
  const target = peerIn(room, peerId);
  await room.control.mute(participant, target, kind);
  await auditMeeting(ctx, participant, 'mute', room, { target: peerId, kind });
  return {};
};
