/**
 * Emergency broadcast loudspeakers (应急广播): IP loudspeakers of the villages
 * that are SIP endpoints with auto-answer. When a warning reaches a township,
 * every loudspeaker of its villages in the area is called at once through the
 * SIP gateway and plays an attention tone and the warning N times, then the
 * gateway hangs up. Nobody presses a key: a loudspeaker reports played or
 * failed, it never acknowledges. Browser-safe (no zod).
 */
import type { TerminalAdminView } from './admin.ts';

/**
 * Where one loudspeaker's call for a warning is. Escalation calls a failed one again.
 *
 * ```
 *   calling ──answered──> playing ──every repetition played──> played
 *      │                     │
 *      └── busy, no answer, not registered, error ──> failed ──escalation──> calling
 * ```
 */
export const LOUDSPEAKER_CALL_STATES = ['calling', 'playing', 'played', 'failed'] as const;
export type LoudspeakerCallState = (typeof LOUDSPEAKER_CALL_STATES)[number];

/** Why a call failed: the loudspeaker was busy, did not answer, is not registered with Kamailio, or anything else. */
export const LOUDSPEAKER_FAILURES = ['busy', 'no_answer', 'not_registered', 'error'] as const;
export type LoudspeakerFailure = (typeof LOUDSPEAKER_FAILURES)[number];

/** What a broadcast plays: the warning, or the all-clear (预警解除) when it is cancelled. */
export const BROADCAST_KINDS = ['warning', 'all_clear'] as const;
export type BroadcastKind = (typeof BROADCAST_KINDS)[number];

export interface LoudspeakerCallView {
  id: string;
  warningId: string;
  terminalId: string;
  /** The board line it belongs to (the village's township). */
  townshipId: string;
  villageId: string;
  /** The loudspeaker's name, with its village's. */
  name: string;
  extension: string;
  state: LoudspeakerCallState;
  failure: LoudspeakerFailure | null;
  /** The gateway's words for a failure (SIP status, "no RTP port free"…). */
  reason: string | null;
  /** Calls placed so far (escalation retries add one each). */
  attempt: number;
  /** When the current attempt started, finished playing, failed. */
  startedAt: string;
  playedAt: string | null;
  failedAt: string | null;
  updatedAt: string;
}

/** A loudspeaker terminal as `GET /api/v1/sip/loudspeakers` lists it: registered with Kamailio now or not. */
export interface LoudspeakerStatus extends TerminalAdminView {
  registered: boolean;
}

/** Sent to the gateway: call this loudspeaker, play the tone and the text `repeat` times, hang up. */
export interface BroadcastRequest {
  /** The loudspeaker call's id (LoudspeakerCallView.id); with `attempt`, names this call in the reports. */
  callId: string;
  attempt: number;
  warningId: string;
  kind: BroadcastKind;
  extension: string;
  /** What the loudspeaker says (Mandarin, espeak-ng `cmn`); synthesised once per text, cached. */
  textZh: string;
  /** Readings of tone + text. */
  repeat: number;
}

/** Counts per state of one board line's loudspeakers. */
export type LoudspeakerLineSummary = Record<LoudspeakerCallState, number> & { total: number };

export function loudspeakerLineSummary(calls: readonly Pick<LoudspeakerCallView, 'state'>[]): LoudspeakerLineSummary {
  const summary: LoudspeakerLineSummary = { total: 0, calling: 0, playing: 0, played: 0, failed: 0 };
  for (const c of calls) {
    summary[c.state] += 1;
    summary.total += 1;
  }
  return summary;
}

export interface LoudspeakerServerEvents {
  /** To staff sockets: a loudspeaker call of a warning changed (calling, playing, played, failed). */
  'loudspeaker:updated': (call: LoudspeakerCallView) => void;
  /** To the gateway: call a loudspeaker and play (auto-answer, no key expected). */
  'sip:broadcast': (request: BroadcastRequest) => void;
}
