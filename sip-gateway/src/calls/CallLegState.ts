/**
 * The life of one phone call (a leg) through the gateway.
 *
 * ```
 *   dial-in (phone calls a conference number)     dial-out (chair calls a phone, or an alert call)
 *
 *      offered                                        dialling
 *         │ accept (200 OK, media up)                    │ 180/183
 *         v                alert call answered           v
 *     prompting <──────────────────────────────────── ringing
 *         │     ── PIN ok ──┐
 *         │                 │                            │ 200 OK + ACK
 *         │                 v                            v
 *         │              joining  <──────────────────────┘
 *         │                 │ room joined, producer open
 *         │                 v
 *         │              in_room  (hold/resume and mute are flags, not states)
 *         │                 │
 *         │ wrong PIN ×3,   │ BYE from the phone, RTP timeout, removed by the chair,
 *         │ hang-up         │ meeting ended, gateway stopping
 *         v                 v
 *      ending ──────────> ended   (terminal; every resource released)
 * ```
 *
 * Any state may go straight to `ending` (the call can fail anywhere) and
 * `ending` only to `ended`. Everything else the diagram does not draw throws
 * `IllegalLegTransitionError`: a bug in the gateway, never a phone's fault.
 */
import { CodedError } from '@beacon/common';
export enum CallLegState {
  Offered = 'offered',
  Dialling = 'dialling',
  Ringing = 'ringing',
  Prompting = 'prompting',
  Joining = 'joining',
  InRoom = 'in_room',
  Ending = 'ending',
  Ended = 'ended',
}

const ALLOWED: Record<CallLegState, readonly CallLegState[]> = {
  // Straight to Joining: the upstream conference calling in from a trusted peer keys no PIN.
  [CallLegState.Offered]: [CallLegState.Prompting, CallLegState.Joining, CallLegState.Ending],
  [CallLegState.Dialling]: [CallLegState.Ringing, CallLegState.Prompting, CallLegState.Joining, CallLegState.Ending],
  [CallLegState.Ringing]: [CallLegState.Prompting, CallLegState.Joining, CallLegState.Ending],
  [CallLegState.Prompting]: [CallLegState.Joining, CallLegState.Ending],
  [CallLegState.Joining]: [CallLegState.InRoom, CallLegState.Ending],
  [CallLegState.InRoom]: [CallLegState.Ending],
  [CallLegState.Ending]: [CallLegState.Ended],
  [CallLegState.Ended]: [],
};

export class IllegalLegTransitionError extends CodedError<'illegal_transition'> {
  override readonly name = 'IllegalLegTransitionError';
  constructor(
    readonly from: CallLegState,
    readonly to: CallLegState,
  ) {
    super('illegal_transition', `call leg cannot go from ${from} to ${to}`);
  }
}

/** Holds the current state and enforces the diagram. */
export class CallLegStateMachine {
  #state: CallLegState;
  readonly #onChange: (from: CallLegState, to: CallLegState) => void;

  constructor(
    initial: CallLegState.Offered | CallLegState.Dialling,
    onChange: (from: CallLegState, to: CallLegState) => void = () => {},
  ) {
    this.#state = initial;
    this.#onChange = onChange;
  }

  get state(): CallLegState {
    return this.#state;
  }

  get finished(): boolean {
    return this.#state === CallLegState.Ending || this.#state === CallLegState.Ended;
  }

  can(to: CallLegState): boolean {
    return ALLOWED[this.#state].includes(to);
  }

  transition(to: CallLegState): void {
    if (!this.can(to)) throw new IllegalLegTransitionError(this.#state, to);
    const from = this.#state;
    this.#state = to;
    this.#onChange(from, to);
  }
}
