/**
 * Steps of a duty call (DutyCalls.ts) and what the duty log says about
 * them: the card once the phone is in, dialling the leader on duty into the
 * line, and the call's end.
 *
 * The leader's phone is the number on the user (users.phone, a mobile
 * number) dialled through the SIP gateway like any extension: Kamailio
 * reaches it where that number is registered (a softphone, a desk phone
 * given that number) or, in a deployment with one, through a trunk.
 */
import type { DutyCallState, DutyCallView, DutyPerson, PeerInfo } from '@beacon/protocol';
import type { SipBridge } from '../sip/SipBridge.ts';

const DIALLABLE = /^[0-9]{2,16}$/;

/** The card of a call whose phone just entered its line. */
export function ringingView(input: { callId: string; roomId: string; peer: PeerInfo; ringMs: number }): DutyCallView {
  const now = Date.now();
  return {
    callId: input.callId,
    roomId: input.roomId,
    state: 'ringing',
    caller: input.peer.displayName,
    extension: input.peer.phone?.extension ?? null,
    startedAt: new Date(now).toISOString(),
    forwardAt: new Date(now + input.ringMs).toISOString(),
    answeredBy: null,
    answeredAt: null,
    forwardedTo: null,
    declinedBy: [],
    endedAt: null,
  };
}

/** Dials the leader into the line; says what happened (for the log) and what was dialled. */
export function dialLeader(
  sip: SipBridge,
  input: { callId: string; roomId: string; leader: DutyPerson | null },
): { outcome: string; extension: string | null; requestId: string | null } {
  const { leader } = input;
  if (!leader) return { outcome: '排班表无带班领导，无法转接', extension: null, requestId: null };
  const phone = leader.phone;
  if (phone === null || !DIALLABLE.test(phone)) {
    return { outcome: `带班领导 ${leader.displayName} 没有可拨打的号码`, extension: null, requestId: null };
  }
  // No dialler socket: progress reaches DutyCalls through the bridge's dialstate events (from another node's
  // gateway too: the bridge relays the dial there and its progress back here).
  const request = sip.canCall
    ? sip.dial(
        { roomId: input.roomId, extension: phone, displayName: leader.displayName, townshipId: null },
        `duty:${input.callId}`,
      )
    : null;
  return {
    outcome: request
      ? `转带班领导 ${leader.displayName}（${phone}）`
      : `SIP 网关不可用，未能呼叫带班领导 ${leader.displayName}（${phone}）`,
    extension: phone,
    requestId: request?.requestId ?? null,
  };
}

/** The log line of a call the caller ended, answered or not. */
export function endedText(view: DutyCallView, before: DutyCallState, now: number): string {
  const seconds = (from: string) => Math.max(0, Math.round((now - Date.parse(from)) / 1000));
  if (before === 'answered') return `通话结束：${view.caller}，通话 ${seconds(view.answeredAt ?? view.startedAt)} 秒`;
  const forwarded = before === 'forwarded' ? '，已转带班领导' : '';
  return `未接来电：${view.caller}（响铃 ${seconds(view.startedAt)} 秒后挂机${forwarded}）`;
}
