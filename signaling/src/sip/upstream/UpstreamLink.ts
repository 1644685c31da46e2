/**
 * One room's link up (上联) to the upstream conference, as a state machine
 * (diagram in @beacon/protocol upstream.ts). What the chair wants (`wanted`)
 * is kept apart from what the call is doing: a link the chair wants is
 * redialled after every drop or failed attempt, with a doubling back-off,
 * until it comes up, the chair disconnects, or `maxAttempts` tries in a row
 * fail (→ `failed`, shown with the last reason; connecting again starts over).
 *
 * Knows neither the gateway nor socket.io: it asks `dial`/`control` and
 * reports through typed events (LiveKit-style manager), so tests drive it
 * with a fake clock.
 */
import { CodedError, TypedEmitter } from '@beacon/common';
import type { DialState, UpstreamControl, UpstreamDialRequest, UpstreamState, UpstreamStatus } from '@beacon/protocol';

export interface UpstreamBackoff {
  /** Wait before redialling a dropped link; doubles with each failed try in a row. Default 2000 ms. */
  firstMs: number;
  /** The longest wait between tries. Default 30 000 ms. */
  maxMs: number;
  /** Failed tries in a row before giving up (`failed`). Default 10. */
  maxAttempts: number;
}

export const DEFAULT_UPSTREAM_BACKOFF: UpstreamBackoff = { firstMs: 2000, maxMs: 30_000, maxAttempts: 10 };

export interface UpstreamLinkOptions {
  roomId: string;
  uri: string;
  pin: string | null;
  /** Sends the request to a gateway; false when none can take it (counted as a failed try). */
  dial(request: Omit<UpstreamDialRequest, 'requestId'>): { requestId: string } | null;
  control(control: UpstreamControl): void;
  backoff?: Partial<UpstreamBackoff>;
  /** Timers (tests pass fake ones). Default: setTimeout/clearTimeout. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  now?: () => number;
}

export type UpstreamTransition = {
  from: UpstreamState;
  to: UpstreamState;
  reason: string | null;
  attempts: number;
  /** The call is the upstream's own (it dialled in), not ours. */
  incoming: boolean;
};

export type UpstreamLinkEvents = {
  /** Anything the room sees changed (state, reason, mute, attempts). */
  status: [UpstreamStatus];
  /** The state moved: audited (`upstream.connected`, `upstream.dropped`, …) by whoever listens. */
  transition: [UpstreamTransition];
};

/** Legal moves; anything else is a bug and throws. */
const MOVES: Record<UpstreamState, readonly UpstreamState[]> = {
  // `connected` from anywhere: the upstream itself may call in at any time (acceptIncoming).
  idle: ['dialling', 'connected'],
  dialling: ['connected', 'redialling', 'failed', 'idle'],
  connected: ['redialling', 'idle', 'failed'],
  redialling: ['dialling', 'idle', 'failed', 'connected'],
  failed: ['dialling', 'idle', 'connected'],
};

/** Dial states after which the gateway's call is over. */
const CALL_OVER: ReadonlySet<DialState> = new Set(['busy', 'no_answer', 'failed', 'ended']);
/**
 * Ends of a connected call that someone in the room chose (the chair hung the upstream's tile up, or ended the
 * meeting): the link stops there, as if disconnected, rather than calling the province straight back.
 */
const CHOSEN_ENDS: ReadonlySet<string> = new Set(['removed', 'meeting_ended']);

export class UpstreamLink extends TypedEmitter<UpstreamLinkEvents> {
  readonly roomId: string;
  readonly #opts: UpstreamLinkOptions;
  readonly #backoff: UpstreamBackoff;
  #state: UpstreamState = 'idle';
  #wanted = false;
  #sendMuted = false;
  #reason: string | null = null;
  #attempts = 0;
  #requestId: string | null = null;
  #timer: unknown = null;
  #redialAt: number | null = null;
  #incoming = false;

  constructor(opts: UpstreamLinkOptions) {
    super();
    this.roomId = opts.roomId;
    this.#opts = opts;
    this.#backoff = { ...DEFAULT_UPSTREAM_BACKOFF, ...opts.backoff };
  }

  get state(): UpstreamState {
    return this.#state;
  }

  /** The gateway request of the call in flight, if any. */
  get requestId(): string | null {
    return this.#requestId;
  }

  /** The chair wants the link up (kept across drops; persisted so a restart redials it). */
  get wanted(): boolean {
    return this.#wanted;
  }

  get sendMuted(): boolean {
    return this.#sendMuted;
  }

  status(): UpstreamStatus {
    return {
      roomId: this.roomId,
      configured: true,
      state: this.#state,
      reason: this.#reason,
      sendMuted: this.#sendMuted,
      attempts: this.#attempts,
      redialAt: this.#redialAt === null ? null : new Date(this.#redialAt).toISOString(),
      incoming: this.#state === 'connected' && this.#incoming,
    };
  }

