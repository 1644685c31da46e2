/** consumer:resume — consumers start paused so no RTP arrives before the client's track is wired. */
import type { Handler } from '../types.ts';

export const consumerResume: Handler<'consumer:resume'> = async (ctx, { consumerId }) => {
  const { room, participant } = ctx.session.require(ctx.registry);
  await room.resumeConsumer(participant, consumerId);
  return {};
};
