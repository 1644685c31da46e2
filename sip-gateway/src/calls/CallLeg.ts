/**
 * One phone call through the gateway: its SIP dialog, its RTP endpoint, its
 * participant in a room, and the state machine in CallLegState.ts that ties
 * them. Dial-in and dial-out differ only until the leg joins a room
 * (DialInFlow / DialOutFlow); from `joining` on, this class runs the call.
 */
import { TypedEmitter } from '@beacon/common';
import { createLogger } from '../logger.ts';
import type { PhoneMedia } from '../media/PhoneMedia.ts';
import type { PromptLibrary, PromptName } from '../media/PromptLibrary.ts';
import { TerminalMainView } from '../media/TerminalMainView.ts';
import type { TerminalVideo } from '../media/TerminalVideo.ts';
import { ViewTranscoderPool } from '../media/ViewTranscoderPool.ts';
import type { LegConnection } from '../signaling/LegConnection.ts';
import type { IncomingCall, MediaNegotiation, OutgoingCall } from '../sip/GatewayUserAgent.ts';
import { CallLegState, CallLegStateMachine } from './CallLegState.ts';
import { InCallCommands } from './InCallCommands.ts';

const logger = createLogger('CallLeg');

/** Why a leg ended; logged, and mapped to a dial-out outcome where one applies. */
export type LegEndReason =
  | 'phone_hung_up'
  | 'rtp_timeout'
  | 'wrong_pin'
  | 'room_not_found'
  | 'removed'
  | 'meeting_ended'
  | 'signaling_lost'
  | 'join_failed'
  | 'busy'
  | 'no_answer'
  | 'failed'
  | 'gateway_stopping'
  | 'alert_acked'
  | 'alert_not_acked'
  | 'broadcast_played'
  /** The chair ended the link up (上联). */
  | 'disconnected';

export type CallLegEvents = {
  state: [CallLegState];
  ended: [LegEndReason];
};

/** What a leg needs from the room's shared audio (RoomAudio). */
export interface LegRoomAudio {
  addLeg(legId: string, media: PhoneMedia): void;
  removeLeg(legId: string): void;
}

export interface CallLegInit {
  legId: string;
  direction: 'in' | 'out';
  call: IncomingCall | OutgoingCall;
  media: PhoneMedia;
  prompts: PromptLibrary;
  /** A SIP video terminal's video sockets (null for a desk phone, or when no H.264 was agreed). */
  video?: TerminalVideo | null;
  /** The gateway's shared main-view transcoders (needed with `video`). */
  transcoders?: ViewTranscoderPool;
}

export class CallLeg extends TypedEmitter<CallLegEvents> {
  readonly legId: string;
  readonly direction: 'in' | 'out';
  readonly call: IncomingCall | OutgoingCall;
  readonly media: PhoneMedia;
  #video: TerminalVideo | null;
  #mainView: TerminalMainView | null = null;
  readonly #transcoders: ViewTranscoderPool;
  readonly #prompts: PromptLibrary;
  readonly #machine: CallLegStateMachine;
  #connection: LegConnection | null = null;
  #room: { roomId: string; audio: LegRoomAudio } | null = null;
  #sipEnded = false;
  #held = false;
  #endReason: LegEndReason | null = null;

