/**
 * consumer:resume — consumers start paused so no RTP arrives before the
 * client's track is wired; also shows a hidden tile again. A video consumer
 * of an audio-only receiver stays paused until audio-only is switched off.
 */
import type { Handler } from '../types.ts';

export const consumerResume: Handler<'consumer:resume'> = async (ctx, { consumerId }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'consumer:resume');
  await room.receive.resume(participant, consumerId);
  return {};
};
