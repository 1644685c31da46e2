/**
 * A phone dialled a conference number: resolve the number (unknown → 404
 * before answering), refuse a caller or number locked out for wrong PINs
 * (403 before answering, see PinGuard), answer, ask for the PIN (Chinese,
 * then English), three tries, then join the room or say goodbye and hang up;
 * a lockout that starts during the tries ends the call at once.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { ClientError, type SipCallOutcome } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { TerminalVideo } from '../media/TerminalVideo.ts';
import type { IncomingCall } from '../sip/GatewayUserAgent.ts';
import { chooseH264 } from '../sip/videoSdp.ts';
import { CallLeg } from './CallLeg.ts';
import { CallLegState } from './CallLegState.ts';
import type { GatewayContext } from './GatewayContext.ts';
import { legCamera, openLegVideo } from './legVideo.ts';
import { collectPin } from './PinCollector.ts';
import { takeUpstreamCall } from './UpstreamFlow.ts';

const logger = createLogger('DialIn');

/**
 * The video sockets of a SIP video terminal that offered H.264 we can take;
 * null for a desk phone, an offer without a usable format (answered audio
 * only), or when no port pair is free (the call still goes on, audio only).
 */
async function openVideo(ctx: GatewayContext, call: IncomingCall): Promise<TerminalVideo | null> {
  if (call.videoOffer === null || chooseH264(call.videoOffer) === null) return null;
  return openLegVideo(ctx, call.callId);
}

/** A phone user that is a known extension of Beacon, else null (an outside caller). */
const EXTENSION = /^[0-9]{2,16}$/;

export async function runDialIn(ctx: GatewayContext, call: IncomingCall): Promise<void> {
  const number = call.toUser;
  let resolved: Awaited<ReturnType<GatewayContext['service']['resolveNumber']>>;
  try {
    resolved = await ctx.service.resolveNumber(number);
  } catch (err) {
    const code = err instanceof ClientError ? err.code : 'internal';
    logger.info({ callId: call.callId, number, code }, 'dial-in to an unknown number refused');
    const unknown = code === 'room_not_found' || code === 'bad_request';
    ctx.countCall('in', unknown ? 'unknown_number' : 'failed');
    call.reject(unknown ? 404 : 503);
    return;
  }
  // Before the PIN lockout: a trusted upstream is not a guesser, and a locked number must not cut the link.
  if (resolved.pinRequired !== false && (await tookAsUpstream(ctx, call, number))) return;
  const caller = call.fromUser || call.signalIp || 'unknown';
  const locked = ctx.pins.locked(number, caller);
  if (locked) {
    logger.info({ callId: call.callId, number, caller, scope: locked.scope }, 'dial-in refused: PIN entry locked');
    ctx.countCall('in', 'rejected_pin');
    call.reject(403);
    return;
  }
  if (!call.offer) {
    // Delayed offer is legal SIP, but every desk phone we serve offers in the INVITE.
    ctx.countCall('in', 'failed');
    call.reject(488);
    return;
  }
  let media: Awaited<ReturnType<GatewayContext['openPhoneMedia']>>;
  try {
    media = await ctx.openPhoneMedia();
  } catch (err) {
    logger.error({ err }, 'no RTP port free for a dial-in');
    ctx.countCall('in', 'failed');
    call.reject(503);
    return;
  }
  const video = await openVideo(ctx, call);
  const leg = new CallLeg({
    legId: randomUUID(),
    direction: 'in',
    call,
    media,
    prompts: ctx.prompts,
    video,
    transcoders: ctx.viewTranscoders,
  });
  const extension = EXTENSION.test(call.fromUser) ? call.fromUser : null;
  ctx.track(leg, extension);
  try {
    leg.mediaUp(await call.accept(media, video));
  } catch (err) {
    logger.warn({ err, callId: call.callId }, 'answering the call failed');
    ctx.countCall('in', 'failed');
    await leg.end('failed');
    return;
  }
  leg.transition(CallLegState.Prompting);
  ctx.lobby.add(leg.legId, media);
  try {
    // The duty number needs no PIN: its line is the call's own room.
    const roomId = resolved.pinRequired === false ? resolved.roomId : await askPin(ctx, leg, number, caller);
    if (roomId === null) {
      ctx.countCall('in', dialInOutcome(leg));
      return;
    }
    await leg.joinRoom(
      roomId,
      async () => {
        const { token } = await ctx.service.legToken({
          callId: call.callId,
          extension,
          fromNumber: call.fromUser || null,
        });
        return ctx.openLegConnection(roomId, token, randomInt(1, 0xffff_fffe), media, legCamera(leg));
      },
      async () => {
        const audio = await ctx.roomAudio(roomId);
        // From here the room's mixer ticks this leg, not the lobby.
        ctx.lobby.remove(leg.legId);
        leg.once('ended', () => ctx.releaseRoomAudio(roomId));
        return audio;
      },
      resolved.pinRequired === false ? 'duty_connecting' : 'joined',
    );
    ctx.countCall('in', dialInOutcome(leg));
  } catch (err) {
    logger.warn({ err, legId: leg.legId }, 'dial-in failed');
    ctx.countCall('in', 'failed');
    await leg.end('join_failed');
  } finally {
    ctx.lobby.remove(leg.legId);
  }
}

