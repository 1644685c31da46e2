/** rollcall:set — roll call (点名): everyone's main view on one peer, its mic opened; null ends it. */
import type { Handler } from '../types.ts';
import { auditMeeting } from './meetingHelpers.ts';

export const rollcallSet: Handler<'rollcall:set'> = async (ctx, { peerId }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'rollcall:set');
  await room.mainView.rollcall(peerId);
  await auditMeeting(ctx, participant, 'rollcall', room, { target: peerId });
  return {};
};
