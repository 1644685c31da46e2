/**
 * moderation:setMode — broadcast (training): only the presenter (default the
 * chair) sends, everyone else's producers close; 'meeting' lifts it.
 */
import type { Handler } from '../types.ts';
import { auditMeeting } from './meetingHelpers.ts';

export const moderationSetMode: Handler<'moderation:setMode'> = async (ctx, { mode, presenterPeerId }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'moderation:setMode');
  room.control.setMode(mode, presenterPeerId);
  await auditMeeting(ctx, participant, 'set_mode', room, { mode, presenterPeerId: presenterPeerId ?? null });
  return {};
};
