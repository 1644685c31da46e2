/**
 * A call the gateway places — a dial-out to a phone or video terminal, or a
 * room's link up — followed the same way: its progress reported to signaling
 * (dialling → ringing → answered, then ended; or why it never was answered)
 * and counted; once answered, media flows and `onAnswered` takes the leg on.
 */
import type { DialState } from '@beacon/protocol';
import type { OutgoingCall } from '../sip/GatewayUserAgent.ts';
import { unansweredOutcome } from './CallCounters.ts';
import type { CallLeg } from './CallLeg.ts';
import { CallLegState } from './CallLegState.ts';
import type { GatewayContext } from './GatewayContext.ts';

export type PlacedCallReport = (state: DialState, reason?: string | null) => void;

export function followPlacedCall(
  ctx: GatewayContext,
  leg: CallLeg,
  call: OutgoingCall,
  report: PlacedCallReport,
  onAnswered: () => void,
): void {
  report('dialling');
  let answered = false;
  leg.once('ended', (reason) => {
    if (answered) {
      report('ended', reason);
      return;
    }
    ctx.countCall('out', unansweredOutcome(reason));
    report(unansweredOutcome(reason), reason);
  });
  call.on('ringing', () => {
    if (leg.state !== CallLegState.Dialling) return;
    leg.transition(CallLegState.Ringing);
    report('ringing');
  });
  call.once('answered', (negotiation) => {
    if (leg.finished) return;
    answered = true;
    ctx.countCall('out', 'answered');
    leg.mediaUp(negotiation);
    report('answered');
    onAnswered();
  });
}