/**
 * A call from a trusted peer address (as Kamailio saw it; the From header proves nothing) that signaling names
 * the upstream conference: taken as the room's link, true. False for anyone else (the PIN is asked as usual),
 * also when signaling cannot tell — a caller is better asked for the PIN than refused.
 */
async function tookAsUpstream(ctx: GatewayContext, call: IncomingCall, number: string): Promise<boolean> {
  const source = call.signalIp?.toLowerCase() ?? null;
  if (source === null || !ctx.peers.has(source)) return false;
  let answer: Awaited<ReturnType<GatewayContext['service']['upstreamIn']>>;
  try {
    answer = await ctx.service.upstreamIn(number, call.callId, source);
  } catch (err) {
    logger.warn({ err, callId: call.callId, source }, 'could not ask whether a peer call is the upstream');
    return false;
  }
  if (!answer.upstream) return false;
  await takeUpstreamCall(ctx, call, answer);
  return true;
}

/** A dial-in's outcome once it is in the room or has ended on the way there. */
function dialInOutcome(leg: CallLeg): SipCallOutcome {
  if (leg.state === CallLegState.InRoom) return 'answered';
  if (leg.endReason === 'wrong_pin') return 'rejected_pin';
  if (leg.endReason === 'phone_hung_up' || leg.endReason === 'rtp_timeout') return 'hung_up';
  return 'failed';
}

/** The room id once the PIN is right; null when the leg ended (wrong PINs, hang-up). */
async function askPin(ctx: GatewayContext, leg: CallLeg, number: string, caller: string): Promise<string | null> {
  for (let attempt = 1; attempt <= ctx.pinTries; attempt += 1) {
    if (leg.finished) return null;
    // Others may have locked the number while this caller listened.
    if (ctx.pins.locked(number, caller)) break;
    const prompt = leg.say(attempt === 1 ? 'welcome_pin' : 'wrong_pin');
    const collector = collectPin([leg.media, leg.call], () => leg.media.stopPrompts(), { promptPlayed: prompt });
    leg.once('ended', collector.cancel);
    const pin = await collector.pin;
    leg.off('ended', collector.cancel);
    if (leg.finished) return null;
    leg.media.stopPrompts();
    try {
      if (pin.length === 0) throw new ClientError('wrong_pin', 'no PIN entered');
      const room = await ctx.service.enter(number, pin, caller);
      ctx.pins.succeed(caller);
      return room.roomId;
    } catch (err) {
      if (!(err instanceof ClientError) || err.code !== 'wrong_pin') throw err;
      logger.info({ legId: leg.legId, attempt }, 'wrong PIN');
      for (const lock of ctx.pins.fail(number, caller)) ctx.pinLockout(lock, number, caller);
    }
  }
  await leg.say('goodbye_wrong_pin');
  await leg.end('wrong_pin');
  return null;
}
