/**
 * The room's link up (上联): dial the upstream conference's SIP URI through
 * Kamailio offering H.264 + G.722/G.711 like a video terminal dial-out, key
 * its PIN by DTMF once answered, then put the call in the room as one
 * participant — the upstream (上级会场) — whose camera is the far
 * conference's picture and whose audio the room hears; it gets the room's
 * main view and mix, exactly as a SIP video terminal does. Progress goes back
 * with `sip:dialState` (signaling's UpstreamLink redials a dropped link).
 *
 * The upstream may also call the room's number itself (`takeUpstreamCall`):
 * from a trusted peer address, signaling names it the room's link, and the
 * call is answered and put in the room the same way, without a PIN.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { DialState, UpstreamControl, UpstreamDialRequest } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { GatewayUserAgent, IncomingCall } from '../sip/GatewayUserAgent.ts';
import { chooseH264 } from '../sip/videoSdp.ts';
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

/** What UpstreamCalls needs of a call leg (CallLeg; tests pass a small stand-in). */
export interface UpstreamCallLeg {
  readonly legId: string;
  readonly media: { setSendMuted(muted: boolean): void };
  end(reason: 'disconnected'): Promise<void>;
  once(event: 'ended', listener: () => void): unknown;
}

/**
 * How long a control for a call not registered yet is kept. The call is registered once its RTP port is open
 * (milliseconds); a control older than this was for a call that never came (refused, no port) and is dropped.
 */
const EARLY_CONTROL_MS = 30_000;
/** Early controls kept at most (a signaling that sends controls for calls that never come must not grow it). */
const MAX_EARLY_CONTROLS = 64;

/**
 * Upstream calls in flight, by signaling's request id (controls name them). Signaling's link decides whether
 * our side is muted; a control can arrive before the call is registered here — the upstream's call-in is
 * registered only after the `sip:upstreamIn` answer, and signaling sends the chair's mute as it takes the call
 * — so the last early control per request is kept and carried out when the call is added, never dropped.
 */
export class UpstreamCalls {
  readonly #legs = new Map<string, UpstreamCallLeg>();
  readonly #early = new Map<string, { action: UpstreamControl['action']; at: number }>();
  readonly #now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.#now = opts.now ?? Date.now;
  }

  add(requestId: string, leg: UpstreamCallLeg): void {
    this.#legs.set(requestId, leg);
    leg.once('ended', () => this.#legs.delete(requestId));
    const early = this.#early.get(requestId);
    this.#early.delete(requestId);
    if (early && this.#now() - early.at <= EARLY_CONTROL_MS) this.#apply(requestId, leg, early.action);
  }

  control({ requestId, action }: UpstreamControl): void {
    const leg = this.#legs.get(requestId);
    if (leg) {
      this.#apply(requestId, leg, action);
      return;
    }
    // A hang-up stays a hang-up: a mute after it changes nothing.
    if (this.#early.get(requestId)?.action === 'hangup') return;
    this.#early.delete(requestId);
    if (this.#early.size >= MAX_EARLY_CONTROLS) {
      const oldest = this.#early.keys().next();
      if (!oldest.done) this.#early.delete(oldest.value);
    }
    this.#early.set(requestId, { action, at: this.#now() });
    logger.info({ requestId, action }, 'upstream control before its call: kept for it');
  }

  #apply(requestId: string, leg: UpstreamCallLeg, action: UpstreamControl['action']): void {
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
    void enterRoom(ctx, leg, request.roomId, request.pin);
  });
}

/**
 * The upstream conference called `link.roomId`'s number and signaling took the call as the room's link
 * (`link.requestId` names it for controls and progress): answer, report it up, and put it in the room.
 */
export async function takeUpstreamCall(
  ctx: GatewayContext,
  call: IncomingCall,
  link: { requestId: string; roomId: string },
): Promise<void> {
  const report = (state: DialState, reason: string | null = null) =>
    ctx.service.reportDialState(link.requestId, state, reason);
  if (!call.offer) {
    ctx.countCall('in', 'failed');
    call.reject(488);
    report('failed', 'no_offer');
    return;
  }
  let media: Awaited<ReturnType<GatewayContext['openPhoneMedia']>>;
  try {
    media = await ctx.openPhoneMedia();
  } catch (err) {
    logger.error({ err }, 'no RTP port free for the upstream calling in');
    ctx.countCall('in', 'failed');
    call.reject(503);
    report('failed', 'no RTP port free in the gateway');
    return;
  }
  const video =
    call.videoOffer !== null && chooseH264(call.videoOffer) !== null ? await openLegVideo(ctx, call.callId) : null;
  const leg = new CallLeg({
    legId: randomUUID(),
    direction: 'in',
    call,
    media,
    prompts: ctx.prompts,
    video,
    transcoders: ctx.viewTranscoders,
  });
  ctx.track(leg, null);
  ctx.upstreamCalls.add(link.requestId, leg);
  // The chair disconnected the link while the call was being set up (a control kept for it, carried out above).
  if (leg.finished) return;
  try {
    leg.mediaUp(await call.accept(media, video));
  } catch (err) {
    logger.warn({ err, callId: call.callId }, 'answering the upstream failed');
    ctx.countCall('in', 'failed');
    report('failed', 'answer_failed');
    await leg.end('failed');
    return;
  }
  ctx.countCall('in', 'answered');
  leg.once('ended', (reason) => report('ended', reason));
  logger.info({ legId: leg.legId, roomId: link.roomId, video: leg.video !== null }, 'upstream conference called in');
  await enterRoom(ctx, leg, link.roomId, null);
}

async function enterRoom(ctx: GatewayContext, leg: CallLeg, roomId: string, pin: string | null): Promise<void> {
  try {
    if (pin !== null) {
      await new Promise((resolve) => setTimeout(resolve, PIN_DELAY_MS));
      if (leg.finished) return;
      await leg.call.sendDtmf(`${pin}#`);
    }
    await leg.joinRoom(
      roomId,
      async () => {
        const { token } = await ctx.service.legToken({
          callId: leg.call.callId,
          extension: null,
          fromNumber: null,
          upstream: true,
        });
        return ctx.openLegConnection(roomId, token, randomInt(1, 0xffff_fffe), leg.media, legCamera(leg));
      },
      async () => {
        const audio = await ctx.roomAudio(roomId);
        leg.once('ended', () => ctx.releaseRoomAudio(roomId));
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
