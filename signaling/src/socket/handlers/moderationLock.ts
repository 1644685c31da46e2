/** moderation:lock — locked: new joins get `room_locked` (chair accounts still enter); present peers stay. */
import type { Handler } from '../types.ts';
import { auditMeeting } from './meetingHelpers.ts';

export const moderationLock: Handler<'moderation:lock'> = async (ctx, { locked }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'moderation:lock');
  room.control.setLocked(locked);
  await auditMeeting(ctx, participant, locked ? 'lock' : 'unlock', room);
  return {};
};
