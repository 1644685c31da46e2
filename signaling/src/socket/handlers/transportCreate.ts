/**
 * transport:create — one WebRTC transport per direction (send, recv) per peer.
 * A send transport needs a sending role (audience members only receive) and,
 * in broadcast mode, the presenter. With TURN on, the ack carries the user's
 * freshly minted TURN credentials.
 */
import type { Handler } from '../types.ts';

export const transportCreate: Handler<'transport:create'> = async (ctx, { direction }) => {
  const { room, participant } = ctx.session.require(
    ctx.registry,
    direction === 'send' ? 'media:send' : 'transport:create',
  );
  if (direction === 'send') room.control.assertMaySend(participant);
  const params = await room.transports.create(participant, direction);
  const iceServers = ctx.turn?.iceServersFor(ctx.session.claims.userId);
  return iceServers ? { ...params, iceServers } : params;
};
