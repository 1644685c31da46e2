/**
 * Running totals of call outcomes since this gateway process started. The
 * gateway has no /metrics of its own: the totals ride on its status report to
 * signaling (GatewayService.reportStatus), which turns them into Prometheus
 * counters — one scrape target per node, behind the same access rule.
 */
import { randomUUID } from 'node:crypto';
import type { GatewayCounters, SipCallDirection, SipCallOutcome } from '@beacon/protocol';
import type { LegEndReason } from './CallLeg.ts';

/** How a call the gateway placed ended before the phone answered: the console's dial state and the metric. */
export function unansweredOutcome(reason: LegEndReason): 'busy' | 'no_answer' | 'failed' {
  if (reason === 'busy') return 'busy';
  if (reason === 'no_answer') return 'no_answer';
  return 'failed';
}

export class CallCounters {
  /** New on every process start: signaling adds a restarted gateway's totals instead of subtracting. */
  readonly bootId = randomUUID();
  readonly #counts = new Map<`${SipCallDirection}:${SipCallOutcome}`, number>();
  /** Datagrams at phone and tap ports from a source other than the call's phone or mediasoup. */
  rtpForeignDropped = 0;
  /** PIN lockouts started (PinGuard). */
  pinLockouts = 0;

  record(direction: SipCallDirection, outcome: SipCallOutcome): void {
    const key = `${direction}:${outcome}` as const;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  count(direction: SipCallDirection, outcome: SipCallOutcome): number {
    return this.#counts.get(`${direction}:${outcome}`) ?? 0;
  }

  snapshot(clock: { ticks: number; late: number }): GatewayCounters {
    const calls = [...this.#counts].map(([key, count]) => {
      const [direction, outcome] = key.split(':') as [SipCallDirection, SipCallOutcome];
      return { direction, outcome, count };
    });
    return {
      bootId: this.bootId,
      calls,
      mixerTicks: clock.ticks,
      mixerLateTicks: clock.late,
      rtpForeignDropped: this.rtpForeignDropped,
      pinLockouts: this.pinLockouts,
    };
  }
}
