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
  | 'broadcast_played';

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
}

export class CallLeg extends TypedEmitter<CallLegEvents> {
  readonly legId: string;
  readonly direction: 'in' | 'out';
  readonly call: IncomingCall | OutgoingCall;
  readonly media: PhoneMedia;
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

  /** The SIP side is up (answered by us or by the phone); media flows. */
  mediaUp(negotiation: MediaNegotiation): void {
    this.media.setFormat({
      codec: negotiation.codec,
      payloadType: negotiation.payloadType,
      telephoneEventPt: negotiation.telephoneEventPt,
      remote: negotiation.remote,
      signalIp: this.call.signalIp,
    });
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
    /** What the phone hears once in (default: the meeting's keys). */
    greeting: PromptName = 'joined',
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
    void this.say(greeting);
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
