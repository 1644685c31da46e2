/** polling:start — polling (轮巡): the main view rotates over the given peers every N ≥ 5 s. */
import type { Handler } from '../types.ts';
import { auditMeeting } from './meetingHelpers.ts';

export const pollingStart: Handler<'polling:start'> = async (ctx, { peerIds, intervalSeconds }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'polling:start');
  room.mainView.startPolling(peerIds, intervalSeconds);
  await auditMeeting(ctx, participant, 'polling_start', room, { peers: peerIds.length, intervalSeconds });
  return {};
};
