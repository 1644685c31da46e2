/** phone:state — the call is ringing, connected, held or ending; the console shows it via `peer:updated`. */
import type { Handler } from '../types.ts';

export const phoneState: Handler<'phone:state'> = async (ctx, { callState }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'phone:state');
  if (participant.phone && participant.phone.callState !== callState) {
    participant.phone.callState = callState;
    room.peerUpdated(participant);
  }
  return {};
};
