/** Options, events and the log author of the duty number (DutyCalls.ts). */
import type { DutyCallView } from '@beacon/protocol';
import type { Actor } from '../command/CommandBus.ts';

export interface DutyCallsOptions {
  /** The duty desk's number (config BEACON_DUTY_NUMBER). Default 8000. */
  number: string;
  /** Unanswered this long → the leader on duty is called (config BEACON_DUTY_RING_SECONDS). Default 30 s. */
  ringMs: number;
  /** A line whose phone has not joined its room this long is given back. Default 30 s. */
  connectMs?: number;
}

export const DEFAULT_DUTY_CALLS_OPTIONS: DutyCallsOptions = { number: '8000', ringMs: 30_000 };

export type DutyCallsEvents = {
  /** Show or update the card for these users (null: every staff console, nobody is rostered). */
  call: [{ call: DutyCallView; userIds: string[] | null }];
  /** Hang up a phone leg still in a finished call's room (the leader's phone after the caller hung up). */
  hangup: [{ roomId: string; peerId: string; socketId: string }];
};

/** The author of what the duty number writes to the log itself. */
export const DUTY_NUMBER_ACTOR: Actor = {
  userId: 'duty-number',
  username: 'duty-number',
  displayName: '值班电话',
  role: 'service',
  townshipId: null,
};

/** One call as DutyCalls keeps it: the card (null until the phone is in its line) and what drives it. */
export interface DutyCallRecord {
  view: DutyCallView | null;
  callId: string;
  roomId: string;
  /** Who the card rings for; null: every staff console. */
  targets: string[] | null;
  callerPeerId: string | null;
  leaderExtension: string | null;
  dialRequestId: string | null;
  timer: ReturnType<typeof setTimeout> | undefined;
}
