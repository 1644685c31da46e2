/**
 * One peer of a conference room: one socket of one user. A user with two
 * sockets (two tabs, phone + desk) is two participants. After a network drop
 * the same participant is taken over by the user's next socket (`room:resume`).
 */
import { randomBytes } from 'node:crypto';
import type { MediaSource, MeetingRole, MutedBy, PeerInfo, PhoneInfo } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import type { AuthClaims } from '../auth/tokens.ts';

/**
 * Participant lifecycle.
 *
 * ```
 *   joining ──────────────┐
 *      │ added to room    │ join failed
 *      v                  │
 *   joined ───────────────┤
 *      │ room:ready  ^    │
 *      v  (RTP caps) │    │ leave / removed / ended /
 *   ready ───────────┼────┤ media room re-created /
 *      │ socket gone │    │ reconnect grace ran out
 *      v             │    │
 *   reconnecting ────┘────┤
 *     (room:resume: back  v
 *      to joined/ready) left   (terminal)
 * ```
 *
 * Only `ready` participants (and `reconnecting` ones that were ready) receive
 * consumers: before that the server does not know which codecs the client can
 * decode. A reconnecting participant returns to exactly the state it left.
 */
export enum ParticipantState {
  Joining = 'joining',
  Joined = 'joined',
  Ready = 'ready',
  Reconnecting = 'reconnecting',
  Left = 'left',
}

