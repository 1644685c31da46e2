/**
 * sip:tap — every non-phone audio producer of a live room as plain RTP to
 * `ip:port` for the gateway's mixer; later ones follow as `sip:tap:stream`,
 * closed ones as `sip:tap:ended` (rooms/RoomTap.ts). Only to the gateway's
 * own RTP addresses (BEACON_SIP_TAP_ALLOW); any other is refused and audited.
 */
import { isIP } from 'node:net';
import { BeaconError } from '@beacon/protocol';
import type { Handler } from '../types.ts';

export const sipTap: Handler<'sip:tap'> = async (ctx, { roomId, ip, port }) => {
  if (isIP(ip) === 0) throw BeaconError.badRequest('sip:tap: ip must be an IP address');
  if (!ctx.taps.allows(ip)) {
    // A service token asking to stream a meeting off the gateway: someone holds a token they should not.
    await ctx.store.audit.append({
      actorId: ctx.session.claims.userId,
      action: 'sip.tap_refused',
      target: roomId,
      detail: { ip, port },
    });
    ctx.log.warn({ roomId, ip, port }, 'tap to an address that is not the gateway refused');
    throw new BeaconError('forbidden', `a tap may not send to ${ip} (not a gateway address)`);
  }
  const streams = await ctx.taps.tap(ctx.socket.id, roomId, ip, port);
  ctx.log.debug({ roomId, ip, port, streams: streams.length }, 'room tapped');
  return { streams };
};