  /** The chair wants the link: dial now unless a call is already up or on its way. */
  connect(): void {
    this.#wanted = true;
    if (this.#state === 'idle' || this.#state === 'failed') {
      this.#attempts = 0;
      this.#reason = null;
      this.#dial();
    } else if (this.#state === 'redialling') {
      // The chair asked again while waiting: no point making them wait out the back-off.
      this.#clearTimer();
      this.#dial();
    }
  }

  /** The chair ends the link: hang up whatever is in flight, stop redialling. */
  disconnect(reason = 'chair'): void {
    this.#wanted = false;
    this.#clearTimer();
    const requestId = this.#requestId;
    this.#requestId = null;
    if (requestId) this.#opts.control({ requestId, action: 'hangup' });
    this.#attempts = 0;
    if (this.#state !== 'idle') this.#move('idle', reason === 'chair' ? null : reason);
  }

  /** Our side toward the upstream: muted or not. Kept across redials. */
  setSendMuted(muted: boolean): void {
    if (muted === this.#sendMuted) return;
    this.#sendMuted = muted;
    if (this.#requestId && this.#state === 'connected') {
      this.#opts.control({ requestId: this.#requestId, action: muted ? 'mute' : 'unmute' });
    }
    this.safeEmit('status', this.status());
  }

  /**
   * The upstream called the room's number itself (from a trusted peer address): that call is the link now.
   * A dial of ours still in flight, or an older call, is hung up — the upstream has just shown which call it
   * wants; a pending redial is dropped. Whether the chair wants the link is unchanged: if they do, a drop of
   * this call is redialled like any other; if not, the link goes idle when the upstream hangs up.
   */
  acceptIncoming(requestId: string): void {
    this.#clearTimer();
    const previous = this.#requestId;
    if (previous !== null && previous !== requestId) this.#opts.control({ requestId: previous, action: 'hangup' });
    this.#requestId = requestId;
    this.#incoming = true;
    this.#attempts = 0;
    if (this.#sendMuted) this.#opts.control({ requestId, action: 'mute' });
    if (this.#state === 'connected') {
      // Already up on another call, now replaced: the state stays, but a new call came up (audited as such).
      this.safeEmit('transition', { from: 'connected', to: 'connected', reason: null, attempts: 0, incoming: true });
    }
    this.#move('connected', null);
  }

  /** The gateway's progress of our call; false when `requestId` is not this link's current call. */
  callState(requestId: string, state: DialState, reason: string | null): boolean {
    if (requestId !== this.#requestId) return false;
    if (state === 'answered') {
      this.#attempts = 0;
      if (this.#sendMuted) this.#opts.control({ requestId, action: 'mute' });
      this.#move('connected', null);
    } else if (CALL_OVER.has(state)) {
      this.#requestId = null;
      if (state === 'ended' && reason !== null && CHOSEN_ENDS.has(reason)) this.#wanted = false;
      this.#callOver(state === 'ended' ? (reason ?? 'ended') : reason ? `${state}: ${reason}` : state);
    }
    return true;
  }

  /** The room is gone: hang up, no redials, no more events. */
  close(): void {
    this.disconnect('room_closed');
    this.removeAllListeners();
  }

  #dial(): void {
    this.#redialAt = null;
    this.#attempts += 1;
    this.#incoming = false;
    this.#move('dialling', this.#reason);
    const sent = this.#opts.dial({ roomId: this.roomId, uri: this.#opts.uri, pin: this.#opts.pin });
    if (sent === null) {
      this.#callOver('sip_unavailable');
      return;
    }
    this.#requestId = sent.requestId;
  }

  #callOver(reason: string): void {
    if (!this.#wanted) {
      if (this.#state !== 'idle') this.#move('idle', reason);
      return;
    }
    // A link that was up has its tries counted from the drop.
    if (this.#state === 'connected') this.#attempts = 0;
    if (this.#attempts >= this.#backoff.maxAttempts) {
      this.#wanted = false;
      this.#move('failed', reason);
      return;
    }
    // The first redial after a drop waits firstMs; each failed try in a row doubles the wait.
    const delay = Math.min(this.#backoff.firstMs * 2 ** this.#attempts, this.#backoff.maxMs);
    const now = (this.#opts.now ?? Date.now)();
    this.#redialAt = now + delay;
    const set = this.#opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.#timer = set(() => {
      this.#timer = null;
      if (this.#wanted && this.#state === 'redialling') this.#dial();
    }, delay);
    this.#move('redialling', reason);
  }

  #clearTimer(): void {
    if (this.#timer === null) return;
    (this.#opts.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout)))(this.#timer);
    this.#timer = null;
    this.#redialAt = null;
  }

  #move(to: UpstreamState, reason: string | null): void {
    const from = this.#state;
    if (from !== to && !MOVES[from].includes(to)) {
      throw new CodedError('illegal_transition', `upstream link cannot go from ${from} to ${to}`);
    }
    this.#state = to;
    this.#reason = reason;
    if (from !== to) {
      this.safeEmit('transition', { from, to, reason, attempts: this.#attempts, incoming: this.#incoming });
    }
    this.safeEmit('status', this.status());
  }
}
