/** transport:create — one WebRTC transport per direction (send, recv) per peer. */
import type { Handler } from '../types.ts';

export const transportCreate: Handler<'transport:create'> = async (ctx, { direction }) => {
  const { room, participant } = ctx.session.require(ctx.registry);
  return room.createTransport(participant, direction);
};
