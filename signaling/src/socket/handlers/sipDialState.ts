/**
 * sip:dialState — progress of a dial-out, relayed as `phone:dial:state` to the dialler and the room's chairs;
 * or of a room's upstream call (上联), which moves that room's link.
 */
import { BeaconError } from '@beacon/protocol';
import type { Handler } from '../types.ts';

export const sipDialState: Handler<'sip:dialState'> = async (ctx, { requestId, state, reason }) => {
  if (!ctx.sip.dialState(requestId, state, reason) && !ctx.sip.upstreamState(requestId, state, reason))
    throw BeaconError.notFound('dial request');
  return {};
};
