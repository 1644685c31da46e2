/** speak:grant — the floor: the requester leaves the queue, its mic opens, it is spotlit and hears `speak:result`. */
import type { Handler } from '../types.ts';
import { auditMeeting } from './meetingHelpers.ts';

export const speakGrant: Handler<'speak:grant'> = async (ctx, { peerId }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'speak:grant');
  await room.mainView.grantSpeak(peerId);
  await auditMeeting(ctx, participant, 'speak_grant', room, { target: peerId });
  return {};
};
