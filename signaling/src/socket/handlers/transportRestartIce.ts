/**
 * transport:restartIce — new ICE parameters for one of the peer's transports
 * after its network came back, and (TURN on) fresh TURN credentials: the
 * first ones may have expired during a long meeting.
 */
import type { Handler } from '../types.ts';

export const transportRestartIce: Handler<'transport:restartIce'> = async (ctx, { transportId }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'transport:restartIce');
  const iceParameters = await room.transports.restartIce(participant, transportId);
  const iceServers = ctx.turn?.iceServersFor(ctx.session.claims.userId);
  return iceServers ? { iceParameters, iceServers } : { iceParameters };
};
