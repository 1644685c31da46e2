/**
 * The phases of one conference page, as its root's `data-state` shows them.
 *
 * ```
 *                room:join ok                socket gone (media kept)
 *   ┌─► joining ─────────────► joined ──────────────────────────► reconnecting ◄─┐
 *   │     │ ▲                    │ ▲                                 │  │   │    │ socket
 *   │     │ │                    │ └──────── room:resume ok ─────────┘  │   └────┘ gone again
 *   │     │ │                    │                                      │
 *   │     │ └────────────────────┴──────────────────────────────────────┘
 *   │     │   room:recreated, ICE still failed, resume failed, media lost
 *   │     │   (a re-join, after a back-off when they repeat)
 *   │     v join failed
 *   └── error
 *     retry, or the socket drops (re-join once it is back)
 *
 *   joining ──► joining: a newer attempt replaces the running one.
 *   removed, ended (the chair removed us or ended the meeting) and left (we
 *   left: page closed or navigated away) follow any live phase; all three
 *   are terminal.
 * ```
 *
 * Every move the diagram does not draw throws `IllegalPhaseTransitionError`:
 * a bug in the session's recovery logic, never something a user or the
 * network can cause.
 */
export type ConferencePhase = 'joining' | 'joined' | 'reconnecting' | 'error' | 'removed' | 'ended' | 'left';

/** Closed by the server (removed, ended) or by us (left). */
const CLOSED = ['removed', 'ended', 'left'] as const;

const ALLOWED: Record<ConferencePhase, readonly ConferencePhase[]> = {
  joining: ['joining', 'joined', 'error', ...CLOSED],
  joined: ['joining', 'reconnecting', ...CLOSED],
  reconnecting: ['reconnecting', 'joined', 'joining', ...CLOSED],
  error: ['joining', ...CLOSED],
  removed: [],
  ended: [],
  left: [],
};

export class IllegalPhaseTransitionError extends Error {
  override readonly name = 'IllegalPhaseTransitionError';
  readonly code = 'illegal_transition';
  constructor(
    readonly from: ConferencePhase,
    readonly to: ConferencePhase,
  ) {
    super(`conference cannot go from ${from} to ${to}`);
  }
}

export function canMove(from: ConferencePhase, to: ConferencePhase): boolean {
  return ALLOWED[from].includes(to);
}

/** Removed, ended or left: nothing moves any more. */
export function isFinal(phase: ConferencePhase): boolean {
  return ALLOWED[phase].length === 0;
}

/**
 * Holds the phase and enforces the diagram. The phase itself lives in the
 * reactive conference state (the page renders it); this machine is the only
 * writer.
 */
export class ConferencePhaseMachine {
  readonly #read: () => ConferencePhase;
  readonly #write: (phase: ConferencePhase) => void;

  constructor(read: () => ConferencePhase, write: (phase: ConferencePhase) => void) {
    this.#read = read;
    this.#write = write;
  }

  get phase(): ConferencePhase {
    return this.#read();
  }

  can(to: ConferencePhase): boolean {
    return canMove(this.#read(), to);
  }

  transition(to: ConferencePhase): void {
    const from = this.#read();
    if (!canMove(from, to)) throw new IllegalPhaseTransitionError(from, to);
    this.#write(to);
  }
}
