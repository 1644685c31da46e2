/**
 * One peer of a conference room: one socket of one user. A user with two
 * sockets (two tabs, phone + desk) is two participants.
 */
import type { AuthClaims } from '../auth/tokens.ts';
import { BeaconError } from '../protocol/errors.ts';
import type { MediaSource, PeerInfo } from '../protocol/events.ts';

/**
 * Participant lifecycle.
 *
 * ```
 *   joining ──────────────┐
 *      │ added to room    │ join failed
 *      v                  │
 *   joined ───────────────┤
 *      │ room:ready       │ leave / disconnect /
 *      v  (RTP caps)      │ media room re-created
 *   ready ────────────────┤
 *                         v
 *                       left   (terminal)
 * ```
 *
 * Only `ready` participants receive consumers: before that the server does not
 * know which codecs the client can decode.
 */
export enum ParticipantState {
  Joining = 'joining',
  Joined = 'joined',
  Ready = 'ready',
  Left = 'left',
}

const ALLOWED: Record<ParticipantState, readonly ParticipantState[]> = {
  [ParticipantState.Joining]: [ParticipantState.Joined, ParticipantState.Left],
  [ParticipantState.Joined]: [ParticipantState.Ready, ParticipantState.Left],
  [ParticipantState.Ready]: [ParticipantState.Left],
  [ParticipantState.Left]: [],
};

/** Thrown on a move the diagram above does not allow; a programming or protocol-order error. */
export class IllegalTransitionError extends BeaconError {
  constructor(
    readonly from: ParticipantState,
    readonly to: ParticipantState,
  ) {
    super('bad_request', `participant cannot go from ${from} to ${to}`);
  }
}

export interface ParticipantProducer {
  id: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  paused: boolean;
}

export interface ParticipantOptions {
  peerId: string;
  roomId: string;
  socketId: string;
  claims: AuthClaims;
  joinedAt?: Date;
}

export class Participant {
  readonly peerId: string;
  readonly roomId: string;
  readonly socketId: string;
  readonly claims: AuthClaims;
  readonly joinedAt: Date;
  /** One transport per direction; mediasoup-client recovers with restartIce, not a second transport. */
  readonly transports: { send?: string; recv?: string } = {};
  readonly producers = new Map<string, ParticipantProducer>();
  #state = ParticipantState.Joining;
  #rtpCapabilities: unknown;

  constructor(opts: ParticipantOptions) {
    this.peerId = opts.peerId;
    this.roomId = opts.roomId;
    this.socketId = opts.socketId;
    this.claims = opts.claims;
    this.joinedAt = opts.joinedAt ?? new Date();
  }

  get state(): ParticipantState {
    return this.#state;
  }

  /** Set when the participant became ready; consumers are created for these capabilities. */
  get rtpCapabilities(): unknown {
    return this.#rtpCapabilities;
  }

  transition(to: ParticipantState): void {
    if (!ALLOWED[this.#state].includes(to)) throw new IllegalTransitionError(this.#state, to);
    this.#state = to;
  }

  markReady(rtpCapabilities: unknown): void {
    this.transition(ParticipantState.Ready);
    this.#rtpCapabilities = rtpCapabilities;
  }

  /** Joined or ready: may create transports and producers. */
  get inRoom(): boolean {
    return this.#state === ParticipantState.Joined || this.#state === ParticipantState.Ready;
  }

  info(): PeerInfo {
    let audioLive = false;
    let videoLive = false;
    for (const producer of this.producers.values()) {
      if (producer.paused) continue;
      if (producer.kind === 'audio') audioLive = true;
      else videoLive = true;
    }
    return {
      peerId: this.peerId,
      userId: this.claims.userId,
      displayName: this.claims.displayName,
      role: this.claims.role,
      townshipId: this.claims.townshipId,
      audioMuted: !audioLive,
      videoMuted: !videoLive,
      joinedAt: this.joinedAt.toISOString(),
    };
  }
}
