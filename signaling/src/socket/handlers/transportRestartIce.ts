/** transport:restartIce — new ICE parameters for one of the peer's transports after its network came back. */
import type { Handler } from '../types.ts';

export const transportRestartIce: Handler<'transport:restartIce'> = async (ctx, { transportId }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'transport:restartIce');
  return { iceParameters: await room.transports.restartIce(participant, transportId) };
};
