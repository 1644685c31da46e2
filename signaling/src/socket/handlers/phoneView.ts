/**
 * phone:view — a SIP video terminal's leg asks for the room's main view at
 * its gateway socket (see sip/TerminalViewFeed.ts); asking again replaces
 * the feed. The feed ends when the terminal leaves the room.
 */
import { TerminalViewFeed } from '../../sip/TerminalViewFeed.ts';
import type { Handler } from '../types.ts';

export const phoneView: Handler<'phone:view'> = async (ctx, { ip, port, maxKbps }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'phone:view');
  TerminalViewFeed.start({
    room,
    peerId: participant.peerId,
    media: ctx.media,
    remote: { ip, port },
    maxKbps: maxKbps ?? null,
    // The participant's socket may change on a reconnect: look it up at each switch.
    send: (view) => ctx.io.to(participant.socketId).emit('phone:view', view),
  });
  ctx.log.debug({ roomId: room.id, peerId: participant.peerId }, 'terminal main view requested');
  return {};
};
