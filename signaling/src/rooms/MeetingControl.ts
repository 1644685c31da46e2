/**
 * Chair controls of one room: mute/unmute, mute all, lock, meeting roles and
 * broadcast (training) mode with its presenter rule.
 *
 * Permissions by role are checked before we get here (permissions.ts); this
 * module checks what depends on the target: a co-chair cannot act on the
 * chair, only township terminals can be force-unmuted, only the presenter
 * sends in broadcast mode.
 */

import type { MeetingMode, MeetingRole, RoomState } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { ConferenceRoom } from './ConferenceRoom.ts';
import type { Participant, ParticipantProducer } from './Participant.ts';

const logger = createLogger('MeetingControl');

export class MeetingControl {
  readonly #room: ConferenceRoom;
  #mode: MeetingMode;
  /** Broadcast mode's named presenter; null: the chair presents. */
  #presenter: string | null = null;
  #locked = false;

  constructor(room: ConferenceRoom, mode: MeetingMode) {
    this.#room = room;
    this.#mode = mode;
  }

  get locked(): boolean {
    return this.#locked;
  }

  state(): Pick<RoomState, 'mode' | 'presenterPeerId' | 'locked'> {
    return { mode: this.#mode, presenterPeerId: this.#presenter, locked: this.#locked };
  }

  /** Pauses the target's mic (audio) or camera (video) as muted by the chair. */
  async mute(actor: Participant, target: Participant, kind: 'audio' | 'video'): Promise<void> {
    guardTarget(actor, target);
    if (kind === 'audio') target.openMicOnProduce = false;
    const producer = target.producerOf(kind === 'audio' ? 'mic' : 'camera');
    if (!producer) throw new BeaconError('invalid_state', `${target.claims.displayName} has no ${kind} to mute`);
    await this.#mutedByChair(target, producer);
  }

  /** Opens a managed township terminal's mic (now, or as soon as it has one). */
  async unmute(actor: Participant, target: Participant): Promise<void> {
    guardTarget(actor, target);
    if (target.claims.role !== 'township') {
      throw BeaconError.forbidden(
        '只能强制开启乡镇终端的麦克风 / only managed township terminals can be unmuted by the chair',
      );
    }
    await this.openMic(target);
  }

  /** Mutes every mic except the chair's (self-muted ones become chair-muted); returns how many. */
  async muteAll(): Promise<number> {
    let muted = 0;
    for (const p of this.#room.participants()) {
      if (p.meetingRole === 'chair') continue;
      p.openMicOnProduce = false;
      const mic = p.producerOf('mic');
      if (!mic || (mic.paused && p.audioMutedBy === 'chair')) continue;
      await this.#mutedByChair(p, mic);
      muted += 1;
    }
    return muted;
  }

  setLocked(locked: boolean): void {
    if (this.#locked === locked) return;
    this.#locked = locked;
    logger.info({ roomId: this.#room.id, locked }, locked ? 'meeting locked' : 'meeting unlocked');
    this.#room.stateChanged();
  }

  /** Hands chairing over (the old chair becomes co-chair) or names a co-chair/participant. */
  setRole(actor: Participant, target: Participant, role: Exclude<MeetingRole, 'audience'>): void {
    if (target === actor) throw BeaconError.badRequest('cannot change your own role; hand chairing to someone else');
    if (role === 'chair') {
      actor.meetingRole = 'cochair';
      this.#room.peerUpdated(actor);
    }
    target.meetingRole = role;
    this.#room.peerUpdated(target);
    logger.info({ roomId: this.#room.id, peerId: target.peerId, role }, 'meeting role changed');
    if (this.#mode === 'broadcast') this.#enforceBroadcast();
  }

  /** Broadcast (training): only the presenter (default: the chair) sends; others' producers close. */
  setMode(mode: MeetingMode, presenterPeerId?: string): void {
    if (presenterPeerId !== undefined) {
      const presenter = this.#room.get(presenterPeerId);
      if (!presenter) throw new BeaconError('not_found', `participant "${presenterPeerId}" is not in this meeting`);
      if (presenter.meetingRole === 'audience') throw BeaconError.badRequest('an audience member cannot present');
    }
    this.#mode = mode;
    this.#presenter = mode === 'broadcast' ? (presenterPeerId ?? null) : null;
    logger.info({ roomId: this.#room.id, mode, presenter: this.#presenter }, 'meeting mode');
    if (mode === 'broadcast') this.#enforceBroadcast();
    this.#room.stateChanged();
  }

  /** Refuses a send transport or producer from anyone but the presenter in broadcast mode. */
  assertMaySend(participant: Participant): void {
    if (this.#mode === 'broadcast' && !this.#isPresenter(participant)) {
      throw BeaconError.forbidden('培训直播模式下只有主讲人可以发送 / only the presenter sends in broadcast mode');
    }
  }

  /** Resumes the target's mic, or opens it as soon as the target produces one. */
  async openMic(target: Participant): Promise<void> {
    if (target.meetingRole === 'audience') throw BeaconError.badRequest('an audience member has no microphone');
    const mic = target.producerOf('mic');
    if (!mic) {
      target.openMicOnProduce = true;
      return;
    }
    if (mic.paused) await this.#room.setProducerPaused(target, mic.id, false);
  }

  /** A new producer: a mic the chair already opened (roll call before it had one) starts open. */
  async onProduced(participant: Participant, producer: ParticipantProducer): Promise<void> {
    if (producer.source !== 'mic' || !participant.openMicOnProduce) return;
    participant.openMicOnProduce = false;
    if (producer.paused) await this.#room.setProducerPaused(participant, producer.id, false);
  }

  /** Forgets a peer that left; if it chaired, the earliest co-chair takes over. True when the state changed. */
  onPeerLeft(participant: Participant): boolean {
    if (participant.meetingRole === 'chair') {
      const next = this.#room.participants().find((p) => p.meetingRole === 'cochair');
      if (next) {
        next.meetingRole = 'chair';
        logger.info({ roomId: this.#room.id, peerId: next.peerId }, 'co-chair took over the chair');
        this.#room.peerUpdated(next);
      }
    }
    if (this.#presenter !== participant.peerId) return false;
    this.#presenter = null;
    return true;
  }

  #isPresenter(participant: Participant): boolean {
    return this.#presenter ? participant.peerId === this.#presenter : participant.meetingRole === 'chair';
  }

  #enforceBroadcast(): void {
    for (const p of this.#room.participants()) {
      if (this.#isPresenter(p)) continue;
      for (const producerId of [...p.producers.keys()]) this.#room.closeProducer(p, producerId);
    }
  }

  async #mutedByChair(target: Participant, producer: ParticipantProducer): Promise<void> {
    if (!producer.paused) {
      await this.#room.setProducerPaused(target, producer.id, true, 'chair');
      return;
    }
    if (producer.source === 'mic') target.audioMutedBy = 'chair';
    else target.videoMutedBy = 'chair';
    this.#room.peerUpdated(target);
  }
}

/** Co-chairs may not act on the chair. */
function guardTarget(actor: Participant, target: Participant): void {
  if (target.meetingRole === 'chair' && actor !== target && actor.meetingRole !== 'chair') {
    throw BeaconError.forbidden('不能对主席执行此操作 / a co-chair cannot act on the chair');
  }
}
