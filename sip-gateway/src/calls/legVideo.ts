/**
 * A SIP video terminal's video for a leg, whichever side called: its sockets
 * (opened before the offer or answer that names them) and the camera the
 * leg's connection opens in the room once the call agreed H.264.
 */
import { randomInt } from 'node:crypto';
import { createLogger } from '../logger.ts';
import type { TerminalVideo } from '../media/TerminalVideo.ts';
import type { LegVideoRequest } from '../signaling/LegConnection.ts';
import type { CallLeg } from './CallLeg.ts';
import type { GatewayContext } from './GatewayContext.ts';

const logger = createLogger('LegVideo');

/** The terminal's video sockets; null when no port pair is free (the call still goes on, audio only). */
export async function openLegVideo(ctx: GatewayContext, callRef: string): Promise<TerminalVideo | null> {
  try {
    return await ctx.openTerminalVideo();
  } catch (err) {
    logger.warn({ err, call: callRef }, 'no video ports free: the call goes on audio only');
    return null;
  }
}

/** The terminal's camera as the room should take it, or undefined: a desk phone, or no video agreed. */
export function legCamera(leg: CallLeg): LegVideoRequest | undefined {
  const agreed = leg.call.negotiation?.video;
  const terminal = leg.video;
  if (!terminal || !agreed) return undefined;
  const said = agreed.bandwidthKbps;
  return {
    ssrc: randomInt(1, 0xffff_fffe),
    payloadType: agreed.payloadType,
    profileLevelId: agreed.profileLevelId,
    source: terminal.roomSide,
    // It may send no more than our b= told it; and a hardware terminal runs one call rate both ways, so no more
    // than its own b= either. The room forwards it to another terminal only when this fits that one's b=.
    sendKbps: said === null ? terminal.receiveKbps : Math.min(said, terminal.receiveKbps),
    ...(said === null ? {} : { receiveKbps: said }),
  };
}
