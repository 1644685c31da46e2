/** sip:dialState — progress of a dial-out, relayed as `phone:dial:state` to the dialler and the room's chairs. */
import { BeaconError } from '@beacon/protocol';
import type { Handler } from '../types.ts';

export const sipDialState: Handler<'sip:dialState'> = async (ctx, { requestId, state, reason }) => {
  if (!ctx.sip.dialState(requestId, state, reason)) throw BeaconError.notFound('dial request');
  return {};
};
