/**
 * sip:tap — every non-phone audio producer of a live room as plain RTP to
 * `ip:port` for the gateway's mixer; later ones follow as `sip:tap:stream`,
 * closed ones as `sip:tap:ended` (rooms/RoomTap.ts). Only to the gateway's
 * own RTP addresses (BEACON_SIP_TAP_ALLOW) and RTP ports
 * (BEACON_SIP_RTP_PORT_MIN/MAX); any other is refused and audited.
 */
import { isIP } from 'node:net';
import { BeaconError } from '@beacon/protocol';
import type { Handler } from '../types.ts';

export const sipTap: Handler<'sip:tap'> = async (ctx, { roomId, ip, port }) => {
  if (isIP(ip) === 0) throw BeaconError.badRequest('sip:tap: ip must be an IP address');
  const refusal = ctx.taps.refusal(ip, port);
  if (refusal !== null) {
    // A service token asking to stream a meeting off the gateway: someone holds a token they should not.
    await ctx.store.audit.append({
      actorId: ctx.session.claims.userId,
      action: 'sip.tap_refused',
      target: roomId,
      detail: { ip, port, reason: refusal === 'address' ? 'not_gateway_address' : 'not_gateway_rtp_port' },
    });
    ctx.log.warn({ roomId, ip, port, refusal }, 'tap to something that is not the gateway refused');
    throw new BeaconError(
      'forbidden',
      refusal === 'address'
        ? `a tap may not send to ${ip} (not a gateway address)`
        : `a tap may not send to port ${port} (not one of the gateway's RTP ports)`,
    );
  }
  const streams = await ctx.taps.tap(ctx.socket.id, roomId, ip, port);
  ctx.log.debug({ roomId, ip, port, streams: streams.length }, 'room tapped');
  return { streams };
};
