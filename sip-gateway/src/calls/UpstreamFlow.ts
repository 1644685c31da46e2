/**
 * The room's link up (上联): dial the upstream conference's SIP URI through
 * Kamailio offering H.264 + G.722/G.711 like a video terminal dial-out, key
 * its PIN by DTMF once answered, then put the call in the room as one
 * participant — the upstream (上级会场) — whose camera is the far
 * conference's picture and whose audio the room hears; it gets the room's
 * main view and mix, exactly as a SIP video terminal does. Progress goes back
 * with `sip:dialState` (signaling's UpstreamLink redials a dropped link).
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { UpstreamControl, UpstreamDialRequest } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { GatewayUserAgent } from '../sip/GatewayUserAgent.ts';
import { CallLeg } from './CallLeg.ts';
import type { GatewayContext } from './GatewayContext.ts';
import { legCamera, openLegVideo } from './legVideo.ts';
import { followPlacedCall, type PlacedCallReport } from './placedCall.ts';

const logger = createLogger('Upstream');

/**
 * How long after the answer the PIN is keyed: the far bridge starts its PIN
 * collector once its own answer is acknowledged; digits before that are lost.
 */
const PIN_DELAY_MS = 1000;

/** Upstream calls in flight, by signaling's request id (controls name them). */
export class UpstreamCalls {
  readonly #legs = new Map<string, CallLeg>();

  add(requestId: string, leg: CallLeg): void {
    this.#legs.set(requestId, leg);
    leg.once('ended', () => this.#legs.delete(requestId));
  }

  control({ requestId, action }: UpstreamControl): void {
    const leg = this.#legs.get(requestId);
    if (!leg) return;
    if (action === 'hangup') void leg.end('disconnected');
    else leg.media.setSendMuted(action === 'mute');
    logger.info({ requestId, legId: leg.legId, action }, 'upstream control');
  }
}

export async function runUpstream(
  ctx: GatewayContext,
  ua: GatewayUserAgent,
  calls: UpstreamCalls,
  request: UpstreamDialRequest,
): Promise<void> {
  const report: PlacedCallReport = (state, reason = null) =>
    ctx.service.reportDialState(request.requestId, state, reason);
  let media: Awaited<ReturnType<GatewayContext['openPhoneMedia']>>;
  try {
    media = await ctx.openPhoneMedia();
  } catch (err) {
    logger.error({ err }, 'no RTP port free for the upstream call');
    ctx.countCall('out', 'failed');
    report('failed', 'no RTP port free in the gateway');
    return;
  }
  const video = await openLegVideo(ctx, request.requestId);
  let call: ReturnType<GatewayUserAgent['dialUri']>;
  try {
    call = ua.dialUri(request.uri, media, video);
  } catch (err) {
    logger.warn({ err, uri: request.uri }, 'upstream URI refused');
    media.close();
    video?.close();
    ctx.countCall('out', 'failed');
    report('failed', 'bad_uri');
    return;
  }
  const leg = new CallLeg({
    legId: randomUUID(),
    direction: 'out',
    call,
    media,
    prompts: ctx.prompts,
    video,
    transcoders: ctx.viewTranscoders,
  });
  ctx.track(leg, null);
  calls.add(request.requestId, leg);
  followPlacedCall(ctx, leg, call, report, () => {
    logger.info(
      { legId: leg.legId, uri: request.uri, roomId: request.roomId, video: leg.video !== null },
      'upstream conference answered',
    );
    void enterRoom(ctx, leg, request);
  });
}

async function enterRoom(ctx: GatewayContext, leg: CallLeg, request: UpstreamDialRequest): Promise<void> {
  try {
    if (request.pin !== null) {
      await new Promise((resolve) => setTimeout(resolve, PIN_DELAY_MS));
      if (leg.finished) return;
      await leg.call.sendDtmf(`${request.pin}#`);
    }
    await leg.joinRoom(
      request.roomId,
      async () => {
        const { token } = await ctx.service.legToken({
          callId: leg.call.callId,
          extension: null,
          fromNumber: null,
          upstream: true,
        });
        return ctx.openLegConnection(request.roomId, token, randomInt(1, 0xffff_fffe), leg.media, legCamera(leg));
      },
      async () => {
        const audio = await ctx.roomAudio(request.roomId);
        leg.once('ended', () => ctx.releaseRoomAudio(request.roomId));
        return audio;
      },
      // The far conference hears its own bridge, not our prompts.
      null,
    );
  } catch (err) {
    logger.warn({ err, legId: leg.legId }, 'the upstream call could not join the room');
    await leg.end('join_failed');
  }
}
