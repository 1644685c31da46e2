/**
 * The chair (or duty officer) called a township's phone from the console:
 * ring it through Kamailio, report each step back to the console
 * (dialling → ringing → answered | busy | no_answer | failed, later ended),
 * and put the phone in the room once it answers.
 *
 * A SIP video terminal (signaling says so: `DialRequest.video`) is offered
 * H.264 beside the audio; when its answer takes it, its camera enters the
 * room and it receives the main view exactly as when it calls in. An answer
 * without video (or no free video ports) leaves it an audio call.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { DialRequest, DialState } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { GatewayUserAgent } from '../sip/GatewayUserAgent.ts';
import { CallLeg } from './CallLeg.ts';
import type { GatewayContext } from './GatewayContext.ts';
import { legCamera, openLegVideo } from './legVideo.ts';
import { followPlacedCall } from './placedCall.ts';

const logger = createLogger('DialOut');

export async function runDialOut(ctx: GatewayContext, ua: GatewayUserAgent, request: DialRequest): Promise<void> {
  const report = (state: DialState, reason: string | null = null) =>
    ctx.service.reportDialState(request.requestId, state, reason);
  let media: Awaited<ReturnType<GatewayContext['openPhoneMedia']>>;
  try {
    media = await ctx.openPhoneMedia();
  } catch (err) {
    logger.error({ err }, 'no RTP port free for a dial-out');
    ctx.countCall('out', 'failed');
    report('failed', 'no RTP port free in the gateway');
    return;
  }
  const video = request.video === true ? await openLegVideo(ctx, request.requestId) : null;
  const call = ua.dial(request.extension, media, video);
  const leg = new CallLeg({
    legId: randomUUID(),
    direction: 'out',
    call,
    media,
    prompts: ctx.prompts,
    video,
    transcoders: ctx.viewTranscoders,
  });
  ctx.track(leg, request.extension);
  followPlacedCall(ctx, leg, call, report, () => {
    logger.info(
      { legId: leg.legId, extension: request.extension, roomId: request.roomId, video: leg.video !== null },
      'dial-out answered',
    );
    void enterRoom(ctx, leg, request);
  });
}

async function enterRoom(ctx: GatewayContext, leg: CallLeg, request: DialRequest): Promise<void> {
  try {
    await leg.joinRoom(
      request.roomId,
      async () => {
        const { token } = await ctx.service.legToken({
          callId: leg.call.callId,
          extension: request.extension,
          fromNumber: null,
        });
        return ctx.openLegConnection(request.roomId, token, randomInt(1, 0xffff_fffe), leg.media, legCamera(leg));
      },
      async () => {
        const audio = await ctx.roomAudio(request.roomId);
        leg.once('ended', () => ctx.releaseRoomAudio(request.roomId));
        return audio;
      },
    );
  } catch (err) {
    logger.warn({ err, legId: leg.legId }, 'answered phone could not join the room');
    await leg.end('join_failed');
  }
}
