/**
 * An alert call (预警电话通知): signaling asks the gateway to call a
 * township's desk phone when a warning is issued (and on each escalation).
 * The gateway rings the phone through Kamailio; once answered it reads the
 * warning (Chinese, then English — synthesised with espeak-ng, cached), and
 * "press 1" acknowledges (签收). The ack is stored by signaling before the
 * phone hears "已签收"; three readings without a 1 and it hangs up (escalation
 * will call again).
 */
import { randomUUID } from 'node:crypto';
import type { AlertCallRequest } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { GatewayUserAgent } from '../sip/GatewayUserAgent.ts';
import { unansweredOutcome } from './CallCounters.ts';
import { CallLeg } from './CallLeg.ts';
import { CallLegState } from './CallLegState.ts';
import type { GatewayContext } from './GatewayContext.ts';

const logger = createLogger('AlertCall');

/** Readings of the warning before giving up; a key may be pressed while it plays. */
const READINGS = 3;
/** Silence after each reading to wait for the key. */
const KEY_WAIT_MS = 6000;

export interface DigitSources {
  on(event: 'dtmf', listener: (digit: string) => void): unknown;
  off(event: 'dtmf', listener: (digit: string) => void): unknown;
}

/** Resolves with the first key pressed on any source, or null when `until` settles first. */
export function firstDigit(sources: DigitSources[], until: Promise<unknown>): Promise<string | null> {
  return new Promise((resolve) => {
    const done = (digit: string | null) => {
      for (const source of sources) source.off('dtmf', onDigit);
      resolve(digit);
    };
    const onDigit = (digit: string) => done(digit);
    for (const source of sources) source.on('dtmf', onDigit);
    until.then(
      () => done(null),
      () => done(null),
    );
  });
}

export async function runAlertCall(ctx: GatewayContext, ua: GatewayUserAgent, alert: AlertCallRequest): Promise<void> {
  let media: Awaited<ReturnType<GatewayContext['openPhoneMedia']>>;
  try {
    media = await ctx.openPhoneMedia();
  } catch (err) {
    logger.error({ err }, 'no RTP port free for an alert call');
    ctx.countCall('alert', 'failed');
    ctx.service.reportAlertCallState(alert, 'failed', 'no RTP port free in the gateway');
    return;
  }
  // Synthesised while the phone rings (espeak-ng takes a moment; cached for the next township).
  const reading = ctx.prompts.say(alert.textZh, alert.textEn);
  const call = ua.dial(alert.extension, media);
  const leg = new CallLeg({ legId: randomUUID(), direction: 'out', call, media, prompts: ctx.prompts });
  ctx.track(leg, alert.extension);
  ctx.service.reportAlertCallState(alert, 'dialling');
  let answered = false;
  leg.once('ended', (reason) => {
    ctx.lobby.remove(leg.legId);
    if (!answered) ctx.countCall('alert', unansweredOutcome(reason));
    ctx.service.reportAlertCallState(alert, answered ? 'ended' : unansweredOutcome(reason), reason);
  });
  call.on('ringing', () => {
    if (leg.state !== CallLegState.Dialling) return;
    leg.transition(CallLegState.Ringing);
    ctx.service.reportAlertCallState(alert, 'ringing');
  });
  call.once('answered', (negotiation) => {
    if (leg.finished) return;
    answered = true;
    ctx.countCall('alert', 'answered');
    leg.mediaUp(negotiation);
    leg.transition(CallLegState.Prompting);
    ctx.lobby.add(leg.legId, media);
    ctx.service.reportAlertCallState(alert, 'answered');
    void readUntilAcked(ctx, leg, alert, reading).catch(async (err: unknown) => {
      logger.warn({ err, warningId: alert.warningId, extension: alert.extension }, 'alert call failed');
      await leg.end('failed');
    });
  });
}

async function readUntilAcked(
  ctx: GatewayContext,
  leg: CallLeg,
  alert: AlertCallRequest,
  reading: Promise<Int16Array>,
): Promise<void> {
  const pcm = await reading;
  for (let attempt = 1; attempt <= READINGS && !leg.finished; attempt++) {
    const played = leg.media.play(pcm).then(() => new Promise((r) => setTimeout(r, KEY_WAIT_MS)));
    const ended = new Promise<void>((resolve) => leg.once('ended', () => resolve()));
    const digit = await firstDigit([leg.media, leg.call], Promise.race([played, ended]));
    if (leg.finished) return;
    if (digit !== '1') continue;
    leg.media.stopPrompts();
    await ctx.service.alertAck(alert);
    logger.info({ warningId: alert.warningId, townshipId: alert.townshipId }, 'alert acknowledged by phone');
    await leg.say('alert_acked');
    await leg.end('alert_acked');
    return;
  }
  if (!leg.finished) await leg.end('alert_not_acked');
}
