/**
 * sip:upstreamIn — a call to a conference number came from an address the
 * gateway takes as a trunk (BEACON_SIP_PEERS, as Kamailio saw it — never the
 * From header, which anyone can write). When that address is the configured
 * upstream conference's, the call is the room's link up (上联): no PIN, shown
 * as the upstream, controlled by the chair like a dialled link. Anyone else
 * is an ordinary caller who keys the PIN.
 */
import type { Handler } from '../types.ts';
import { roomByNumber } from './sipResolve.ts';

export const sipUpstreamIn: Handler<'sip:upstreamIn'> = async (ctx, { number, callId, source }) => {
  const room = await roomByNumber(ctx, number);
  const accepted = await ctx.sip.acceptUpstream(ctx.socket.id, room.id, source);
  if (!accepted) {
    ctx.log.info({ roomId: room.id, number, source }, 'peer call is not the upstream: PIN asked as usual');
    return { upstream: false };
  }
  ctx.log.info({ roomId: room.id, number, source, callId, requestId: accepted.requestId }, 'upstream called in');
  return { upstream: true, requestId: accepted.requestId, roomId: room.id };
};
