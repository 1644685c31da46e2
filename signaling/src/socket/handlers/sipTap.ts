/**
 * sip:tap — every non-phone audio producer of a live room as plain RTP to
 * `ip:port` for the gateway's mixer; later ones follow as `sip:tap:stream`,
 * closed ones as `sip:tap:ended` (rooms/RoomTap.ts).
 */
import { isIP } from 'node:net';
import { BeaconError } from '@beacon/protocol';
import type { Handler } from '../types.ts';

export const sipTap: Handler<'sip:tap'> = async (ctx, { roomId, ip, port }) => {
  if (isIP(ip) === 0) throw BeaconError.badRequest('sip:tap: ip must be an IP address');
  const streams = await ctx.taps.tap(ctx.socket.id, roomId, ip, port);
  ctx.log.debug({ roomId, ip, port, streams: streams.length }, 'room tapped');
  return { streams };
};
