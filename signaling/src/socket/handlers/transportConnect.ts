/** transport:connect — DTLS parameters of the client side; only for the peer's own transports. */
import type { Handler } from '../types.ts';

export const transportConnect: Handler<'transport:connect'> = async (ctx, { transportId, dtlsParameters }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'transport:connect');
  await room.transports.connect(participant, transportId, dtlsParameters);
  return {};
};
