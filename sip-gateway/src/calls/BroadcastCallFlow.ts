/**
 * A broadcast call (应急广播): signaling asks the gateway to call a village's
 * IP loudspeaker when a warning is issued (and again on escalation if the call
 * failed). The loudspeaker answers by itself; the gateway plays the attention
 * tone and the warning (Mandarin, espeak-ng, synthesised once per text while
 * the loudspeakers ring, cached) `repeat` times, then hangs up. No key is
 * expected. Reports: dialling, answered, then `ended` once every repetition
 * went out — or busy / no_answer / failed, with why.
 */
import { randomUUID } from 'node:crypto';
import type { BroadcastRequest } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import { attentionTone } from '../media/attentionTone.ts';
import type { GatewayUserAgent } from '../sip/GatewayUserAgent.ts';
import { unansweredOutcome } from './CallCounters.ts';
import { CallLeg } from './CallLeg.ts';
import { CallLegState } from './CallLegState.ts';
import type { GatewayContext } from './GatewayContext.ts';

const logger = createLogger('BroadcastCall');

/** Silence between two repetitions. */
const BETWEEN_MS = 1000;
/**
 * A loudspeaker may send no RTP at all (it only listens): the call must not end for silence
 * before the broadcast does. It ends by itself after its repetitions.
 */
const LISTEN_ONLY_TIMEOUT_MS = 15 * 60_000;

/** The same chime for every call: computed once. */
let tone: Int16Array | null = null;

export async function runBroadcastCall(
  ctx: GatewayContext,
  ua: GatewayUserAgent,
  broadcast: BroadcastRequest,
): Promise<void> {
  let media: Awaited<ReturnType<GatewayContext['openPhoneMedia']>>;
  try {
    media = await ctx.openPhoneMedia({ rtpTimeoutMs: LISTEN_ONLY_TIMEOUT_MS });
  } catch (err) {
    logger.error({ err }, 'no RTP port free for a broadcast');
    ctx.countCall('alert', 'failed');
    ctx.service.reportBroadcastState(broadcast, 'failed', 'no RTP port free in the gateway');
    return;
  }
  // Synthesised while the loudspeakers ring; every loudspeaker of the same warning shares the one synthesis.
  const speech = ctx.prompts.sayZh(broadcast.textZh);
  speech.catch(() => undefined);
  const call = ua.dial(broadcast.extension, media);
  const leg = new CallLeg({ legId: randomUUID(), direction: 'out', call, media, prompts: ctx.prompts });
  ctx.track(leg, broadcast.extension);
  ctx.service.reportBroadcastState(broadcast, 'dialling');
  let answered = false;
  let played = false;
  leg.once('ended', (reason) => {
    ctx.lobby.remove(leg.legId);
    if (!answered) {
      ctx.countCall('alert', unansweredOutcome(reason));
      ctx.service.reportBroadcastState(broadcast, unansweredOutcome(reason), reason);
    } else if (played) ctx.service.reportBroadcastState(broadcast, 'ended');
    else ctx.service.reportBroadcastState(broadcast, 'failed', `ended before the broadcast was played (${reason})`);
  });
  call.on('ringing', () => {
    if (leg.state === CallLegState.Dialling) leg.transition(CallLegState.Ringing);
  });
  call.once('answered', (negotiation) => {
    if (leg.finished) return;
    answered = true;
    ctx.countCall('alert', 'answered');
    leg.mediaUp(negotiation);
    leg.transition(CallLegState.Prompting);
    ctx.lobby.add(leg.legId, media);
    ctx.service.reportBroadcastState(broadcast, 'answered');
    play(leg, broadcast, speech)
      .then(async (complete) => {
        played = complete;
        if (complete)
          logger.info({ warningId: broadcast.warningId, extension: broadcast.extension }, 'broadcast played');
        await leg.end('broadcast_played');
      })
      .catch(async (err: unknown) => {
        logger.warn({ err, warningId: broadcast.warningId, extension: broadcast.extension }, 'broadcast failed');
        await leg.end('failed');
      });
  });
}

/** Tone and speech `repeat` times; false when the call ended before the last one finished. */
async function play(leg: CallLeg, broadcast: BroadcastRequest, speech: Promise<Int16Array>): Promise<boolean> {
  tone ??= attentionTone();
  const words = await speech;
  for (let i = 0; i < broadcast.repeat; i++) {
    if (leg.finished || !(await leg.media.play(tone))) return false;
    if (leg.finished || !(await leg.media.play(words))) return false;
    if (i < broadcast.repeat - 1) await new Promise((resolve) => setTimeout(resolve, BETWEEN_MS));
  }
  return !leg.finished;
}