  constructor(init: CallLegInit) {
    super();
    this.legId = init.legId;
    this.direction = init.direction;
    this.call = init.call;
    this.media = init.media;
    this.#video = init.video ?? null;
    this.#transcoders = init.transcoders ?? new ViewTranscoderPool();
    this.#prompts = init.prompts;
    const initial = init.direction === 'in' ? CallLegState.Offered : CallLegState.Dialling;
    this.#machine = new CallLegStateMachine(initial, (from, to) => {
      logger.debug({ legId: this.legId, from, to }, 'leg state');
      this.safeEmit('state', to);
    });
    this.call.on('ended', ({ reason, statusCode }) => {
      this.#sipEnded = true;
      if (this.#machine.finished) return;
      logger.debug({ legId: this.legId, reason, statusCode }, 'SIP dialog ended');
      void this.end(this.#reasonForSipEnd(reason, statusCode));
    });
    this.call.on('media', (negotiation) => this.#onMedia(negotiation));
    this.media.on('timeout', () => void this.end('rtp_timeout'));
  }

  get state(): CallLegState {
    return this.#machine.state;
  }

  get roomId(): string | null {
    return this.#room?.roomId ?? null;
  }

  get endReason(): LegEndReason | null {
    return this.#endReason;
  }

  get finished(): boolean {
    return this.#machine.finished;
  }

  /** The terminal's video, while it has one. */
  get video(): TerminalVideo | null {
    return this.#video;
  }

  /** The SIP side is up (answered by us or by the phone); media flows. */
  mediaUp(negotiation: MediaNegotiation): void {
    this.media.setFormat({
      codec: negotiation.codec,
      payloadType: negotiation.payloadType,
      telephoneEventPt: negotiation.telephoneEventPt,
      remote: negotiation.remote,
      signalIp: this.call.signalIp,
    });
    if (this.#video && negotiation.video) this.#video.setRemote(negotiation.video);
    else if (this.#video) {
      // Offered, but the answer (or a later re-INVITE) carries no video: audio only from here.
      logger.info({ legId: this.legId }, 'no video agreed with the terminal: audio only');
      this.#video.close();
      this.#video = null;
    }
    this.#applyHold(negotiation);
  }

  transition(to: CallLegState): void {
    this.#machine.transition(to);
  }

  /** Plays one prompt; false when interrupted (or the leg is ending). */
  async say(name: PromptName): Promise<boolean> {
    if (this.#machine.finished) return false;
    return this.media.play(await this.#prompts.get(name));
  }

  /**
   * `joining` → `in_room`: the leg's participant is in the room, its audio
   * enters as a producer and the room's mix reaches the phone.
   */
  async joinRoom(
    roomId: string,
    openConnection: () => Promise<LegConnection>,
    acquireAudio: () => Promise<LegRoomAudio>,
    /** What the phone hears once in (default: the meeting's keys); null: nothing (the upstream conference). */
    greeting: PromptName | null = 'joined',
  ): Promise<void> {
    this.#machine.transition(CallLegState.Joining);
    let connection: LegConnection;
    let audio: LegRoomAudio;
    try {
      // Join first: a phone may be the first in the room, and the room's audio
      // can only be tapped once the conference exists.
      connection = await openConnection();
    } catch (err) {
      logger.warn({ err, legId: this.legId, roomId }, 'leg could not join the room');
      await this.end('join_failed');
      return;
    }
    try {
      audio = await acquireAudio();
    } catch (err) {
      logger.warn({ err, legId: this.legId, roomId }, 'room audio could not be opened');
      await connection.leave();
      await this.end('join_failed');
      return;
    }
    if (this.#machine.finished) {
      // The phone hung up while we were joining.
      await connection.leave();
      return;
    }
    this.#connection = connection;
    this.#room = { roomId, audio };
    this.media.setMuted(connection.muted);
    this.media.setUplink(connection.uplink);
    connection.on('uplink', (target) => this.media.setUplink(target));
    const video = this.#video;
    if (video) {
      // Key frames both ways: the room's requests reach the terminal by RTCP (TerminalVideo) and SIP INFO; the
      // terminal's INFO asks the main view's producer (its RTCP PLI/FIR does the same inside TerminalVideo).
      video.on('pictureUpdate', () => this.call.sendPictureFastUpdate());
      this.call.on('pictureUpdate', () => video.requestViewKeyFrame());
      if (connection.videoUplink) video.setUplink(connection.videoUplink);
      connection.on('videoUplink', (target) => video.setUplink(target));
      const view = new TerminalMainView(video, this.#transcoders);
      this.#mainView = view;
      if (connection.view) void view.show(connection.view);
      connection.on('view', (next) => void view.show(next));
    }
    connection.on('muted', ({ muted, by }) => {
      this.media.setMuted(muted);
      void this.say(muted ? (by === 'chair' ? 'muted_by_chair' : 'muted') : 'unmuted');
    });
    connection.on('removed', (why) => void this.#endWithPrompt(why === 'ended' ? 'meeting_ended' : 'removed'));
    connection.on('speakResult', (granted) => logger.debug({ legId: this.legId, granted }, 'speak request answered'));
    connection.on('lost', (why) => {
      logger.warn({ legId: this.legId, why }, 'leg lost its participant');
      void this.end('signaling_lost');
    });
    audio.addLeg(this.legId, this.media);
    const commands = new InCallCommands(connection, (text) => this.media.play(text), this.#prompts);
    this.media.on('dtmf', (digit) => commands.press(digit));
    this.call.on('dtmf', (digit) => commands.press(digit));
    this.#machine.transition(CallLegState.InRoom);
    connection.setCallState(this.#held ? 'held' : 'connected');
    logger.info(
      { legId: this.legId, roomId, peerId: connection.peerId, direction: this.direction },
      'phone joined room',
    );
    if (greeting !== null) void this.say(greeting);
  }

  /** Ends the call from any state; idempotent. Resolves when everything is released. */
  async end(reason: LegEndReason): Promise<void> {
    if (this.#machine.finished) return;
    this.#endReason = reason;
    this.#machine.transition(CallLegState.Ending);
    this.media.stopPrompts();
    if (!this.#sipEnded) {
      this.#sipEnded = true;
      try {
        this.call.hangup();
      } catch (err) {
        logger.debug({ err, legId: this.legId }, 'hangup failed (dialog already gone)');
      }
    }
    if (this.#room) this.#room.audio.removeLeg(this.legId);
    await this.#connection?.leave();
    this.media.close();
    this.#mainView?.close();
    this.#video?.close();
    this.#machine.transition(CallLegState.Ended);
    logger.info({ legId: this.legId, roomId: this.roomId, reason }, 'call ended');
    this.safeEmit('ended', reason);
    this.removeAllListeners();
  }

  async #endWithPrompt(reason: 'removed' | 'meeting_ended'): Promise<void> {
    if (this.#machine.finished) return;
    // Stop feeding the room (muted legs are not mixed) but stay on the mixer's clock:
    // it is what plays the prompt that tells the phone why it is being hung up.
    this.media.setMuted(true);
    await this.say(reason === 'removed' ? 'removed' : 'meeting_ended');
    await this.end(reason);
  }

  #onMedia(negotiation: MediaNegotiation): void {
    if (this.#machine.finished) return;
    this.mediaUp(negotiation);
  }

  #applyHold(negotiation: MediaNegotiation): void {
    const held = negotiation.remoteDirection === 'sendonly' || negotiation.remoteDirection === 'inactive';
    if (held === this.#held) return;
    this.#held = held;
    this.media.setHeld(held);
    logger.info({ legId: this.legId, held }, held ? 'call held by the phone' : 'call resumed by the phone');
    this.#connection?.setCallState(held ? 'held' : 'connected');
  }

  #reasonForSipEnd(reason: string, statusCode: number | null): LegEndReason {
    if (reason === 'rejected') return statusCode === 486 || statusCode === 600 ? 'busy' : 'failed';
    if (reason === 'no_answer') return 'no_answer';
    if (reason === 'failed') return 'failed';
    return 'phone_hung_up';
  }
}
