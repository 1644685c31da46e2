/**
 * phone:dial — the chair, a co-chair, or a duty officer / admin account in
 * the room calls a township's desk phone or SIP video terminal into it (a
 * terminal is offered video too). The gateway rings it and reports back with
 * sip:dialState; the answered phone joins like a dial-in.
 */

import type { Role } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { ACCOUNT_PERMISSIONS, authorize, isAllowed } from '../../rooms/permissions.ts';
import { dialRequestFor } from '../../sip/dialRequest.ts';
import type { Handler } from '../types.ts';
import { auditMeeting } from './meetingHelpers.ts';

/** Accounts that may dial whatever their meeting role: the city's duty desk. */
const DIALLING_ACCOUNTS: readonly Role[] = ACCOUNT_PERMISSIONS['phone:dialAny'];

export const phoneDial: Handler<'phone:dial'> = async (ctx, { extension }) => {
  const found = ctx.session.lookup(ctx.registry);
  if (!found) throw new BeaconError('not_in_room', 'join a room first');
  const { room, participant } = found;
  if (!DIALLING_ACCOUNTS.includes(participant.claims.role) && !isAllowed(participant.meetingRole, 'phone:dial')) {
    authorize(participant.meetingRole, 'phone:dial');
  }
  if (!(await ctx.store.terminals.findPhoneByExtension(extension))) {
    throw new BeaconError('extension_not_found', `没有分机 ${extension} / no phone has extension ${extension}`);
  }
  // In a cluster the gateway may be connected to another node than this one (the room's owner): relayed there.
  const request = ctx.sip.canCall
    ? ctx.sip.dial(await dialRequestFor(ctx.store, room.id, extension), ctx.socket.id)
    : null;
  if (!request) throw new BeaconError('sip_unavailable', '电话网关不可用 / the phone gateway is not available');
  await auditMeeting(ctx, participant, 'phone_dial', room, { extension, requestId: request.requestId });
  ctx.log.info({ roomId: room.id, extension, requestId: request.requestId }, 'dialling a phone into the room');
  return { requestId: request.requestId };
};
