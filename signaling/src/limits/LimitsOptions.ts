/**
 * What one client may cost a node: events per second per class, events
 * waiting per socket, emits waiting to be written to a socket, chat.
 * Every field names its default; config.ts reads them from the environment.
 */

/** Client events are rated by what they cost the node (see eventClass.ts). */
export const EVENT_CLASSES = ['media', 'control', 'command', 'chat'] as const;
export type EventClass = (typeof EVENT_CLASSES)[number];

/** A token bucket: `perSecond` sustained, `burst` at once. */
export interface RateSpec {
  perSecond: number;
  burst: number;
}

export interface LimitsOptions {
  /**
   * Per socket and class; null: that class is not rated. Defaults:
   * media 100/s burst 300 (a join in a full room resumes one consumer per producer at once),
   * control 20/s burst 60 (joins, chair actions, speak requests),
   * command 10/s burst 50 (acks of alerts and tasks, video pulls: each is a store write),
   * chat 1/s burst 5.
   */
  rates: Record<EventClass, RateSpec | null>;
  /**
   * A user's sockets on this node share a bucket per class this many times a socket's
   * (default 2: a desk with the console open on two screens works as if on one; a third
   * tab does not triple what one account may send).
   */
  userFactor: number;
  /** Events of one socket waiting behind the one running; one more disconnects it (default 100). */
  queueMax: number;
  /** Emits waiting to be written to one socket (a client that stopped reading); one more disconnects it (default 5000). */
  outboxMax: number;
  /** Chat messages one meeting (or one room between meetings) keeps taking; beyond: refused (default 5000). */
  chatPerMeeting: number;
}

export const DEFAULT_LIMITS: LimitsOptions = {
  rates: {
    media: { perSecond: 100, burst: 300 },
    control: { perSecond: 20, burst: 60 },
    command: { perSecond: 10, burst: 50 },
    chat: { perSecond: 1, burst: 5 },
  },
  userFactor: 2,
  queueMax: 100,
  outboxMax: 5000,
  chatPerMeeting: 5000,
};