const ALLOWED: Record<ParticipantState, readonly ParticipantState[]> = {
  [ParticipantState.Joining]: [ParticipantState.Joined, ParticipantState.Left],
  [ParticipantState.Joined]: [ParticipantState.Ready, ParticipantState.Reconnecting, ParticipantState.Left],
  [ParticipantState.Ready]: [ParticipantState.Reconnecting, ParticipantState.Left],
  [ParticipantState.Reconnecting]: [ParticipantState.Joined, ParticipantState.Ready, ParticipantState.Left],
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

/** A consumer this participant receives, with what the client and the server want of it. */
export interface ParticipantConsumer {
  id: string;
  kind: 'audio' | 'video';
  /** The client's own wish (consumers start paused until the client resumes them; hidden tiles pause). */
  clientPaused: boolean;
  /** Spatial layer the client asked for (capped by the receive settings). */
  spatialLayer: number;
  temporalLayer: number | undefined;
}

/** A server→client emit held back while the participant is reconnecting. */
export interface HeldEmit {
  event: string;
  payload: unknown;
}

export interface ParticipantOptions {
  peerId: string;
  roomId: string;
  socketId: string;
  claims: AuthClaims;
  meetingRole?: MeetingRole;
  joinedAt?: Date;
  /** A GB/T 28181 camera put into a meeting by its chair (video only, never consumes); else from the claims. */
  device?: 'camera';
}

/**
 * Emits held for a reconnecting participant beyond this are dropped, and the
 * participant may then not resume (`heldOverflowed`): a resumed client that
 * missed a consumer:new would lack a stream for good, so it joins afresh.
 */
export const MAX_HELD = 2000;

export class Participant {
  readonly peerId: string;
  readonly roomId: string;
  readonly claims: AuthClaims;
  readonly joinedAt: Date;
  /** A desk phone (SIP gateway leg token) or a browser. Phones send one plain-RTP mic and never consume. */
  readonly device: 'browser' | 'phone' | 'camera';
  /** Phones only: extension and call state as the console shows them. */
  readonly phone: PhoneInfo | null;
  /** Secret for `room:resume`; only this participant's client knows it. */
  readonly resumeToken = randomBytes(32).toString('base64url');
  /** The socket it speaks through; changes on resume. */
  socketId: string;
  meetingRole: MeetingRole;
  audioMutedBy: MutedBy = null;
  videoMutedBy: MutedBy = null;
  /** Roll call or a granted speak request while it had no mic: open the mic once it produces one. */
  openMicOnProduce = false;
  /** Weak-link receive settings. */
  readonly receive = { audioOnly: false, maxSpatialLayer: 2 };
  /** One transport per direction; mediasoup-client recovers with restartIce, not a second transport. */
  readonly transports: { send?: string; recv?: string } = {};
  readonly producers = new Map<string, ParticipantProducer>();
  readonly consumers = new Map<string, ParticipantConsumer>();
  /** When the socket went away (reconnecting); the attendance interval ends here if it never returns. */
  disconnectedAt: Date | undefined;
  #state = ParticipantState.Joining;
  #resumeTo: ParticipantState.Joined | ParticipantState.Ready = ParticipantState.Joined;
  #rtpCapabilities: unknown;
  #held: HeldEmit[] = [];
  #heldOverflowed = false;

  constructor(opts: ParticipantOptions) {
    this.peerId = opts.peerId;
    this.roomId = opts.roomId;
    this.socketId = opts.socketId;
    this.claims = opts.claims;
    this.meetingRole = opts.meetingRole ?? 'participant';
    this.joinedAt = opts.joinedAt ?? new Date();
    this.device = opts.device ?? (opts.claims.device === 'phone' ? 'phone' : 'browser');
    this.phone = this.device === 'phone' ? { extension: opts.claims.extension ?? null, callState: 'connected' } : null;
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
    if (this.#state === ParticipantState.Reconnecting && to !== ParticipantState.Left && to !== this.#resumeTo) {
      throw new IllegalTransitionError(this.#state, to);
    }
    if (to === ParticipantState.Reconnecting) {
      this.#resumeTo = this.#state === ParticipantState.Ready ? ParticipantState.Ready : ParticipantState.Joined;
    }
    this.#state = to;
  }

  markReady(rtpCapabilities: unknown): void {
    this.transition(ParticipantState.Ready);
    this.#rtpCapabilities = rtpCapabilities;
  }

  /** The socket went away: hold on for a resume. */
  markReconnecting(at = new Date()): void {
    this.transition(ParticipantState.Reconnecting);
    this.disconnectedAt = at;
  }

  /** A new socket took over: back to where it was; returns the emits held meanwhile. */
  resume(socketId: string): HeldEmit[] {
    if (this.#state === ParticipantState.Reconnecting) this.transition(this.#resumeTo);
    this.socketId = socketId;
    this.disconnectedAt = undefined;
    const held = this.#held;
    this.#held = [];
    return held;
  }

  /** Keeps an emit for the client until it resumes. */
  hold(event: string, payload: unknown): void {
    if (this.#held.length < MAX_HELD) this.#held.push({ event, payload });
    else this.#heldOverflowed = true;
  }

  /** More emits came while it was away than are held: resuming would leave it out of step. */
  get heldOverflowed(): boolean {
    return this.#heldOverflowed;
  }

  /** Joined or ready: may create transports and producers. */
  get inRoom(): boolean {
    return this.#state === ParticipantState.Joined || this.#state === ParticipantState.Ready;
  }

  /** Receives consumers: ready, or reconnecting after having been ready. */
  get receiving(): boolean {
    return (
      this.#state === ParticipantState.Ready ||
      (this.#state === ParticipantState.Reconnecting && this.#resumeTo === ParticipantState.Ready)
    );
  }

  get reconnecting(): boolean {
    return this.#state === ParticipantState.Reconnecting;
  }

  get isModerator(): boolean {
    return this.meetingRole === 'chair' || this.meetingRole === 'cochair';
  }

  /** The first live producer of a source (mic, camera, screen). */
  producerOf(source: MediaSource): ParticipantProducer | undefined {
    for (const producer of this.producers.values()) if (producer.source === source) return producer;
    return undefined;
  }

  info(): PeerInfo {
    let audioLive = false;
    let videoLive = false;
    let screenSharing = false;
    for (const producer of this.producers.values()) {
      if (producer.source === 'screen') screenSharing = true;
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
      audioMutedBy: audioLive ? null : this.audioMutedBy,
      videoMutedBy: videoLive ? null : this.videoMutedBy,
      meetingRole: this.meetingRole,
      screenSharing,
      connection: this.reconnecting ? 'reconnecting' : 'connected',
      joinedAt: this.joinedAt.toISOString(),
      device: this.device,
      phone: this.phone && { ...this.phone },
    };
  }
}
